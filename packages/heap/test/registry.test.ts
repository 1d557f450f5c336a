// The strategy registry: the four built-ins by name, user strategies added and used by name.
import { describe, expect, it } from 'vitest';
import { createAllocator } from '../src/createAllocator';
import { getStrategy, hasStrategy, registerStrategy, strategyNames } from '../src/strategies/registry';
import { TlsfHeap } from '../src/strategies/tlsf';
import { errorCode as code } from '../src/testing';
import { bufferSource } from './support/sources';

describe('strategy registry', () => {
  it('has segregated, lfh, tlsf and bump first', () => {
    expect(strategyNames().slice(0, 4)).toEqual(['segregated', 'lfh', 'tlsf', 'bump']);
    for (const name of ['segregated', 'lfh', 'tlsf', 'bump']) {
      expect(getStrategy(name)({ source: bufferSource(8) }).name).toBe(name);
    }
  });

  it('adds a strategy by name and createAllocator uses it', () => {
    registerStrategy('registry-test-tlsf', (options) => new TlsfHeap(options));
    expect(hasStrategy('registry-test-tlsf')).toBe(true);
    const allocator = createAllocator({ strategy: 'registry-test-tlsf', memory: new ArrayBuffer(1 << 20) });
    expect(allocator.strategy).toBe('tlsf');
    expect(allocator.alloc(10)).not.toBe(0);
  });

  it('refuses unknown names, empty names and non-functions with ERROR_INVALID_PARAMETER', () => {
    expect(code(() => getStrategy('nope'))).toBe(87);
    expect(code(() => registerStrategy('', (options) => new TlsfHeap(options)))).toBe(87);
    expect(code(() => registerStrategy('x', 42 as never))).toBe(87);
  });
});

// The segregated back end finds a pointer's segment through a per-64-KiB table below 4 GiB and by scanning
// elsewhere: segments that share a chunk (flat buffers place them page by page), segments straddling 4 GiB
// and segments above it must all answer exactly — live blocks found, foreign and interior pointers refused.
import { describe, expect, it } from 'vitest';
import { SegregatedHeap } from '../src/strategies/segregated';
import { TlsfHeap } from '../src/strategies/tlsf';
import { bufferSource, highSource } from './support/sources';

const INVALID_PARAMETER = 87;

function codeOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    return (error as { code?: number }).code;
  }
  return undefined;
}

const sources = [
  ['a flat buffer (segments share 64-KiB chunks)', () => bufferSource(8, 24 << 20)],
  ['addresses straddling 4 GiB', () => highSource(8, 2 ** 32 - 3 * 2 ** 20, 24 << 20)],
  ['addresses just below 4 GiB', () => highSource(4, 2 ** 32 - 20 * 2 ** 20, 24 << 20)],
  ['addresses above 2^40', () => highSource(8, 2 ** 40 + 2 ** 31, 24 << 20)],
] as const;

describe.each(sources)('segment look-up over %s', (_name, makeSource) => {
  it.each([
    ['segregated', SegregatedHeap],
    ['tlsf', TlsfHeap],
  ] as const)('%s: every live block in many segments is found, everything else refused', (_strategy, Strategy) => {
    const heap = new Strategy({ source: makeSource() });
    const blocks: number[] = [];
    let seed = 7;
    // Enough bytes for several segments (1 MiB, then doubling).
    for (let i = 0; i < 3000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const pointer = heap.allocate(64 + (seed % 6000));
      expect(pointer).not.toBe(0);
      blocks.push(pointer);
    }
    let regions = 0;
    heap.walk((entry) => {
      if (entry.kind === 'region') regions++;
    });
    expect(regions).toBeGreaterThan(3);
    for (const pointer of blocks) {
      expect(heap.owns(pointer)).toBe(true);
      expect(heap.owns(pointer + 16)).toBe(false);
    }
    // Free every other block (coalescing and list links across segments), then check the rest.
    for (let i = 0; i < blocks.length; i += 2) heap.free(blocks[i] as number);
    heap.validate();
    for (let i = 0; i < blocks.length; i++) expect(heap.owns(blocks[i] as number)).toBe(i % 2 === 1);
    expect(codeOf(() => heap.free(blocks[0] as number))).toBe(INVALID_PARAMETER);
    expect(codeOf(() => heap.free((blocks[1] as number) + 16))).toBe(INVALID_PARAMETER);
    expect(codeOf(() => heap.free(heap.base - 65536))).toBe(INVALID_PARAMETER);
    for (let i = 1; i < blocks.length; i += 2) heap.free(blocks[i] as number);
    heap.validate();
    // compact releases the emptied later segments: the table must forget them.
    heap.compact();
    heap.validate();
    expect(heap.owns(blocks[blocks.length - 1] as number)).toBe(false);
    const again = heap.allocate(5000);
    expect(heap.owns(again)).toBe(true);
    heap.free(again);
    heap.validate();
  });
});

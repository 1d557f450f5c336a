// The allocator and strategy examples at the top of README.md, run as written (console.log replaced by
// expectations), plus the README's custom strategy run through the shared suite.
import { isMemError } from '@mem/pages';
import { expect, it } from 'vitest';
import type { HeapStrategy, HeapStrategyOptions, HeapWalkEntry } from '../src/api';
import { BufferPageSource, createAllocator, createLfhHeap, createSegregatedHeap, registerStrategy } from '../src/index';
import { describeHeapStrategy } from '../src/testing';
import { GrowableSharedArrayBuffer } from './support/sources';


it('README: createAllocator over an ArrayBuffer', () => {
  const a = createAllocator({ strategy: 'lfh', memory: new ArrayBuffer(64 << 20) });
  const p = a.alloc(100);
  a.memory.setUint32(p, 0xdeadbeef);
  const q = a.realloc(p, 5000);
  expect([a.usableSize(q) >= 5000, a.memory.getUint32(q).toString(16)]).toEqual([true, 'deadbeef']);
  a.free(q);
  let code: number | undefined;
  try {
    a.free(q);
  } catch (error) {
    if (isMemError(error)) code = error.code;
  }
  expect(code).toBe(87);
  expect(a.stats().liveBytes).toBe(0);
});

it('README: other memories and the x86 layout', () => {
  const wasm = createAllocator({
    strategy: 'tlsf',
    memory: new WebAssembly.Memory({ initial: 1, maximum: 1024 }),
    geometry: 'x86',
  });
  const shared = createAllocator({
    strategy: 'segregated',
    memory: new GrowableSharedArrayBuffer(1 << 16, { maxByteLength: 1 << 26 }),
  });
  const block = wasm.alloc(24);
  expect([block % 8, wasm.usableSize(block)]).toEqual([0, 24]);
  expect(shared.calloc(10, 100) !== 0).toBe(true);
});

function poisonOnFree(options: HeapStrategyOptions): HeapStrategy {
  const inner = createSegregatedHeap(options);
  const memory = options.source.memory;
  return {
    name: 'poison-on-free',
    allocate: (size, alignment) => inner.allocate(size, alignment),
    free(pointer) {
      const size = inner.usableSize(pointer);
      memory.fill(pointer, size, 0xfe);
      inner.free(pointer);
    },
    resizeInPlace: (pointer, size) => inner.resizeInPlace(pointer, size),
    sizeOf: (pointer) => inner.sizeOf(pointer),
    usableSize: (pointer) => inner.usableSize(pointer),
    owns: (pointer) => inner.owns(pointer),
    walk: (visit) => inner.walk(visit),
    validate: (pointer) => inner.validate(pointer),
    stats: () => inner.stats(),
    compact: () => inner.compact(),
    destroy: () => inner.destroy(),
  };
}

registerStrategy('poison-on-free', poisonOnFree);

it('README: writing your own strategy', () => {
  const heap = createAllocator({ strategy: 'poison-on-free', memory: new ArrayBuffer(1 << 20) });
  const p = heap.alloc(64);
  heap.free(p);
  expect(heap.memory.getUint8(p + 40)).toBe(254);
});

describeHeapStrategy('poison-on-free', { label: 'the README example' });

it('README: looking inside', () => {
  const lfh = createLfhHeap({ source: new BufferPageSource(new ArrayBuffer(8 << 20), { pointerSize: 4 }) });
  for (let i = 0; i < 17; i++) lfh.allocate(40);
  expect(lfh.compatibility).toBe(0);
  lfh.allocate(40);
  expect(lfh.compatibility).toBe(2);

  const a = createAllocator({ strategy: 'segregated', memory: new ArrayBuffer(1 << 20), geometry: 'x86' });
  a.alloc(123);
  const seen: [HeapWalkEntry['kind'], number][] = [];
  a.walk((entry) => seen.push([entry.kind, entry.size]));
  expect(seen).toEqual([
    ['region', 65536],
    ['busy', 123],
    ['free', 2416],
    ['uncommitted', 61440],
  ]);
});

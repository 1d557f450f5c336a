// The process's heap strategy (createSystem's heapStrategy): 'lfh' behaves as Windows since Vista, 'segregated'
// never activates a front end, another registered strategy ('tlsf') serves every heap of the process alone.
import { describe, expect, it } from 'vitest';
import { HeapCompatibilityInformation, PROCESS_HEAP_ENTRY_BUSY } from '../../src/constants';
import { getProcessHeap } from '../../src/ProcessHeaps';
import { type HeapKernel, heapKernel, walkAll } from './support';

function compatibility(k: HeapKernel, heap: number): number | undefined {
  const info: { value?: number } = {};
  expect(k.HeapQueryInformation(heap, HeapCompatibilityInformation, info, 4, undefined)).toBe(true);
  return info.value;
}

/** A workload of many same-size blocks and a few odd ones; returns the live blocks with their sizes. */
function workload(k: HeapKernel, heap: number): Map<number, number> {
  const live = new Map<number, number>();
  for (let index = 0; index < 400; index++) {
    const size = index % 5 === 0 ? 700 + index : 40;
    const block = k.HeapAlloc(heap, 0, size);
    expect(block).not.toBe(0);
    k.mem.fill(block, size, index & 0xff);
    live.set(block, size);
    if (index % 3 === 0) {
      const [first] = live.keys();
      expect(k.HeapFree(heap, 0, first!)).toBe(true);
      live.delete(first!);
    }
  }
  return live;
}

describe.each(['x86', 'x64'] as const)('process heap strategies on %s', (geometry) => {
  it.each([
    ['lfh', 'lfh', 2],
    ['segregated', 'segregated', 0],
    ['tlsf', 'tlsf', 0],
  ] as const)('heapStrategy %s: the process heap uses %s and reports compatibility %d after a workload', (name, used, value) => {
    const k = heapKernel(geometry, name);
    const heap = k.GetProcessHeap();
    expect(getProcessHeap(k.process).strategyName).toBe(used);
    const live = workload(k, heap);
    expect(compatibility(k, heap)).toBe(value);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
    const busy = walkAll(k, heap).filter((entry) => entry.wFlags & PROCESS_HEAP_ENTRY_BUSY);
    for (const [block, size] of live) {
      expect(k.HeapSize(heap, 0, block)).toBe(size);
      expect(busy.some((entry) => entry.lpData === block && entry.cbData === size)).toBe(true);
    }
    const summary: Record<string, number> & { cb: number } = { cb: geometry === 'x64' ? 40 : 20 };
    expect(k.HeapSummary(heap, 0, summary)).toBe(true);
    expect(summary.cbAllocated).toBe([...live.values()].reduce((sum, size) => sum + size, 0));
    // Private heaps follow the same strategy.
    const other = k.HeapCreate(0, 0, 0);
    workload(k, other);
    expect(compatibility(k, other)).toBe(value);
    expect(k.HeapValidate(other, 0, 0)).toBe(true);
    expect(k.HeapDestroy(other)).toBe(true);
  });
});

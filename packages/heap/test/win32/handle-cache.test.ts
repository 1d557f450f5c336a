// HeapAlloc/HeapFree find their heap through a one-entry cache (ProcessHeaps.findHeap): a destroyed heap
// must stop answering at once, a new heap at the same address must be found, and two processes whose
// heaps share a handle value must each reach their own heap.
import { ERROR_INVALID_HANDLE } from '@mem/pages';
import { describe, expect, it } from 'vitest';
import { attempt, GEOMETRIES_32_64, heapKernel } from './support';

describe.each(GEOMETRIES_32_64)('heap handle look-up on %s', (geometry) => {
  it('a destroyed heap is refused right after a call that found it, and a new heap in its place is found', () => {
    const k = heapKernel(geometry);
    const heap = k.HeapCreate(0, 0, 0);
    const block = k.HeapAlloc(heap, 0, 100);
    expect(block).not.toBe(0);
    expect(k.HeapFree(heap, 0, block)).toBe(true);
    expect(k.HeapDestroy(heap)).toBe(true);
    expect(attempt(k, () => k.HeapAlloc(heap, 0, 100))).toEqual([0, ERROR_INVALID_HANDLE]);
    expect(attempt(k, () => k.HeapFree(heap, 0, block))).toEqual([false, ERROR_INVALID_HANDLE]);
    const again = k.HeapCreate(0, 0, 0);
    const other = k.HeapAlloc(again, 0, 100);
    expect(other).not.toBe(0);
    expect(k.HeapSize(again, 0, other)).toBe(100);
    expect(k.HeapFree(again, 0, other)).toBe(true);
    expect(k.HeapValidate(again, 0, undefined)).toBe(true);
  });

  it('two processes with the same process-heap handle each allocate from their own heap', () => {
    const first = heapKernel(geometry);
    const second = heapKernel(geometry);
    const heap = first.GetProcessHeap();
    expect(second.GetProcessHeap()).toBe(heap);
    const a = first.HeapAlloc(heap, 0, 40);
    const b = second.HeapAlloc(heap, 0, 24);
    // Identical fresh heaps hand out the same first address; a look-up that reached the first process's
    // heap would have returned its second block instead.
    expect(b).toBe(a);
    expect(first.HeapSize(heap, 0, a)).toBe(40);
    expect(second.HeapSize(heap, 0, b)).toBe(24);
    // Interleaved calls: each must reach its own process's heap, whatever the other did last.
    first.mem.setUint32(a, 0x11111111);
    second.mem.setUint32(b, 0x22222222);
    expect(second.HeapFree(heap, 0, b)).toBe(true);
    expect(first.HeapSize(heap, 0, a)).toBe(40);
    expect(first.mem.getUint32(a)).toBe(0x11111111);
    expect(first.HeapFree(heap, 0, a)).toBe(true);
    expect(first.HeapValidate(heap, 0, undefined)).toBe(true);
    expect(second.HeapValidate(heap, 0, undefined)).toBe(true);
  });
});

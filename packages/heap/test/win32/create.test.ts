// Conformance: creating and destroying heaps (win32-facts §14.1: H-001..H-005, H-043), GetProcessHeap(s),
// HeapDestroy of the process heap.
import { ERROR_INVALID_HANDLE, ERROR_NOT_ENOUGH_MEMORY, MEM_COMMIT, MEM_FREE, MEM_PRIVATE, PAGE_EXECUTE_READWRITE, PAGE_READWRITE, STATUS_NO_MEMORY } from '@mem/pages';
import { describe, expect, it } from 'vitest';
import {
  HEAP_CREATE_ENABLE_EXECUTE,
  HEAP_GENERATE_EXCEPTIONS,
  HEAP_NO_SERIALIZE,
  PROCESS_HEAP_REGION,
} from '../../src/constants';
import { attempt, GEOMETRIES_32_64, heapKernel, regionOf, SENTINEL, walkAll } from './support';

describe.each(GEOMETRIES_32_64)('HeapCreate on %s', (geometry) => {
  it('H-001: HeapCreate(0, 0, 0) returns a 64 KiB-aligned handle; fixed heaps too; GLE untouched', () => {
    const k = heapKernel(geometry);
    for (const [initial, maximum] of [
      [0, 0],
      [0x1000, 0],
      [0x10000, 0x10000],
      [0x2000, 0x50000],
    ] as const) {
      const [heap, error] = attempt(k, () => k.HeapCreate(0, initial, maximum));
      expect(heap).not.toBe(0);
      expect(heap % 0x10000).toBe(0);
      expect(error).toBe(SENTINEL);
      // The handle is the base of the heap's first reservation: a private allocation of the process.
      const region = regionOf(k, heap);
      expect(region.allocationBase).toBe(heap);
      expect(region.type).toBe(MEM_PRIVATE);
      expect(region.state).toBe(MEM_COMMIT);
      expect(k.HeapDestroy(heap)).toBe(true);
    }
  });

  it('H-002: GetProcessHeaps counts heaps, process heap first, new heaps appended in creation order', () => {
    const k = heapKernel(geometry);
    const before = k.GetProcessHeaps(0, undefined);
    expect(before).toBeGreaterThanOrEqual(1);
    expect(before).toBeLessThanOrEqual(6);
    const first = k.HeapCreate(0, 0, 0);
    expect(k.GetProcessHeaps(0, undefined)).toBe(before + 1);
    const second = k.HeapCreate(0, 0, 0);
    const handles: number[] = [];
    expect(k.GetProcessHeaps(8, handles)).toBe(before + 2);
    expect(handles[0]).toBe(k.GetProcessHeap());
    expect(handles[before]).toBe(first);
    expect(handles[before + 1]).toBe(second);
    // A buffer too small gets what fits; the count is still the total.
    const few: number[] = [];
    expect(k.GetProcessHeaps(1, few)).toBe(before + 2);
    expect(few).toEqual([k.GetProcessHeap()]);
    expect(k.HeapDestroy(second)).toBe(true);
    expect(k.HeapDestroy(first)).toBe(true);
    expect(k.GetProcessHeaps(0, undefined)).toBe(before);
  });

  it('H-003: HeapCreate(HEAP_NO_SERIALIZE, initial, 0) reserves initial + 64 KiB', () => {
    const k = heapKernel(geometry);
    for (const initial of [0, 0x1000, 0x20000]) {
      const heap = k.HeapCreate(HEAP_NO_SERIALIZE, initial, 0);
      expect(heap).not.toBe(0);
      let reserved = 0;
      let address = heap;
      for (;;) {
        const region = regionOf(k, address);
        if (region.allocationBase !== heap) break;
        reserved += region.regionSize;
        address += region.regionSize;
      }
      expect(reserved).toBe(initial + 0x10000);
      k.HeapDestroy(heap);
    }
  });

  it('H-003: a growable heap filled with 0x60000-byte blocks adds segments of 1 MiB, doubling, capped at 0xFD0000', () => {
    const k = heapKernel(geometry);
    const heap = k.HeapCreate(HEAP_NO_SERIALIZE, 0, 0);
    for (let index = 0; index < 40; index++) expect(k.HeapAlloc(heap, 0, 0x60000)).not.toBe(0);
    const sizes = walkAll(k, heap)
      .filter((entry) => entry.wFlags === PROCESS_HEAP_REGION)
      .map((entry) => entry.Region.dwCommittedSize + entry.Region.dwUnCommittedSize);
    expect(sizes.slice(0, 6)).toEqual([0x10000, 0x100000, 0x200000, 0x400000, 0x800000, 0xfd0000]);
    for (const size of sizes.slice(6)) expect(size).toBe(0xfd0000);
    // Each segment is its own reservation, visible to VirtualQuery and tagged with the heap for memory maps.
    for (const entry of walkAll(k, heap).filter((item) => item.wFlags === PROCESS_HEAP_REGION)) {
      expect(regionOf(k, entry.lpData).allocationBase).toBe(entry.lpData);
      expect(k.process.addressSpace.allocationAt(entry.lpData)?.tag).toBe(`heap 0x${heap.toString(16)}`);
    }
  });

  it('H-004: a fixed heap HeapCreate(0, n, n) reserves n rounded up to 0x400·ptr', () => {
    const k = heapKernel(geometry);
    const ptr = k.process.geometry.pointerSize;
    for (const size of [0x10000, 0x10100, 0x11000, 0x20300]) {
      const heap = k.HeapCreate(0, size, size);
      expect(heap).not.toBe(0);
      let reserved = 0;
      let address = heap;
      for (;;) {
        const region = regionOf(k, address);
        if (region.allocationBase !== heap) break;
        reserved += region.regionSize;
        address += region.regionSize;
      }
      expect(reserved).toBe(Math.ceil(size / (0x400 * ptr)) * 0x400 * ptr);
      k.HeapDestroy(heap);
    }
  });

  it('H-005: the initial size is committed in pages (0 gives at least one page)', () => {
    const k = heapKernel(geometry);
    const heap = k.HeapCreate(0, 0x3001, 0);
    const region = regionOf(k, heap);
    expect(region.state).toBe(MEM_COMMIT);
    expect(region.regionSize).toBeGreaterThanOrEqual(0x4000);
    const empty = k.HeapCreate(0, 0, 0);
    expect(regionOf(k, empty).state).toBe(MEM_COMMIT);
    expect(regionOf(k, empty).regionSize).toBeGreaterThanOrEqual(0x1000);
  });

  it('H-043: heap pages are PAGE_READWRITE, PAGE_EXECUTE_READWRITE with HEAP_CREATE_ENABLE_EXECUTE', () => {
    const k = heapKernel(geometry);
    const plain = k.HeapCreate(0, 0, 0);
    expect(regionOf(k, plain).protect).toBe(PAGE_READWRITE);
    expect(regionOf(k, k.GetProcessHeap()).protect).toBe(PAGE_READWRITE);
    const executable = k.HeapCreate(HEAP_CREATE_ENABLE_EXECUTE, 0, 0);
    expect(regionOf(k, executable).protect).toBe(PAGE_EXECUTE_READWRITE);
    const block = k.HeapAlloc(executable, 0, 64);
    expect(block).not.toBe(0);
    expect(regionOf(k, block).protect).toBe(PAGE_EXECUTE_READWRITE);
    // Code placed in the heap can run under DEP.
    k.mem.setUint8(block, 0xc3);
    expect(() => k.mem.execute(block)).not.toThrow();
    const data = k.HeapAlloc(plain, 0, 64);
    if (k.process.depEnabled) expect(() => k.mem.execute(data)).toThrow();
  });

  it('HeapDestroy releases the reservations; the handle is then invalid (ERROR_INVALID_HANDLE)', () => {
    const k = heapKernel(geometry);
    const heap = k.HeapCreate(0, 0, 0);
    const block = k.HeapAlloc(heap, 0, 100);
    const large = k.HeapAlloc(heap, 0, 0x200000);
    expect(large).not.toBe(0);
    expect(k.HeapDestroy(heap)).toBe(true);
    expect(regionOf(k, heap).state).toBe(MEM_FREE);
    expect(regionOf(k, block).state).toBe(MEM_FREE);
    expect(regionOf(k, large).state).toBe(MEM_FREE);
    expect(attempt(k, () => k.HeapDestroy(heap))).toEqual([false, ERROR_INVALID_HANDLE]);
    expect(attempt(k, () => k.HeapAlloc(heap, 0, 10))).toEqual([0, ERROR_INVALID_HANDLE]);
  });

  it('HeapDestroy(GetProcessHeap()) fails with ERROR_INVALID_HANDLE and the heap keeps working', () => {
    const k = heapKernel(geometry);
    const processHeap = k.GetProcessHeap();
    expect(attempt(k, () => k.HeapDestroy(processHeap))).toEqual([false, ERROR_INVALID_HANDLE]);
    expect(k.HeapAlloc(processHeap, 0, 10)).not.toBe(0);
    expect(k.GetProcessHeaps(0, undefined)).toBeGreaterThanOrEqual(1);
  });

  it('the process heap is a growable heap reserved at process start', () => {
    const k = heapKernel(geometry);
    const heap = k.GetProcessHeap();
    expect(heap % 0x10000).toBe(0);
    expect(regionOf(k, heap).allocationBase).toBe(heap);
    expect(k.GetProcessHeap()).toBe(heap);
    const big = k.HeapAlloc(heap, 0, 0x300000);
    expect(big).not.toBe(0);
  });

  it('HeapCreate fails with ERROR_NOT_ENOUGH_MEMORY when the address space cannot hold it', () => {
    const k = heapKernel(geometry);
    const tooBig = k.process.geometry.highestUserAddress + 1;
    const [heap, error] = attempt(k, () => k.HeapCreate(0, 0, tooBig));
    expect(heap).toBe(0);
    expect(error).toBe(ERROR_NOT_ENOUGH_MEMORY);
  });

  it('HEAP_GENERATE_EXCEPTIONS given to HeapCreate applies to every allocation', () => {
    const k = heapKernel(geometry);
    const heap = k.HeapCreate(HEAP_GENERATE_EXCEPTIONS, 0x10000, 0x10000);
    expect(() => k.HeapAlloc(heap, 0, 0x20000)).toThrowError(expect.objectContaining({ code: STATUS_NO_MEMORY }));
  });
});

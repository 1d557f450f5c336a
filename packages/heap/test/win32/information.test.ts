// Conformance: HeapQueryInformation / HeapSetInformation (win32-facts §14.7: H-036, H-037, H-040), the LFH
// switch as the process's heap strategy decides it, and HeapLock / HeapUnlock (§14.6: H-033..H-035).
import { ERROR_GEN_FAILURE, ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER, ERROR_NOACCESS, ERROR_NOT_LOCKED } from '@mem/pages';
import { describe, expect, it } from 'vitest';
import {
  HEAP_NO_SERIALIZE,
  HEAP_TAIL_CHECKING_ENABLED,
  HeapCompatibilityInformation,
  HeapEnableTerminationOnCorruption,
  PROCESS_HEAP_ENTRY_BUSY,
} from '../../src/constants';
import { attempt, GEOMETRIES_32_64, type HeapKernel, heapKernel, SENTINEL, walkAll } from './support';

function compatibility(k: HeapKernel, heap: number): number {
  const info: { value?: number } = {};
  const returned: { value?: number } = {};
  expect(k.HeapQueryInformation(heap, HeapCompatibilityInformation, info, 4, returned)).toBe(true);
  expect(returned.value).toBe(4);
  return info.value!;
}

describe.each(GEOMETRIES_32_64)('heap information on %s', (geometry) => {
  it('H-036: a NULL heap fails with ERROR_NOACCESS and leaves the return length alone', () => {
    const k = heapKernel(geometry);
    const returned = { value: 0 };
    const info: { value?: number } = {};
    expect(attempt(k, () => k.HeapQueryInformation(0, HeapCompatibilityInformation, info, 4, returned))).toEqual([
      false,
      ERROR_NOACCESS,
    ]);
    expect(returned.value).toBe(0);
    expect(info.value).toBeUndefined();
  });

  it('H-037: no buffer or a short one fails with ERROR_INSUFFICIENT_BUFFER and length 4; 5 bytes work', () => {
    const k = heapKernel(geometry);
    const heap = k.HeapCreate(0, 0, 0);
    const returned = { value: 0 };
    expect(attempt(k, () => k.HeapQueryInformation(heap, HeapCompatibilityInformation, undefined, 0, returned))).toEqual([
      false,
      ERROR_INSUFFICIENT_BUFFER,
    ]);
    expect(returned.value).toBe(4);
    expect(attempt(k, () => k.HeapQueryInformation(heap, HeapCompatibilityInformation, undefined, 0, undefined))).toEqual([
      false,
      ERROR_INSUFFICIENT_BUFFER,
    ]);
    expect(attempt(k, () => k.HeapQueryInformation(heap, HeapCompatibilityInformation, {}, 3, undefined))).toEqual([
      false,
      ERROR_INSUFFICIENT_BUFFER,
    ]);
    const info = { value: 0xdeadbeef };
    expect(attempt(k, () => k.HeapQueryInformation(heap, HeapCompatibilityInformation, info, 5, undefined))).toEqual([
      true,
      SENTINEL,
    ]);
    expect(info.value).toBe(0);
    expect(attempt(k, () => k.HeapQueryInformation(heap, 99, info, 4, undefined))).toEqual([false, ERROR_INVALID_PARAMETER]);
  });

  it('H-040: 0x12 allocations of one size switch a fresh heap to the LFH (value 2); 0x11 do not', () => {
    const k = heapKernel(geometry);
    const heap = k.HeapCreate(0, 0, 0);
    expect(compatibility(k, heap)).toBe(0);
    const blocks: number[] = [];
    for (let index = 0; index < 0x11; index++) blocks.push(k.HeapAlloc(heap, 0, 0));
    expect(compatibility(k, heap)).toBe(0);
    blocks.push(k.HeapAlloc(heap, 0, 0));
    for (const block of blocks) expect(k.HeapFree(heap, 0, block)).toBe(true);
    expect(compatibility(k, heap)).toBe(2);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
  });

  it('H-040: setting 2 reports 2 at once, but the walk changes only with the usage pattern', () => {
    const k = heapKernel(geometry);
    const ptr = k.process.geometry.pointerSize;
    const heap = k.HeapCreate(0, 0, 0);
    expect(attempt(k, () => k.HeapSetInformation(heap, HeapCompatibilityInformation, 2, 4))).toEqual([true, SENTINEL]);
    expect(compatibility(k, heap)).toBe(2);
    let blocks: number[] = [];
    for (let index = 0; index < 0x11; index++) blocks.push(k.HeapAlloc(heap, 0, 24 + 2 * ptr));
    for (const block of blocks) k.HeapFree(heap, 0, block);
    expect(walkAll(k, heap)).toHaveLength(3);
    blocks = [];
    for (let index = 0; index < 0x12; index++) blocks.push(k.HeapAlloc(heap, 0, 24 + 2 * ptr));
    blocks.push(k.HeapAlloc(heap, 0, 24 + 2 * ptr));
    const entries = walkAll(k, heap);
    expect(entries.length).toBeGreaterThan(blocks.length + 2);
    for (const block of blocks) {
      expect(entries.some((entry) => entry.lpData === block && entry.wFlags === PROCESS_HEAP_ENTRY_BUSY)).toBe(true);
    }
    for (const block of blocks) expect(k.HeapFree(heap, 0, block)).toBe(true);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
  });

  it('the LFH cannot be undone (0 or 1 after 2: ERROR_GEN_FAILURE); 0 on a standard heap is accepted', () => {
    const k = heapKernel(geometry);
    const heap = k.HeapCreate(0, 0, 0);
    expect(attempt(k, () => k.HeapSetInformation(heap, HeapCompatibilityInformation, 0, 4))).toEqual([true, SENTINEL]);
    expect(k.HeapSetInformation(heap, HeapCompatibilityInformation, 2, 4)).toBe(true);
    expect(attempt(k, () => k.HeapSetInformation(heap, HeapCompatibilityInformation, 0, 4))).toEqual([false, ERROR_GEN_FAILURE]);
    expect(attempt(k, () => k.HeapSetInformation(heap, HeapCompatibilityInformation, 1, 4))).toEqual([false, ERROR_GEN_FAILURE]);
    expect(compatibility(k, heap)).toBe(2);
    expect(attempt(k, () => k.HeapSetInformation(heap, HeapCompatibilityInformation, 2, 2))).toEqual([
      false,
      ERROR_INSUFFICIENT_BUFFER,
    ]);
    expect(attempt(k, () => k.HeapSetInformation(heap, 42, 0, 4))).toEqual([false, ERROR_INVALID_PARAMETER]);
  });

  it('HEAP_NO_SERIALIZE, fixed-size and debug heaps refuse the LFH and never switch by themselves', () => {
    const k = heapKernel(geometry);
    for (const heap of [
      k.HeapCreate(HEAP_NO_SERIALIZE, 0, 0),
      k.HeapCreate(0, 0x10000, 0x100000),
      k.HeapCreate(HEAP_TAIL_CHECKING_ENABLED, 0, 0),
    ]) {
      expect(attempt(k, () => k.HeapSetInformation(heap, HeapCompatibilityInformation, 2, 4))).toEqual([false, ERROR_GEN_FAILURE]);
      for (let index = 0; index < 100; index++) k.HeapAlloc(heap, 0, 32);
      expect(compatibility(k, heap)).toBe(0);
    }
  });

  it('the process heap of a "segregated" process never switches by itself; setting 2 moves it to the LFH', () => {
    const k = heapKernel(geometry, 'segregated');
    const heap = k.GetProcessHeap();
    const blocks: number[] = [];
    for (let index = 0; index < 200; index++) blocks.push(k.HeapAlloc(heap, 0, 40));
    expect(compatibility(k, heap)).toBe(0);
    expect(k.HeapSetInformation(heap, HeapCompatibilityInformation, 2, 4)).toBe(true);
    expect(compatibility(k, heap)).toBe(2);
    // The blocks of the back end stay valid under the front end.
    for (const block of blocks) expect(k.HeapSize(heap, 0, block)).toBe(40);
    for (let index = 0; index < 200; index++) blocks.push(k.HeapAlloc(heap, 0, 40));
    for (const block of blocks) expect(k.HeapFree(heap, 0, block)).toBe(true);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
  });

  it('HeapEnableTerminationOnCorruption with a NULL heap succeeds', () => {
    const k = heapKernel(geometry);
    expect(attempt(k, () => k.HeapSetInformation(0, HeapEnableTerminationOnCorruption, undefined, 0))).toEqual([
      true,
      SENTINEL,
    ]);
  });

  it('H-033/H-034/H-035: HeapLock and HeapUnlock nest; HEAP_NO_SERIALIZE and LFH heaps lock too; calls go on', () => {
    const k = heapKernel(geometry);
    for (const heap of [k.HeapCreate(0, 0, 0), k.HeapCreate(HEAP_NO_SERIALIZE, 0, 0), k.GetProcessHeap()]) {
      expect(attempt(k, () => k.HeapLock(heap))).toEqual([true, SENTINEL]);
      expect(k.HeapLock(heap)).toBe(true);
      // The locking thread keeps using the heap (HEAP_NO_SERIALIZE calls never wait either).
      const block = k.HeapAlloc(heap, HEAP_NO_SERIALIZE, 10);
      expect(k.HeapFree(heap, 0, block)).toBe(true);
      expect(attempt(k, () => k.HeapUnlock(heap))).toEqual([true, SENTINEL]);
      expect(k.HeapUnlock(heap)).toBe(true);
      expect(attempt(k, () => k.HeapUnlock(heap))).toEqual([false, ERROR_NOT_LOCKED]);
    }
  });

  it('a walk of an LFH heap shows its user blocks as busy entries', () => {
    const k = heapKernel(geometry);
    const heap = k.HeapCreate(0, 0, 0);
    const blocks: number[] = [];
    for (let index = 0; index < 0x40; index++) blocks.push(k.HeapAlloc(heap, 0, 48));
    expect(compatibility(k, heap)).toBe(2);
    const busy = walkAll(k, heap).filter((entry) => entry.wFlags & PROCESS_HEAP_ENTRY_BUSY);
    for (const block of blocks) expect(busy.some((entry) => entry.lpData === block && entry.cbData === 48)).toBe(true);
  });
});

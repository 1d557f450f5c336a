// Conformance of GlobalAlloc and friends on valid handles: spec win32-facts §15 (GL-*), checked the way
// Wine's kernel32/tests/heap.c test_GlobalAlloc checks real Windows, on 32- and 64-bit processes.
import {
  ERROR_DISCARDED,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOT_ENOUGH_MEMORY,
  ERROR_NO_MORE_ITEMS,
  ERROR_NOT_LOCKED,
  ERROR_SUCCESS,
  MEM_COMMIT,
  MEM_PRIVATE,
  PAGE_READWRITE,
} from '@mem/pages';
import { PROCESS_HEAP_ENTRY_BUSY, PROCESS_HEAP_ENTRY_DDESHARE, PROCESS_HEAP_ENTRY_MOVEABLE } from '@mem/heap';
import { GetProcessHeap, HeapWalk, type PROCESS_HEAP_ENTRY } from '@mem/heap/win32';
import { describe, expect, it } from 'vitest';
import {
  GHND,
  GMEM_DDESHARE,
  GMEM_DISCARDABLE,
  GMEM_DISCARDED,
  GMEM_FIXED,
  GMEM_LOWER,
  GMEM_MODIFY,
  GMEM_MOVEABLE,
  GMEM_NOCOMPACT,
  GMEM_NODISCARD,
  GMEM_NOT_BANKED,
  GMEM_NOTIFY,
  GMEM_ZEROINIT,
  GPTR,
} from '../src/constants';
import { TABLE_TAG } from '../src/process-movable';
import { activateLfh, call, GEOMETRIES, isMemEntry, newKernel, SENTINEL, slotOf } from './support';

describe.each(GEOMETRIES)('Global* on %s', (geometry) => {
  it('GL-001: GlobalFree(NULL) succeeds, GlobalReAlloc(NULL) fails', () => {
    const k = newKernel(geometry);
    expect(call(k, () => k.GlobalFree(0))).toEqual([0, SENTINEL]);
    expect(k.GlobalReAlloc(0, 10, GMEM_MOVEABLE)).toBe(0);
  });

  it('GL-002: 65,536 moveable handles at most, shared by Global and Local; fixed blocks still work', () => {
    const k = newKernel(geometry);
    const handles: number[] = [];
    for (let i = 0; i < 0x10000; i++) {
      const handle = k.GlobalAlloc(GMEM_MOVEABLE | GMEM_DISCARDABLE, 0);
      if (handle === 0) throw new Error(`allocation ${i} failed with ${k.GetLastError()}`);
      handles.push(handle);
    }
    expect(new Set(handles).size).toBe(0x10000);
    expect(call(k, () => k.GlobalAlloc(GMEM_MOVEABLE | GMEM_DISCARDABLE, 0))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    expect(call(k, () => k.LocalAlloc(GMEM_MOVEABLE | 0x0f00, 0))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    expect(call(k, () => k.GlobalAlloc(GMEM_MOVEABLE, 16))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    const fixed = k.GlobalAlloc(GMEM_DISCARDABLE, 0);
    expect(fixed).not.toBe(0);
    expect(k.GlobalFree(fixed)).toBe(0);
    for (const handle of handles) expect(k.GlobalFree(handle)).toBe(0);
    // Every slot is free again: a new handle reuses one.
    const again = k.GlobalAlloc(GMEM_MOVEABLE, 8);
    expect(handles).toContain(again);
    expect(k.GlobalFree(again)).toBe(0);
  });

  it('a moveable block of 0 bytes is born discarded: slot flags 0xb / 0xf, no data, not a heap block', () => {
    const k = newKernel(geometry);
    const discardable = k.GlobalAlloc(GMEM_MOVEABLE | GMEM_DISCARDABLE, 0);
    expect(k.GlobalSize(discardable)).toBe(0);
    expect(k.heapValidate(discardable - k.pointerSize)).toBe(false);
    expect(slotOf(k, discardable)).toEqual({ flags: 0xf, ptr: 0 });
    expect(k.GlobalFlags(discardable)).toBe(GMEM_DISCARDED | GMEM_DISCARDABLE);
    expect(k.GlobalFree(discardable)).toBe(0);

    const plain = k.GlobalAlloc(GMEM_MOVEABLE, 0);
    expect(k.GlobalSize(plain)).toBe(0);
    expect(slotOf(k, plain)).toEqual({ flags: 0xb, ptr: 0 });
    expect(k.GlobalFlags(plain)).toBe(GMEM_DISCARDED);
    expect(k.GlobalFree(plain)).toBe(0);
  });

  for (const size of [1, 0x20, 0x400, 0x8000, 0x100000, 0x2000000]) {
    it(`GL-003/GL-005 and the slot layout, ${size} bytes`, () => {
      const k = newKernel(geometry);
      const align = 2 * k.pointerSize;

      const fixed = k.GlobalAlloc(GMEM_FIXED, size);
      expect(fixed).not.toBe(0);
      expect(fixed % align).toBe(0);
      expect(k.heapValidate(fixed)).toBe(true);
      expect(k.GlobalLock(fixed)).toBe(fixed);
      expect(k.GlobalHandle(fixed)).toBe(fixed);
      expect(k.GlobalFree(fixed)).toBe(0);

      const handle = k.GlobalAlloc(GMEM_MOVEABLE, size);
      expect(isMemEntry(k, handle)).toBe(true);
      const entry = slotOf(k, handle);
      expect(k.heapValidate(handle - k.pointerSize)).toBe(false); // H-025: the slot is no heap block
      expect(k.heapValidate(entry.ptr)).toBe(true);
      expect(k.heapSize(entry.ptr)).toBe(size);
      expect(k.GlobalHandle(entry.ptr)).toBe(handle);

      let pointer = k.GlobalLock(handle);
      expect(pointer).not.toBe(handle);
      expect(pointer).toBe(entry.ptr);
      expect(pointer % align).toBe(0);
      for (let i = 1; i < 0xff; i++) {
        expect(slotOf(k, handle).flags).toBe(i * 0x10000 + 3);
        pointer = k.GlobalLock(handle);
        expect(pointer).toBe(entry.ptr);
      }
      // The 256th lock saturates at 255.
      expect(k.GlobalLock(handle)).toBe(entry.ptr);
      expect(slotOf(k, handle).flags).toBe(0xff0003);
      expect(k.GlobalFlags(handle)).toBe(0xff);
      for (let i = 1; i < 0xff; i++) expect(k.GlobalUnlock(handle)).toBe(true);
      expect(call(k, () => k.GlobalUnlock(handle))).toEqual([false, ERROR_SUCCESS]);
      expect(slotOf(k, handle).flags).toBe(3);

      expect(k.GlobalFree(handle)).toBe(0);
      const freed = slotOf(k, handle);
      expect(freed.flags).not.toBe(0); // links to the next free slot
      expect(freed.flags % align).toBe(0);
      expect(freed.ptr).toBe(0);

      const discardable = k.GlobalAlloc(GMEM_MOVEABLE | GMEM_DISCARDABLE, 1);
      expect(slotOf(k, discardable).flags).toBe(0x7);
      expect(slotOf(k, discardable).ptr).not.toBe(0);
      expect(k.GlobalFlags(discardable)).toBe(GMEM_DISCARDABLE);
      expect(k.GlobalFree(discardable)).toBe(0);

      const shared = k.GlobalAlloc(GMEM_MOVEABLE | GMEM_DISCARDABLE | GMEM_DDESHARE, 1);
      expect(slotOf(k, shared).flags).toBe(0x8007);
      expect(k.GlobalFlags(shared)).toBe(GMEM_DISCARDABLE | GMEM_DDESHARE);
      expect(k.GlobalFree(shared)).toBe(0);
    });
  }

  it('the handle table is a committed, read/write private reservation of the process, tagged as such', () => {
    const k = newKernel(geometry);
    const handle = k.GlobalAlloc(GMEM_MOVEABLE, 8);
    const region = k.process.addressSpace.query(handle);
    expect(region.state).toBe(MEM_COMMIT);
    expect(region.protect).toBe(PAGE_READWRITE);
    expect(region.type).toBe(MEM_PRIVATE);
    expect(region.allocationBase % 0x10000).toBe(0);
    expect(k.process.addressSpace.allocationAt(handle)?.tag).toBe(TABLE_TAG);
    // Not the heap's: the heap's blocks live elsewhere.
    expect(k.process.addressSpace.allocationAt(k.GlobalLock(handle))?.tag).not.toBe(TABLE_TAG);
  });

  it('GL-006: lock counting — flags 1, 2, 1, 0; the last unlock FALSE with NO_ERROR, one more ERROR_NOT_LOCKED', () => {
    const k = newKernel(geometry);
    const handle = k.GlobalAlloc(GMEM_MOVEABLE, 256);
    const pointer = k.GlobalLock(handle);
    expect(pointer).not.toBe(0);
    expect(pointer).not.toBe(handle);
    expect(k.GlobalHandle(pointer)).toBe(handle);
    expect(k.GlobalFlags(handle)).toBe(1);
    expect(k.GlobalLock(handle)).toBe(pointer);
    expect(k.GlobalFlags(handle)).toBe(2);
    expect(k.GlobalUnlock(handle)).toBe(true);
    expect(k.GlobalFlags(handle)).toBe(1);
    expect(call(k, () => k.GlobalUnlock(handle))).toEqual([false, ERROR_SUCCESS]);
    expect(k.GlobalFlags(handle)).toBe(0);
    expect(call(k, () => k.GlobalUnlock(handle))).toEqual([false, ERROR_NOT_LOCKED]);
    expect(k.GlobalFree(handle)).toBe(0);
  });

  it('GL-023: a discarded handle grows back; GlobalSize of a freed handle is 0', () => {
    const k = newKernel(geometry);
    activateLfh(k);
    let handle = k.GlobalAlloc(GMEM_MOVEABLE, 0);
    handle = k.GlobalReAlloc(handle, 10, GMEM_MOVEABLE);
    expect(handle).not.toBe(0);
    expect(k.GlobalSize(handle)).toBeGreaterThanOrEqual(10);
    expect(k.GlobalSize(handle)).toBeLessThanOrEqual(16);
    handle = k.GlobalReAlloc(handle, 0, GMEM_MOVEABLE);
    expect(handle).not.toBe(0);
    expect(k.GlobalSize(handle)).toBe(0);
    expect(k.GlobalFlags(handle)).toBe(GMEM_DISCARDED);
    handle = k.GlobalReAlloc(handle, 10, GMEM_MOVEABLE);
    expect(k.GlobalSize(handle)).toBe(10);
    expect(k.GlobalFlags(handle)).toBe(0);
    expect(k.GlobalFree(handle)).toBe(0);
    expect(call(k, () => k.GlobalSize(handle))).toEqual([0, ERROR_INVALID_HANDLE]);
  });

  it('GL-014/GL-015/GL-016: a fixed block ignores the size with GMEM_MODIFY, cannot move with flags 0, moves with GMEM_MOVEABLE', () => {
    const k = newKernel(geometry);
    activateLfh(k);
    const fixed = k.GlobalAlloc(GMEM_FIXED, 12);
    expect(k.GlobalReAlloc(fixed, 11, GMEM_MODIFY)).toBe(fixed);
    expect(k.GlobalSize(fixed)).toBe(12);
    expect(call(k, () => k.GlobalReAlloc(fixed, 12, 0))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    expect(k.GlobalReAlloc(fixed, 1024 * 1024, GMEM_MODIFY)).toBe(fixed);
    expect(k.GlobalSize(fixed)).toBe(12);
    expect(k.GlobalFree(fixed)).toBe(0);

    const other = k.GlobalAlloc(GMEM_FIXED, 12);
    k.process.mem.write(other, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    const moved = k.GlobalReAlloc(other, 13, GMEM_MOVEABLE);
    expect(moved).not.toBe(0);
    expect(moved).not.toBe(other);
    expect(isMemEntry(k, moved)).toBe(false);
    expect(k.GlobalLock(moved)).toBe(moved);
    expect([...k.process.mem.read(moved, 12)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(k.GlobalFree(moved)).toBe(0);
  });

  it('fixed blocks: GlobalUnlock is TRUE, GlobalHandle is the pointer, a 0-byte block is 1 byte', () => {
    const k = newKernel(geometry);
    const shared = k.GlobalAlloc(GMEM_DDESHARE, 100);
    expect(k.GlobalUnlock(shared)).toBe(true);
    expect(k.GlobalUnlock(shared)).toBe(true);
    expect(k.GlobalFree(shared)).toBe(0);

    const fixed = k.GlobalAlloc(GMEM_FIXED, 100);
    expect(call(k, () => k.GlobalUnlock(fixed))).toEqual([true, SENTINEL]);
    expect(k.GlobalHandle(fixed)).toBe(fixed);
    expect(k.GlobalFlags(fixed)).toBe(0);
    expect(k.GlobalFree(fixed)).toBe(0);

    const empty = k.GlobalAlloc(GMEM_FIXED, 0);
    expect(empty).not.toBe(0);
    expect(k.GlobalSize(empty)).toBe(1);
    expect(k.GlobalFree(empty)).toBe(0);
  });

  it('LG-009 for Global: locking an empty moveable block fails with ERROR_DISCARDED', () => {
    const k = newKernel(geometry);
    const handle = k.GlobalAlloc(GMEM_MOVEABLE | GMEM_ZEROINIT, 0);
    expect(handle).not.toBe(0);
    expect(call(k, () => k.GlobalLock(handle))).toEqual([0, ERROR_DISCARDED]);
    expect(k.GlobalFlags(handle)).toBe(GMEM_DISCARDED); // the failed lock counted nothing
    expect(k.GlobalFree(handle)).toBe(0);
  });

  it('GL-027, GMEM_MODIFY | GMEM_MOVEABLE converts a fixed block, GL-024 and GL-025', () => {
    const k = newKernel(geometry);
    const bufferSize = 100000;
    const plain = k.GlobalAlloc(0, bufferSize);
    expect(k.GlobalSize(plain)).toBeGreaterThanOrEqual(bufferSize);
    expect(k.GlobalFree(plain)).toBe(0);

    const fixed = k.GlobalAlloc(GMEM_ZEROINIT, bufferSize);
    expect(k.GlobalSize(fixed)).toBeGreaterThanOrEqual(bufferSize);
    expect(k.GlobalLock(fixed)).toBe(fixed);
    expect(k.process.mem.read(fixed, bufferSize).every((byte) => byte === 0)).toBe(true);

    // GMEM_MODIFY | GMEM_MOVEABLE turns the fixed block into a moveable one (a new handle).
    const handle = k.GlobalReAlloc(fixed, 0, GMEM_MODIFY | GMEM_MOVEABLE);
    expect(handle).not.toBe(0);
    expect(handle).not.toBe(fixed);
    expect(isMemEntry(k, handle)).toBe(true);
    expect(k.GlobalSize(handle)).toBe(bufferSize);
    let pointer = k.GlobalLock(handle);
    expect(pointer).not.toBe(0);
    expect(pointer).not.toBe(handle);
    expect(call(k, () => k.GlobalUnlock(handle))).toEqual([false, ERROR_SUCCESS]);

    const grown = k.GlobalReAlloc(handle, 2 * bufferSize, GMEM_MOVEABLE | GMEM_ZEROINIT);
    expect(grown).toBe(handle);
    expect(k.GlobalSize(handle)).toBeGreaterThanOrEqual(2 * bufferSize);
    pointer = k.GlobalLock(handle);
    expect(pointer).not.toBe(handle);
    expect(k.process.mem.read(pointer, 2 * bufferSize).every((byte) => byte === 0)).toBe(true);
    expect(k.GlobalHandle(pointer)).toBe(handle);

    // A locked block cannot be discarded.
    expect(k.GlobalDiscard(handle)).toBe(0);
    expect(call(k, () => k.GlobalUnlock(handle))).toEqual([false, ERROR_SUCCESS]);
    expect(k.GlobalDiscard(handle)).toBe(handle);
    expect(k.GlobalSize(handle)).toBe(0);
    expect(k.GlobalFlags(handle)).toBe(GMEM_DISCARDED);
    expect(k.GlobalFree(handle)).toBe(0);
  });

  it('GlobalFlags never reports bits beyond GMEM_DDESHARE | GMEM_DISCARDABLE for unlocked blocks', () => {
    const k = newKernel(geometry);
    const all = GMEM_DDESHARE | GMEM_DISCARDABLE | GMEM_LOWER | GMEM_NOCOMPACT | GMEM_NODISCARD | GMEM_NOT_BANKED | GMEM_NOTIFY;
    const cases = [
      GMEM_FIXED | GMEM_NOTIFY,
      GMEM_FIXED | GMEM_DISCARDABLE,
      GMEM_MOVEABLE | GMEM_NOTIFY,
      GMEM_MOVEABLE | GMEM_DDESHARE,
      GMEM_MOVEABLE | GMEM_NOT_BANKED,
      GMEM_MOVEABLE | GMEM_NODISCARD,
      GMEM_MOVEABLE | GMEM_DISCARDABLE,
      GMEM_MOVEABLE | all,
    ];
    for (const flags of cases) {
      const handle = k.GlobalAlloc(flags, 4);
      expect(handle, `flags 0x${flags.toString(16)}`).not.toBe(0);
      expect(k.GlobalFlags(handle) & ~(GMEM_DDESHARE | GMEM_DISCARDABLE)).toBe(0);
      expect(k.GlobalFree(handle)).toBe(0);
    }
  });

  it('H-032: a HeapWalk of the process heap never shows PROCESS_HEAP_ENTRY_MOVEABLE or _DDESHARE', () => {
    const k = newKernel(geometry);
    const handles = [k.GlobalAlloc(GMEM_MOVEABLE | GMEM_DDESHARE, 100), k.GlobalAlloc(GMEM_DDESHARE, 100)];
    for (let i = 0; i < 200; i++) handles.push(k.LocalAlloc(GMEM_MOVEABLE, 16 + i));
    const heap = GetProcessHeap(k.process);
    const entry: PROCESS_HEAP_ENTRY = { lpData: 0 };
    let busy = 0;
    k.SetLastError(SENTINEL);
    while (HeapWalk(k.process, heap, entry)) {
      expect((entry.wFlags ?? 0) & (PROCESS_HEAP_ENTRY_MOVEABLE | PROCESS_HEAP_ENTRY_DDESHARE)).toBe(0);
      if ((entry.wFlags ?? 0) & PROCESS_HEAP_ENTRY_BUSY) busy++;
    }
    expect(k.GetLastError()).toBe(ERROR_NO_MORE_ITEMS);
    expect(busy).toBeGreaterThanOrEqual(handles.length);
  });

  it("a moveable block's data pointer stands for its handle in GlobalSize, GlobalFlags, GlobalReAlloc and GlobalFree", () => {
    const k = newKernel(geometry);
    const handle = k.GlobalAlloc(GMEM_MOVEABLE | GMEM_DISCARDABLE, 40);
    const pointer = k.GlobalLock(handle);
    expect(k.GlobalSize(pointer)).toBe(40);
    expect(k.GlobalFlags(pointer)).toBe(GMEM_DISCARDABLE | 1);
    expect(k.LocalFlags(pointer)).toBe(0x0f00 | 1);
    expect(k.GlobalLock(pointer)).toBe(pointer); // a pointer locks to itself, no count
    expect(k.GlobalFlags(handle)).toBe(GMEM_DISCARDABLE | 1);
    expect(k.GlobalReAlloc(pointer, 20, 0)).toBe(handle);
    expect(k.GlobalSize(handle)).toBe(20);
    expect(call(k, () => k.GlobalFree(pointer))).toEqual([0, SENTINEL]);
    expect(call(k, () => k.GlobalSize(handle))).toEqual([0, ERROR_INVALID_HANDLE]);
    expect(k.heapValidate(pointer)).toBe(false);
  });

  it('GL-026: GlobalHandle of a HeapAlloc block is the block itself', () => {
    const k = newKernel(geometry);
    const pointer = k.heapAlloc(16);
    expect(call(k, () => k.GlobalHandle(pointer))).toEqual([pointer, SENTINEL]);
    k.heapFree(pointer);
  });

  it('GHND and GPTR zero the block; GlobalFree frees a locked block', () => {
    const k = newKernel(geometry);
    const fixed = k.GlobalAlloc(GPTR, 64);
    expect(k.process.mem.read(fixed, 64).every((byte) => byte === 0)).toBe(true);
    expect(k.GlobalFree(fixed)).toBe(0);
    const handle = k.GlobalAlloc(GHND, 64);
    const pointer = k.GlobalLock(handle);
    expect(k.process.mem.read(pointer, 64).every((byte) => byte === 0)).toBe(true);
    expect(k.GlobalFree(handle)).toBe(0);
    expect(k.heapValidate(pointer)).toBe(false);
  });

  it('flags outside GMEM_VALID_FLAGS are refused with ERROR_INVALID_PARAMETER', () => {
    const k = newKernel(geometry);
    expect(call(k, () => k.GlobalAlloc(0x8000, 16))).toEqual([0, ERROR_INVALID_PARAMETER]);
    expect(call(k, () => k.GlobalAlloc(GMEM_MODIFY, 16))).toEqual([0, ERROR_INVALID_PARAMETER]);
    const handle = k.GlobalAlloc(GMEM_MOVEABLE, 16);
    expect(call(k, () => k.GlobalReAlloc(handle, 32, 0x8000))).toEqual([0, ERROR_INVALID_PARAMETER]);
    expect(k.GlobalSize(handle)).toBe(16);
    expect(k.GlobalFree(handle)).toBe(0);
  });

  it('an allocation larger than the address space fails with ERROR_NOT_ENOUGH_MEMORY', () => {
    const k = newKernel(geometry);
    expect(call(k, () => k.GlobalAlloc(GMEM_FIXED, 2 ** 52))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    expect(call(k, () => k.GlobalAlloc(GMEM_MOVEABLE, 2 ** 52))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    expect(call(k, () => k.GlobalAlloc(GMEM_MOVEABLE, -1))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    // The failed moveable allocation gave its handle back.
    expect(k.GlobalAlloc(GMEM_MOVEABLE, 0)).not.toBe(0);
  });

  it('GL-028: a failed GlobalReAlloc leaves handle, block and contents as they were', () => {
    const k = newKernel(geometry);
    const handle = k.GlobalAlloc(GMEM_MOVEABLE, 32);
    const pointer = k.GlobalLock(handle);
    k.process.mem.fill(pointer, 32, 0x5a);
    expect(call(k, () => k.GlobalReAlloc(handle, 2 ** 52, GMEM_MOVEABLE))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    expect(k.GlobalLock(handle)).toBe(pointer);
    expect(k.GlobalFlags(handle)).toBe(2);
    expect(k.GlobalSize(handle)).toBe(32);
    expect(k.process.mem.read(pointer, 32).every((byte) => byte === 0x5a)).toBe(true);
  });
});

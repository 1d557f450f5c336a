// Conformance of LocalAlloc and friends: spec win32-facts §16 (LG-*), the differences from Global*,
// checked as Wine's kernel32/tests/heap.c test_LocalAlloc checks real Windows.
import {
  ERROR_DISCARDED,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOT_ENOUGH_MEMORY,
  ERROR_NOT_LOCKED,
  ERROR_SUCCESS,
} from '@mem/pages';
import { describe, expect, it } from 'vitest';
import {
  GMEM_MOVEABLE,
  LHND,
  LMEM_DISCARDABLE,
  LMEM_DISCARDED,
  LMEM_FIXED,
  LMEM_MODIFY,
  LMEM_MOVEABLE,
  LMEM_NOCOMPACT,
  LMEM_NODISCARD,
  LMEM_ZEROINIT,
  LPTR,
} from '../src/constants';
import { activateLfh, call, GEOMETRIES, isMemEntry, newKernel, SENTINEL } from './support';

describe.each(GEOMETRIES)('Local* on %s', (geometry) => {
  it('LG-001: LocalFree(NULL) succeeds, LocalReAlloc(NULL) fails, the 65,536-handle limit is shared', () => {
    const k = newKernel(geometry);
    expect(call(k, () => k.LocalFree(0))).toEqual([0, SENTINEL]);
    expect(k.LocalReAlloc(0, 10, LMEM_MOVEABLE)).toBe(0);
    const handles: number[] = [];
    for (let i = 0; i < 0x8000; i++) handles.push(k.LocalAlloc(LMEM_MOVEABLE | LMEM_DISCARDABLE, 0));
    for (let i = 0; i < 0x8000; i++) handles.push(k.GlobalAlloc(GMEM_MOVEABLE, 0));
    expect(handles.every((handle) => handle !== 0)).toBe(true);
    expect(call(k, () => k.LocalAlloc(LMEM_MOVEABLE | LMEM_DISCARDABLE, 0))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    expect(call(k, () => k.GlobalAlloc(GMEM_MOVEABLE, 0))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    const fixed = k.LocalAlloc(LMEM_DISCARDABLE, 0);
    expect(fixed).not.toBe(0);
    expect(k.LocalFree(fixed)).toBe(0);
    // A Global handle is freed by LocalFree and the other way round: one table.
    for (const handle of handles) expect(k.LocalFree(handle)).toBe(0);
    expect(k.LocalAlloc(LMEM_MOVEABLE, 0)).not.toBe(0);
  });

  it('a discarded handle grows back; LocalSize of a freed handle is 0', () => {
    const k = newKernel(geometry);
    activateLfh(k);
    let handle = k.LocalAlloc(LMEM_MOVEABLE, 0);
    handle = k.LocalReAlloc(handle, 10, LMEM_MOVEABLE);
    expect(k.LocalSize(handle)).toBeGreaterThanOrEqual(10);
    expect(k.LocalSize(handle)).toBeLessThanOrEqual(16);
    handle = k.LocalReAlloc(handle, 0, LMEM_MOVEABLE);
    expect(handle).not.toBe(0);
    expect(k.LocalSize(handle)).toBe(0);
    expect(k.LocalFlags(handle)).toBe(LMEM_DISCARDED);
    handle = k.LocalReAlloc(handle, 10, LMEM_MOVEABLE);
    expect(k.LocalSize(handle)).toBe(10);
    expect(k.LocalFree(handle)).toBe(0);
    expect(call(k, () => k.LocalSize(handle))).toEqual([0, ERROR_INVALID_HANDLE]);
  });

  it('LG-002: lock counting as Global; LocalHandle of the data pointer is the handle', () => {
    const k = newKernel(geometry);
    const handle = k.LocalAlloc(LMEM_MOVEABLE, 256);
    const pointer = k.LocalLock(handle);
    expect(pointer).not.toBe(0);
    expect(pointer).not.toBe(handle);
    expect(k.LocalHandle(pointer)).toBe(handle);
    expect(k.LocalFlags(handle)).toBe(1);
    expect(k.LocalLock(handle)).toBe(pointer);
    expect(k.LocalFlags(handle)).toBe(2);
    expect(k.LocalUnlock(handle)).toBe(true);
    expect(k.LocalFlags(handle)).toBe(1);
    expect(call(k, () => k.LocalUnlock(handle))).toEqual([false, ERROR_SUCCESS]);
    expect(k.LocalFlags(handle)).toBe(0);
    expect(call(k, () => k.LocalUnlock(handle))).toEqual([false, ERROR_NOT_LOCKED]);
    expect(k.LocalFree(handle)).toBe(0);
  });

  it('fixed blocks: LocalUnlock is FALSE with ERROR_NOT_LOCKED (GlobalUnlock says TRUE); a 0-byte block is 0 bytes', () => {
    const k = newKernel(geometry);
    const fixed = k.LocalAlloc(LMEM_FIXED, 100);
    expect(call(k, () => k.LocalUnlock(fixed))).toEqual([false, ERROR_NOT_LOCKED]);
    expect(call(k, () => k.GlobalUnlock(fixed))).toEqual([true, SENTINEL]);
    expect(k.LocalLock(fixed)).toBe(fixed);
    expect(k.LocalHandle(fixed)).toBe(fixed);
    expect(k.LocalFlags(fixed)).toBe(0);
    expect(k.LocalFree(fixed)).toBe(0);

    const empty = k.LocalAlloc(LMEM_FIXED, 0);
    expect(empty).not.toBe(0);
    expect(call(k, () => k.LocalSize(empty))).toEqual([0, SENTINEL]);
    expect(k.LocalFree(empty)).toBe(0);
  });

  it('LG-009: LocalLock of LocalAlloc(LMEM_MOVEABLE | LMEM_ZEROINIT, 0) fails with ERROR_DISCARDED', () => {
    const k = newKernel(geometry);
    const handle = k.LocalAlloc(LMEM_MOVEABLE | LMEM_ZEROINIT, 0);
    expect(handle).not.toBe(0);
    expect(call(k, () => k.LocalLock(handle))).toEqual([0, ERROR_DISCARDED]);
    expect(k.LocalFree(handle)).toBe(0);
  });

  it('LMEM_MODIFY never converts a fixed block; LG-010 LocalDiscard of a fixed block keeps it', () => {
    const k = newKernel(geometry);
    const bufferSize = 100000;
    const plain = k.LocalAlloc(0, bufferSize);
    expect(k.LocalSize(plain)).toBeGreaterThanOrEqual(bufferSize);
    expect(k.LocalFree(plain)).toBe(0);

    const fixed = k.LocalAlloc(LMEM_ZEROINIT, bufferSize);
    expect(k.LocalSize(fixed)).toBeGreaterThanOrEqual(bufferSize);
    expect(k.LocalLock(fixed)).toBe(fixed);
    expect(k.process.mem.read(fixed, bufferSize).every((byte) => byte === 0)).toBe(true);

    expect(k.LocalReAlloc(fixed, 0, LMEM_MODIFY | LMEM_MOVEABLE)).toBe(fixed);
    expect(k.LocalSize(fixed)).toBe(bufferSize);
    expect(k.LocalLock(fixed)).toBe(fixed);
    expect(call(k, () => k.LocalUnlock(fixed))).toEqual([false, ERROR_NOT_LOCKED]);

    const grown = k.LocalReAlloc(fixed, 2 * bufferSize, LMEM_MOVEABLE | LMEM_ZEROINIT);
    expect(grown).not.toBe(0);
    expect(isMemEntry(k, grown)).toBe(false);
    expect(k.LocalSize(grown)).toBeGreaterThanOrEqual(2 * bufferSize);
    expect(k.LocalLock(grown)).toBe(grown);
    expect(k.process.mem.read(grown, 2 * bufferSize).every((byte) => byte === 0)).toBe(true);
    expect(k.LocalHandle(grown)).toBe(grown);

    // A large fixed block shrinks to 0 in place: LocalDiscard hands the same pointer back.
    expect(k.LocalDiscard(grown)).toBe(grown);
    expect(call(k, () => k.LocalUnlock(grown))).toEqual([false, ERROR_NOT_LOCKED]);
    expect(k.LocalDiscard(grown)).toBe(grown);
    expect(k.LocalFree(grown)).toBe(0);
  });

  it('LG-010: LocalDiscard of a locked moveable block fails; LocalUnlock then gives FALSE with NO_ERROR', () => {
    const k = newKernel(geometry);
    const handle = k.LocalAlloc(LHND, 64);
    const pointer = k.LocalLock(handle);
    expect(k.process.mem.read(pointer, 64).every((byte) => byte === 0)).toBe(true);
    expect(k.LocalDiscard(handle)).toBe(0);
    expect(k.LocalSize(handle)).toBe(64);
    expect(call(k, () => k.LocalUnlock(handle))).toEqual([false, ERROR_SUCCESS]);
    expect(k.LocalDiscard(handle)).toBe(handle);
    expect(k.LocalFlags(handle)).toBe(LMEM_DISCARDED);
    expect(k.LocalFree(handle)).toBe(0);
  });

  it('LG-011: LocalFlags shows discardable as the LMEM_DISCARDABLE mask and nothing else for unlocked blocks', () => {
    const k = newKernel(geometry);
    const cases = [
      LMEM_FIXED,
      LMEM_FIXED | LMEM_DISCARDABLE,
      LMEM_MOVEABLE,
      LMEM_MOVEABLE | LMEM_NODISCARD,
      LMEM_MOVEABLE | LMEM_DISCARDABLE,
      LMEM_MOVEABLE | LMEM_DISCARDABLE | LMEM_NOCOMPACT | LMEM_NODISCARD,
    ];
    for (const flags of cases) {
      const handle = k.LocalAlloc(flags, 4);
      expect(handle).not.toBe(0);
      expect(k.LocalFlags(handle) & ~LMEM_DISCARDABLE).toBe(0);
      expect(k.LocalFree(handle)).toBe(0);
    }
    const discardable = k.LocalAlloc(LMEM_MOVEABLE | LMEM_DISCARDABLE, 4);
    expect(k.LocalFlags(discardable)).toBe(LMEM_DISCARDABLE);
    expect(k.GlobalFlags(discardable)).toBe(0x100);
  });

  it('LG-012: LocalHandle of a HeapAlloc block is the block itself', () => {
    const k = newKernel(geometry);
    const pointer = k.heapAlloc(16);
    expect(call(k, () => k.LocalHandle(pointer))).toEqual([pointer, SENTINEL]);
  });

  it('LPTR zeroes a fixed block; flags outside LMEM_VALID_FLAGS (GMEM_DDESHARE) are refused', () => {
    const k = newKernel(geometry);
    const fixed = k.LocalAlloc(LPTR, 48);
    expect(k.process.mem.read(fixed, 48).every((byte) => byte === 0)).toBe(true);
    expect(call(k, () => k.LocalAlloc(0x2000, 16))).toEqual([0, ERROR_INVALID_PARAMETER]);
    expect(call(k, () => k.LocalReAlloc(fixed, 16, 0x2000))).toEqual([0, ERROR_INVALID_PARAMETER]);
  });
});

// Every Global*/Local* function on NULL, freed handles, handle-shaped values that were never handles,
// unreadable pointers and freed fixed blocks: the return value and the last error of each (GL-011,
// GL-012, LG-004 and Wine's "freed handles are caught" / "invalid handles are caught" / "invalid
// pointers are caught" blocks), each call preceded by SetLastError(0xdeadbeef). Where Windows crashes
// (a double GlobalFree on 64-bit) we give the 32-bit answer; those cases are marked below.
import { ERROR_INVALID_HANDLE, ERROR_NOACCESS, ERROR_NOT_LOCKED } from '@mem/pages';
import { describe, expect, it } from 'vitest';
import { GMEM_DDESHARE, GMEM_INVALID_HANDLE, GMEM_MOVEABLE, LMEM_INVALID_HANDLE, LMEM_MOVEABLE } from '../src/constants';
import { call, GEOMETRIES, INVALID_POINTER, invalidHandle, newKernel, SENTINEL, type TestKernel } from './support';

/** Each dead handle is checked against an unrelated live block afterwards: nothing else changed. */
function witness(k: TestKernel): () => void {
  const handle = k.GlobalAlloc(GMEM_MOVEABLE, 24);
  const pointer = k.GlobalLock(handle);
  k.process.mem.fill(pointer, 24, 0x3c);
  return () => {
    expect(k.GlobalFlags(handle)).toBe(1);
    expect(k.GlobalSize(handle)).toBe(24);
    expect(k.GlobalLock(handle)).toBe(pointer);
    expect(k.GlobalUnlock(handle)).toBe(true);
    expect(k.process.mem.read(pointer, 24).every((byte) => byte === 0x3c)).toBe(true);
  };
}

describe.each(GEOMETRIES)('dead and bogus handles on %s', (geometry) => {
  for (const [name, make] of [
    ['a freed moveable handle', (k: TestKernel) => {
      const handle = k.GlobalAlloc(GMEM_MOVEABLE, 256);
      expect(k.GlobalFree(handle)).toBe(0);
      return handle;
    }],
    ['a handle-shaped value that never was one (0xdeadbee0 + ptr)', (k: TestKernel) => invalidHandle(k)],
  ] as const) {
    it(`Global* on ${name}: ERROR_INVALID_HANDLE everywhere, GlobalUnlock still TRUE`, () => {
      const k = newKernel(geometry);
      const check = witness(k);
      const handle = make(k);
      expect(call(k, () => k.GlobalFree(handle))).toEqual([handle, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.GlobalFlags(handle))).toEqual([GMEM_INVALID_HANDLE, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.GlobalSize(handle))).toEqual([0, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.GlobalLock(handle))).toEqual([0, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.GlobalUnlock(handle))).toEqual([true, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.GlobalReAlloc(handle, 0, GMEM_MOVEABLE))).toEqual([0, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.GlobalReAlloc(handle, 100, GMEM_MOVEABLE))).toEqual([0, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.GlobalDiscard(handle))).toEqual([0, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.GlobalHandle(handle))).toEqual([0, ERROR_INVALID_HANDLE]);
      check();
    });

    it(`Local* on ${name}: ERROR_INVALID_HANDLE everywhere, LocalUnlock FALSE`, () => {
      const k = newKernel(geometry);
      const check = witness(k);
      const handle = make(k);
      expect(call(k, () => k.LocalFree(handle))).toEqual([handle, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.LocalFlags(handle))).toEqual([LMEM_INVALID_HANDLE, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.LocalSize(handle))).toEqual([0, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.LocalLock(handle))).toEqual([0, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.LocalUnlock(handle))).toEqual([false, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.LocalReAlloc(handle, 0, LMEM_MOVEABLE))).toEqual([0, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.LocalDiscard(handle))).toEqual([0, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.LocalHandle(handle))).toEqual([0, ERROR_INVALID_HANDLE]);
      check();
    });
  }

  it('GL-012: Global* on an unreadable pointer (0xdeadbee0)', () => {
    const k = newKernel(geometry);
    const check = witness(k);
    const pointer = INVALID_POINTER;
    expect(call(k, () => k.GlobalFree(pointer))).toEqual([pointer, ERROR_NOACCESS]);
    expect(call(k, () => k.GlobalFlags(pointer))).toEqual([GMEM_INVALID_HANDLE, ERROR_INVALID_HANDLE]);
    expect(call(k, () => k.GlobalSize(pointer))).toEqual([0, ERROR_INVALID_HANDLE]);
    expect(call(k, () => k.GlobalLock(pointer))).toEqual([0, ERROR_INVALID_HANDLE]);
    expect(call(k, () => k.GlobalUnlock(pointer))).toEqual([true, SENTINEL]);
    expect(call(k, () => k.GlobalReAlloc(pointer, 0, GMEM_MOVEABLE))).toEqual([0, ERROR_NOACCESS]);
    expect(call(k, () => k.GlobalHandle(pointer))).toEqual([0, ERROR_INVALID_HANDLE]);
    check();
  });

  it('LG-004: Local* on an unreadable pointer (0xdeadbee0)', () => {
    const k = newKernel(geometry);
    const check = witness(k);
    const pointer = INVALID_POINTER;
    expect(call(k, () => k.LocalFree(pointer))).toEqual([pointer, ERROR_NOACCESS]);
    expect(call(k, () => k.LocalFlags(pointer))).toEqual([LMEM_INVALID_HANDLE, ERROR_NOACCESS]);
    expect(call(k, () => k.LocalSize(pointer))).toEqual([0, ERROR_INVALID_HANDLE]);
    expect(call(k, () => k.LocalLock(pointer))).toEqual([0, SENTINEL]);
    expect(call(k, () => k.LocalUnlock(pointer))).toEqual([false, ERROR_NOT_LOCKED]);
    expect(call(k, () => k.LocalReAlloc(pointer, 0, LMEM_MOVEABLE))).toEqual([0, ERROR_NOACCESS]);
    expect(call(k, () => k.LocalHandle(pointer))).toEqual([0, ERROR_NOACCESS]);
    check();
  });

  it('GL-011: a freed fixed block (32-bit Windows; 64-bit crashes, we answer the same)', () => {
    const k = newKernel(geometry);
    const check = witness(k);
    const fixed = k.GlobalAlloc(GMEM_DDESHARE, 100);
    expect(k.GlobalFree(fixed)).toBe(0);
    expect(call(k, () => k.GlobalFree(fixed))).toEqual([fixed, ERROR_INVALID_HANDLE]);
    expect(call(k, () => k.LocalFree(fixed))).toEqual([fixed, ERROR_INVALID_HANDLE]);
    expect(call(k, () => k.GlobalSize(fixed))).toEqual([0, ERROR_INVALID_HANDLE]);
    expect(call(k, () => k.GlobalFlags(fixed))).toEqual([GMEM_INVALID_HANDLE, ERROR_INVALID_HANDLE]);
    expect(call(k, () => k.GlobalReAlloc(fixed, 10, GMEM_MOVEABLE))).toEqual([0, ERROR_INVALID_HANDLE]);
    expect(call(k, () => k.GlobalHandle(fixed))).toEqual([0, ERROR_INVALID_HANDLE]);
    check();
  });

  it('GL-011: GlobalSize((HGLOBAL)0xc042) — neither pointer- nor handle-shaped — is ERROR_INVALID_HANDLE', () => {
    const k = newKernel(geometry);
    expect(call(k, () => k.GlobalSize(0xc042))).toEqual([0, ERROR_INVALID_HANDLE]);
    expect(call(k, () => k.GlobalFree(0xc042))).toEqual([0xc042, ERROR_INVALID_HANDLE]);
    expect(call(k, () => k.GlobalLock(0xc042))).toEqual([0, ERROR_INVALID_HANDLE]);
  });

  it('NULL: Free succeeds silently, the others fail', () => {
    const k = newKernel(geometry);
    expect(call(k, () => k.GlobalFree(0))).toEqual([0, SENTINEL]);
    expect(call(k, () => k.LocalFree(0))).toEqual([0, SENTINEL]);
    expect(call(k, () => k.GlobalSize(0))).toEqual([0, ERROR_INVALID_HANDLE]);
    expect(call(k, () => k.GlobalFlags(0))).toEqual([GMEM_INVALID_HANDLE, ERROR_INVALID_HANDLE]);
    expect(call(k, () => k.GlobalLock(0))).toEqual([0, ERROR_INVALID_HANDLE]);
    expect(call(k, () => k.LocalLock(0))).toEqual([0, SENTINEL]);
    expect(call(k, () => k.GlobalUnlock(0))).toEqual([true, SENTINEL]);
    expect(call(k, () => k.LocalUnlock(0))).toEqual([false, ERROR_NOT_LOCKED]);
    expect(k.GlobalReAlloc(0, 10, GMEM_MOVEABLE)).toBe(0);
    expect(k.LocalReAlloc(0, 10, LMEM_MOVEABLE)).toBe(0);
  });

  it('non-integer and negative handle values are refused, not thrown on', () => {
    const k = newKernel(geometry);
    for (const value of [-8, 1.5, Number.NaN, 2 ** 60]) {
      expect(call(k, () => k.GlobalFree(value))).toEqual([value, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.GlobalLock(value))).toEqual([0, ERROR_INVALID_HANDLE]);
      expect(call(k, () => k.GlobalSize(value))).toEqual([0, ERROR_INVALID_HANDLE]);
    }
  });
});

describe('a moveable block whose heap header the process overwrote (x86: no termination on corruption)', () => {
  it('Global* answer with failure values and never throw', () => {
    const k = newKernel('x86');
    const handle = k.GlobalAlloc(GMEM_MOVEABLE, 40);
    const pointer = k.GlobalLock(handle);
    k.GlobalUnlock(handle);
    k.process.mem.fill(pointer - 8, 8, 0xff);
    expect(call(k, () => k.GlobalSize(handle))).toEqual([0, ERROR_INVALID_HANDLE]);
    expect(k.GlobalReAlloc(handle, 4000, GMEM_MOVEABLE)).toBe(0);
    expect(k.GlobalFlags(handle)).toBe(0);
    expect(() => k.GlobalFree(handle)).not.toThrow();
  });
});

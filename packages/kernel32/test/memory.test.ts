// The simulated CPU (`k.mem`, CONTRACT "The simulated CPU") and the memory-block macros CopyMemory,
// MoveMemory, FillMemory, ZeroMemory, SecureZeroMemory, which fault like the process's own code.
import { describe, expect, it } from 'vitest';
import {
  FILE_MAP_ALL_ACCESS,
  FILE_MAP_COPY,
  FILE_MAP_WRITE,
  INVALID_HANDLE_VALUE,
  type Kernel32,
  MEM_COMMIT,
  MEM_RESERVE,
  PAGE_EXECUTE_READ,
  PAGE_GUARD,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOPY,
  createSystem,
  isWin32Exception,
} from '../src/index';
import { ALL_GEOMETRIES, SENTINEL, attempt, kernel, query } from './support';

interface Fault {
  code?: number;
  address?: number;
  operation?: string;
}

function fault(call: () => unknown): Fault | undefined {
  try {
    call();
  } catch (error) {
    expect(isWin32Exception(error)).toBe(true);
    return error as Fault;
  }
  return undefined;
}

/** A committed RW page followed by a page of `protect` (PAGE_NOACCESS by default). */
function twoPages(k: Kernel32, protect = PAGE_NOACCESS): { p: number; page: number } {
  const page = k.process.geometry.pageSize;
  const p = k.VirtualAlloc(0, 2 * page, MEM_COMMIT, PAGE_READWRITE);
  const old = { value: 0 };
  expect(k.VirtualProtect(p + page, page, protect, old)).toBe(true);
  return { p, page };
}

describe.each(ALL_GEOMETRIES)('k.mem on %s', (geometry) => {
  it('loads and stores with DataView names, little-endian', () => {
    const k = kernel(geometry);
    const p = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    k.mem.setUint32(p, 0x11223344);
    expect(k.mem.getUint8(p)).toBe(0x44);
    expect(k.mem.getUint16(p + 2)).toBe(0x1122);
    k.mem.setInt8(p + 8, -2);
    expect(k.mem.getUint8(p + 8)).toBe(0xfe);
    expect(k.mem.getInt8(p + 8)).toBe(-2);
    k.mem.setInt16(p + 10, -3);
    expect(k.mem.getInt16(p + 10)).toBe(-3);
    k.mem.setInt32(p + 12, -4);
    expect(k.mem.getUint32(p + 12)).toBe(0xfffffffc);
    k.mem.setFloat32(p + 16, 1.5);
    expect(k.mem.getFloat32(p + 16)).toBe(1.5);
    k.mem.setFloat64(p + 24, Math.PI);
    expect(k.mem.getFloat64(p + 24)).toBe(Math.PI);
    k.mem.setBigUint64(p + 32, 0xfedcba9876543210n);
    expect(k.mem.getBigUint64(p + 32)).toBe(0xfedcba9876543210n);
    expect(k.mem.getUint32(p + 32)).toBe(0x76543210);
    k.mem.setBigInt64(p + 40, -5n);
    expect(k.mem.getBigInt64(p + 40)).toBe(-5n);
  });

  it('read returns a copy; write and fill store bytes; values cross page boundaries', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 2 * page, MEM_COMMIT, PAGE_READWRITE);
    k.mem.write(p + page - 2, new Uint8Array([1, 2, 3, 4]));
    const copy = k.mem.read(p + page - 2, 4);
    expect([...copy]).toEqual([1, 2, 3, 4]);
    copy[0] = 99;
    expect(k.mem.getUint8(p + page - 2)).toBe(1);
    expect(k.mem.getUint32(p + page - 2)).toBe(0x04030201);
    k.mem.setFloat64(p + page - 4, -0.25);
    expect(k.mem.getFloat64(p + page - 4)).toBe(-0.25);
    k.mem.fill(p + 10, 5, 0xab);
    expect([...k.mem.read(p + 9, 7)]).toEqual([0, 0xab, 0xab, 0xab, 0xab, 0xab, 0]);
  });

  it('loads from free, reserved and NOACCESS pages raise AccessViolation with address and operation', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const reserved = k.VirtualAlloc(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    expect(fault(() => k.mem.getUint8(reserved + 5))).toMatchObject({ code: 0xc0000005, address: reserved + 5, operation: 'read' });
    const noAccess = k.VirtualAlloc(0, page, MEM_COMMIT, PAGE_NOACCESS);
    expect(fault(() => k.mem.getUint32(noAccess))).toMatchObject({ code: 0xc0000005, address: noAccess, operation: 'read' });
    expect(fault(() => k.mem.setUint32(noAccess, 1))).toMatchObject({ code: 0xc0000005, operation: 'write' });
    expect(fault(() => k.mem.getUint8(0))).toMatchObject({ code: 0xc0000005, address: 0, operation: 'read' });
  });

  it('a store to a read-only page raises a write fault and stores nothing', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, page, MEM_COMMIT, PAGE_READWRITE);
    k.mem.setUint32(p, 0x01020304);
    const old = { value: 0 };
    for (const protect of [PAGE_READONLY, PAGE_EXECUTE_READ]) {
      expect(k.VirtualProtect(p, page, protect, old)).toBe(true);
      expect(fault(() => k.mem.setUint32(p, 0xffffffff))).toMatchObject({ code: 0xc0000005, address: p, operation: 'write' });
      expect(k.mem.getUint32(p)).toBe(0x01020304);
    }
  });

  it('an access straddling into a bad page faults at the page start and stores nothing', () => {
    const k = kernel(geometry);
    const { p, page } = twoPages(k);
    expect(fault(() => k.mem.setUint32(p + page - 2, 0xffffffff))).toMatchObject({ address: p + page, operation: 'write' });
    expect(k.mem.getUint16(p + page - 2)).toBe(0);
    expect(fault(() => k.mem.write(p, new Uint8Array(page + 1).fill(7)))?.code).toBe(0xc0000005);
    expect(k.mem.getUint8(p)).toBe(0);
    expect(fault(() => k.mem.fill(p, page + 10, 9))?.code).toBe(0xc0000005);
    expect(k.mem.read(p, page).every((b) => b === 0)).toBe(true);
    expect(fault(() => k.mem.getFloat64(p + page - 4))).toMatchObject({ address: p + page, operation: 'read' });
  });

  it('guard pages are one-shot and the fault changes nothing else', () => {
    const k = kernel(geometry);
    const { p, page } = twoPages(k, PAGE_READWRITE | PAGE_GUARD);
    // a straddling store trips the guard of the second page and stores nothing in the first
    expect(fault(() => k.mem.setUint32(p + page - 2, 0xffffffff))).toMatchObject({ code: 0x80000001, address: p + page });
    expect(k.mem.getUint16(p + page - 2)).toBe(0);
    expect(query(k, p + page).Protect).toBe(PAGE_READWRITE);
    k.mem.setUint32(p + page - 2, 0xffffffff);
    expect(k.mem.getUint32(p + page - 2)).toBe(0xffffffff);
  });
});

describe.each(ALL_GEOMETRIES)('X-005 IsBadReadPtr / IsBadWritePtr / IsBadCodePtr on %s', (geometry) => {
  it('NULL and wild pointers; size 0 is never bad; the last error is left alone', () => {
    const k = kernel(geometry);
    k.SetLastError(SENTINEL);
    for (const probe of [k.IsBadReadPtr, k.IsBadWritePtr]) {
      expect(probe(0, 0)).toBe(false);
      expect(probe(0, 1)).toBe(true);
      expect(probe(0xdeadbeef, 0)).toBe(false);
      expect(probe(0xdeadbeef, 1)).toBe(true);
    }
    expect(k.IsBadCodePtr(0)).toBe(true);
    expect(k.IsBadCodePtr(0xdeadbeef)).toBe(true);
    expect(k.GetLastError()).toBe(SENTINEL);
  });

  it('committed, reserved, read-only and straddling ranges', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    expect(k.VirtualAlloc(p, 2 * page, MEM_COMMIT, PAGE_READWRITE)).toBe(p);
    k.mem.setUint32(p + 8, 0x12345678);
    expect(k.IsBadReadPtr(p, 2 * page)).toBe(false);
    expect(k.IsBadWritePtr(p, 2 * page)).toBe(false);
    expect(k.mem.getUint32(p + 8)).toBe(0x12345678); // the write probe changes no data
    expect(k.IsBadCodePtr(p)).toBe(false);
    expect(k.IsBadReadPtr(p + 2 * page - 1, 2)).toBe(true); // runs into reserved memory
    expect(k.IsBadReadPtr(p + 2 * page, 1)).toBe(true);
    const old = { value: 0 };
    expect(k.VirtualProtect(p + page, page, PAGE_READONLY, old)).toBe(true);
    expect(k.IsBadReadPtr(p, 2 * page)).toBe(false);
    expect(k.IsBadWritePtr(p, 2 * page)).toBe(true);
    expect(k.IsBadWritePtr(p, page)).toBe(false);
    expect(k.VirtualProtect(p + page, page, PAGE_NOACCESS, old)).toBe(true);
    expect(k.IsBadReadPtr(p + page, 1)).toBe(true);
    expect(k.IsBadCodePtr(p + page)).toBe(true);
  });

  it('a guard page makes the probe TRUE and is consumed by it', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, page, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
    expect(k.IsBadReadPtr(p, 4)).toBe(true);
    expect(query(k, p).Protect).toBe(PAGE_READWRITE);
    expect(k.IsBadReadPtr(p, 4)).toBe(false);
  });

  it('an unmapped view is bad', () => {
    const k = kernel(geometry);
    const mapping = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x1000, undefined);
    const view = k.MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, 0);
    expect(view).not.toBe(0);
    expect(k.IsBadReadPtr(view, 0x1000)).toBe(false);
    expect(k.UnmapViewOfFile(view)).toBe(true);
    expect(k.IsBadReadPtr(view, 1)).toBe(true);
  });
});

describe('k.mem and PAGE_WRITECOPY (CONTRACT)', () => {
  it('a store to a write-copy view gives the process its private copy; other views keep the shared data', () => {
    const system = createSystem({ geometry: 'x64' });
    const a = system.createProcess();
    const b = system.createProcess();
    const name = 'kernel32-writecopy-test';
    const hA = a.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x2000, name);
    expect(hA).not.toBe(0);
    const shared = a.MapViewOfFile(hA, FILE_MAP_WRITE, 0, 0, 0);
    a.mem.setUint32(shared, 0x11111111);
    a.mem.setUint32(shared + 0x1000, 0x22222222);
    const hB = b.OpenFileMapping(FILE_MAP_ALL_ACCESS, false, name);
    const copy = b.MapViewOfFile(hB, FILE_MAP_COPY, 0, 0, 0);
    expect(copy).not.toBe(0);
    expect(query(b, copy).Protect).toBe(PAGE_WRITECOPY);
    expect(b.mem.getUint32(copy)).toBe(0x11111111);
    b.mem.setUint32(copy, 0x33333333); // private copy of that page only
    expect(b.mem.getUint32(copy)).toBe(0x33333333);
    expect(a.mem.getUint32(shared)).toBe(0x11111111);
    expect(query(b, copy)).toMatchObject({ Protect: PAGE_READWRITE, RegionSize: 0x1000 });
    expect(query(b, copy + 0x1000).Protect).toBe(PAGE_WRITECOPY);
    // the untouched page still shows the shared data, including later changes
    a.mem.setUint32(shared + 0x1000, 0x44444444);
    expect(b.mem.getUint32(copy + 0x1000)).toBe(0x44444444);
    a.mem.setUint32(shared, 0x55555555);
    expect(b.mem.getUint32(copy)).toBe(0x33333333);
  });
});

describe.each(ALL_GEOMETRIES)('CopyMemory and friends on %s', (geometry) => {
  it('copy, move (overlapping), fill, zero; last error untouched', () => {
    const k = kernel(geometry);
    const p = k.VirtualAlloc(0, 0x3000, MEM_COMMIT, PAGE_READWRITE);
    k.mem.write(p, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    const [, error] = attempt(k, () => k.CopyMemory(p + 0x1ffe, p, 8));
    expect(error).toBe(SENTINEL);
    expect([...k.mem.read(p + 0x1ffe, 8)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    k.MoveMemory(p + 2, p, 6);
    expect([...k.mem.read(p, 8)]).toEqual([1, 2, 1, 2, 3, 4, 5, 6]);
    k.MoveMemory(p, p + 2, 6);
    expect([...k.mem.read(p, 8)]).toEqual([1, 2, 3, 4, 5, 6, 5, 6]);
    k.FillMemory(p + 0x100, 4, 0x1ab);
    expect(k.mem.getUint32(p + 0x100)).toBe(0xabababab);
    k.ZeroMemory(p, 4);
    expect(k.mem.getUint32(p)).toBe(0);
    expect(k.SecureZeroMemory(p + 0x100, 4)).toBe(p + 0x100);
    expect(k.mem.getUint32(p + 0x100)).toBe(0);
    k.CopyMemory(p, p + 0x200, 0); // zero length touches nothing, not even bad pointers
    k.CopyMemory(0, 0, 0);
    k.FillMemory(0, 0, 1);
  });

  it('a faulting copy raises AccessViolation and stores nothing', () => {
    const k = kernel(geometry);
    const { p, page } = twoPages(k);
    const q = k.VirtualAlloc(0, 2 * page, MEM_COMMIT, PAGE_READWRITE);
    k.mem.fill(q, 2 * page, 0x5a);
    // destination runs into the NOACCESS page
    expect(fault(() => k.CopyMemory(p + page - 8, q, 16))).toMatchObject({ code: 0xc0000005, operation: 'write', address: p + page });
    expect(k.mem.read(p + page - 8, 8).every((b) => b === 0)).toBe(true);
    // source runs into the NOACCESS page
    expect(fault(() => k.MoveMemory(q, p + page - 8, 16))).toMatchObject({ code: 0xc0000005, operation: 'read', address: p + page });
    expect(k.mem.getUint8(q)).toBe(0x5a);
    expect(fault(() => k.FillMemory(p + page - 1, 2, 1))?.code).toBe(0xc0000005);
    expect(k.mem.getUint8(p + page - 1)).toBe(0);
    expect(fault(() => k.ZeroMemory(q + 2 * page - 1, 2))?.code).toBe(0xc0000005);
    expect(k.mem.getUint8(q + 2 * page - 1)).toBe(0x5a);
    expect(fault(() => k.SecureZeroMemory(0, 1))?.code).toBe(0xc0000005);
  });
});

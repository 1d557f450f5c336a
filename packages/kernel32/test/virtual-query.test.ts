// Conformance: VirtualQuery / VirtualQueryEx (spec §7: Q-001..Q-008) and MEM_RESET (§8: R-001).
import { describe, expect, it } from 'vitest';
import {
  ERROR_BAD_LENGTH,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  MEM_COMMIT,
  MEM_FREE,
  MEM_PRIVATE,
  MEM_RELEASE,
  MEM_RESERVE,
  MEM_RESET,
  PAGE_EXECUTE_READ,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  PROCESS_QUERY_INFORMATION,
} from '../src/index';
import { ALL_GEOMETRIES, type RegionInfo, SENTINEL, attempt, expectFailure, kernel, query, snapshot } from './support';

describe.each(ALL_GEOMETRIES)('VirtualQuery on %s', (geometry) => {
  it('Q-001 returns the structure size; the address is rounded down to the page', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 8 * page, MEM_COMMIT, PAGE_READWRITE);
    const mbi = {} as RegionInfo;
    const [written, error] = attempt(k, () => k.VirtualQuery(p + page + 123, mbi));
    expect(written).toBe(k.process.geometry.pointerSize === 8 ? 48 : 28);
    expect(error).toBe(SENTINEL);
    expect(mbi.BaseAddress).toBe(p + page);
    expect(mbi.RegionSize).toBe(7 * page);
  });

  it('Q-001 a region is the run of pages sharing state, protection and allocation', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    expect(k.VirtualAlloc(p, 2 * page, MEM_COMMIT, PAGE_READWRITE)).toBe(p);
    expect(k.VirtualAlloc(p + 2 * page, 2 * page, MEM_COMMIT, PAGE_READONLY)).toBe(p + 2 * page);
    expect(k.VirtualAlloc(p + 4 * page, page, MEM_COMMIT, PAGE_READONLY)).toBe(p + 4 * page);
    expect(query(k, p).RegionSize).toBe(2 * page);
    expect(query(k, p + 2 * page)).toMatchObject({ RegionSize: 3 * page, Protect: PAGE_READONLY });
    expect(query(k, p + 5 * page)).toMatchObject({ RegionSize: 0x10000 - 5 * page, State: MEM_RESERVE });
  });

  it('Q-001 two adjacent allocations with equal state are separate regions', () => {
    const k = kernel(geometry);
    const a = k.VirtualAlloc(0, 0x10000, MEM_COMMIT, PAGE_READWRITE);
    const b = k.VirtualAlloc(a + 0x10000, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    if (b !== a + 0x10000) return expect(b).not.toBe(0);
    expect(query(k, a).RegionSize).toBe(0x10000);
    expect(query(k, b)).toMatchObject({ AllocationBase: b, RegionSize: 0x10000 });
  });

  it('Q-002 an address above lpMaximumApplicationAddress → 0, ERROR_INVALID_PARAMETER, buffer untouched', () => {
    const k = kernel(geometry);
    const { highestUserAddress } = k.process.geometry;
    for (const address of [highestUserAddress + 1, highestUserAddress + 0x10000, 2 ** 53 - 1]) {
      const mbi = {} as RegionInfo;
      expectFailure(k, () => k.VirtualQuery(address, mbi), 0, ERROR_INVALID_PARAMETER);
      expect(Object.keys(mbi)).toEqual([]);
    }
    // the last user page itself can be queried
    expect(query(k, highestUserAddress).State).toBe(MEM_FREE);
  });

  it('Q-003 reserved, committed and free pages report their fields', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 0x20000, MEM_RESERVE, PAGE_EXECUTE_READ);
    expect(k.VirtualAlloc(p, page, MEM_COMMIT, PAGE_READONLY)).toBe(p);
    expect(query(k, p)).toEqual({
      BaseAddress: p,
      AllocationBase: p,
      AllocationProtect: PAGE_EXECUTE_READ,
      RegionSize: page,
      State: MEM_COMMIT,
      Protect: PAGE_READONLY,
      Type: MEM_PRIVATE,
    });
    expect(query(k, p + page)).toMatchObject({ State: MEM_RESERVE, Protect: 0, Type: MEM_PRIVATE });
    expect(k.VirtualFree(p, 0, MEM_RELEASE)).toBe(true);
    expect(query(k, p)).toMatchObject({
      BaseAddress: p,
      State: MEM_FREE,
      Protect: PAGE_NOACCESS,
      AllocationBase: 0,
      AllocationProtect: 0,
      Type: 0,
    });
  });

  it('Q-003 a free region runs to the next allocation', () => {
    const k = kernel(geometry);
    const a = k.VirtualAlloc(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    const hole = k.VirtualAlloc(0, 0x30000, MEM_RESERVE, PAGE_READWRITE);
    const c = k.VirtualAlloc(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    expect(k.VirtualFree(hole, 0, MEM_RELEASE)).toBe(true);
    if (a + 0x10000 !== hole || hole + 0x30000 !== c) return expect(hole).not.toBe(0);
    expect(query(k, hole + 0x5000)).toMatchObject({ BaseAddress: hole + 0x5000 - (0x5000 % k.process.geometry.pageSize), State: MEM_FREE });
    const mbi = query(k, hole);
    expect(mbi.RegionSize).toBe(0x30000);
  });

  it('Q-008 a buffer smaller than MEMORY_BASIC_INFORMATION → 0, ERROR_BAD_LENGTH', () => {
    const k = kernel(geometry);
    const p = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    const size = k.process.geometry.pointerSize === 8 ? 48 : 28;
    const mbi = {} as RegionInfo;
    expectFailure(k, () => k.VirtualQuery(p, mbi, size - 1), 0, ERROR_BAD_LENGTH);
    expectFailure(k, () => k.VirtualQuery(p, mbi, 0), 0, ERROR_BAD_LENGTH);
    expect(k.VirtualQuery(p, mbi, size)).toBe(size);
    expect(k.VirtualQuery(p, mbi, size + 100)).toBe(size);
  });

  it('NULL buffer → 0, ERROR_NOACCESS', () => {
    const k = kernel(geometry);
    const p = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    expectFailure(k, () => k.VirtualQuery(p, undefined), 0, ERROR_NOACCESS);
  });
});

describe('VirtualQueryEx', () => {
  it('queries another process through a handle; bad handles fail', () => {
    const k = kernel('x86');
    const other = k.system.createProcess();
    const p = other.VirtualAlloc(0, 0x3000, MEM_COMMIT, PAGE_READONLY);
    const h = k.OpenProcess(PROCESS_QUERY_INFORMATION, false, other.GetCurrentProcessId());
    const mbi = {} as RegionInfo;
    expect(k.VirtualQueryEx(h, p, mbi)).toBe(28);
    expect(mbi).toMatchObject({ BaseAddress: p, RegionSize: 0x3000, Protect: PAGE_READONLY });
    expectFailure(k, () => k.VirtualQueryEx(0, p, mbi), 0, ERROR_INVALID_HANDLE);
    expect(k.VirtualQueryEx(k.GetCurrentProcess(), p, mbi)).toBe(28);
    expect(mbi.State).toBe(MEM_FREE);
  });
});

describe.each(ALL_GEOMETRIES)('R-001 MEM_RESET on %s', (geometry) => {
  it('returns the address, ignores the protection, keeps the region; contents intact or zero', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    expect(k.VirtualAlloc(p, page, MEM_COMMIT, PAGE_READWRITE)).toBe(p);
    k.mem.fill(p, 20, 0x55);
    const [q, error] = attempt(k, () => k.VirtualAlloc(p, page, MEM_RESET, PAGE_NOACCESS));
    expect(q).toBe(p);
    expect(error).toBe(SENTINEL);
    const value = k.mem.getUint32(p);
    expect(value === 0x55555555 || value === 0).toBe(true);
    expect(query(k, p)).toMatchObject({ RegionSize: page, State: MEM_COMMIT, Protect: PAGE_READWRITE });
  });

  it('on reserved pages of the allocation it succeeds and changes nothing', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    expect(k.VirtualAlloc(p, page, MEM_COMMIT, PAGE_READWRITE)).toBe(p);
    expect(k.VirtualAlloc(p + page, page, MEM_RESET, PAGE_NOACCESS)).toBe(p + page);
    expect(query(k, p + page)).toMatchObject({ RegionSize: 0x10000 - page, State: MEM_RESERVE, Protect: 0 });
  });

  it('a range running past the allocation → ERROR_INVALID_ADDRESS; an invalid protection is still refused', () => {
    const k = kernel(geometry);
    const p = k.VirtualAlloc(0, 0x10000, MEM_COMMIT, PAGE_READWRITE);
    const before = snapshot(k);
    expectFailure(k, () => k.VirtualAlloc(p + 0xf000, 0x2000, MEM_RESET, PAGE_NOACCESS), 0, ERROR_INVALID_ADDRESS);
    expectFailure(k, () => k.VirtualAlloc(p, 0x1000, MEM_RESET, 0), 0, ERROR_INVALID_PARAMETER);
    expect(snapshot(k)).toEqual(before);
  });
});

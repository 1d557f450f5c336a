// Conformance: VirtualFree / VirtualFreeEx (spec §5: F-001..F-013) plus Wine test_VirtualAlloc cases
// and bad input: each failure sets the Windows error and leaves the address space as it was.
import { describe, expect, it } from 'vitest';
import {
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  MEM_COALESCE_PLACEHOLDERS,
  MEM_COMMIT,
  MEM_DECOMMIT,
  MEM_FREE,
  MEM_PRIVATE,
  MEM_RELEASE,
  MEM_RESERVE,
  MEM_WRITE_WATCH,
  PAGE_NOACCESS,
  PAGE_READWRITE,
} from '../src/index';
import { ALL_GEOMETRIES, aboveUserSpaceErrors, expectFailureAmong, SENTINEL, attempt, commitCharge, expectFailure, kernel, query, snapshot } from './support';

describe.each(ALL_GEOMETRIES)('VirtualFree on %s', (geometry) => {
  it('F-001 type 0 → ERROR_INVALID_PARAMETER; MEM_FREE likewise; release needs size 0', () => {
    const k = kernel(geometry);
    const p = k.VirtualAlloc(0, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    const before = snapshot(k);
    expectFailure(k, () => k.VirtualFree(p, 0x10000, 0), false, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.VirtualFree(p, 0, MEM_FREE), false, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.VirtualFree(p, 1, MEM_RELEASE), false, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.VirtualFree(p, 0x10000, MEM_RELEASE), false, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.VirtualFree(p, 0, MEM_RELEASE | MEM_DECOMMIT), false, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.VirtualFree(p, 0, MEM_COALESCE_PLACEHOLDERS), false, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.VirtualFree(p, 0, MEM_RELEASE | 0x10), false, ERROR_INVALID_PARAMETER);
    expect(snapshot(k)).toEqual(before);
    const [ok, error] = attempt(k, () => k.VirtualFree(p, 0x10000, MEM_DECOMMIT));
    expect(ok).toBe(true);
    expect(error).toBe(SENTINEL);
    expect(k.VirtualFree(p, 0, MEM_RELEASE)).toBe(true);
  });

  it('F-005 decommit covers every page touched by [address, address + size)', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    expect(k.VirtualFree(p + 2 * page - 1, 2, MEM_DECOMMIT)).toBe(true);
    expect(query(k, p)).toMatchObject({ State: MEM_COMMIT, RegionSize: page });
    expect(query(k, p + page)).toMatchObject({ BaseAddress: p + page, State: MEM_RESERVE, RegionSize: 2 * page, Protect: 0 });
    expect(query(k, p + 3 * page)).toMatchObject({ State: MEM_COMMIT, RegionSize: 0x10000 - 3 * page });
  });

  it('F-010 a released range shows as free', () => {
    const k = kernel(geometry);
    const p = k.VirtualAlloc(0, 0x30000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    expect(k.VirtualFree(p, 0, MEM_RELEASE)).toBe(true);
    const mbi = query(k, p);
    expect(mbi.BaseAddress).toBe(p);
    expect(mbi.State).toBe(MEM_FREE);
    expect(mbi.AllocationBase).toBe(0);
    expect(mbi.AllocationProtect).toBe(0);
    expect(mbi.Protect).toBe(PAGE_NOACCESS);
    expect(mbi.Type).toBe(0);
    expect(mbi.RegionSize).toBeGreaterThanOrEqual(0x30000);
  });

  it('F-012 decommitting write-watched pages clears their dirty state', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 16 * page, MEM_RESERVE | MEM_WRITE_WATCH, PAGE_READWRITE);
    expect(k.VirtualAlloc(p, 16 * page, MEM_COMMIT, PAGE_READWRITE)).toBe(p);
    k.mem.setUint8(p + page, 1);
    k.mem.setUint8(p + 5 * page, 1);
    expect(k.VirtualFree(p, 16 * page, MEM_DECOMMIT)).toBe(true);
    expect(k.VirtualAlloc(p, 16 * page, MEM_COMMIT, PAGE_READWRITE)).toBe(p);
    const addresses: number[] = [];
    const count = { value: 16 };
    const granularity = { value: 0 };
    expect(k.GetWriteWatch(0, p, 16 * page, addresses, count, granularity)).toBe(0);
    expect(count.value).toBe(0);
  });

  it('F-013 decommitting a middle page splits the query into three regions; it can be recommitted', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 4 * page, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    k.mem.setUint8(p + page, 0x55);
    expect(k.VirtualFree(p + page, page, MEM_DECOMMIT)).toBe(true);
    expect(query(k, p)).toEqual({
      BaseAddress: p,
      AllocationBase: p,
      AllocationProtect: PAGE_READWRITE,
      RegionSize: page,
      State: MEM_COMMIT,
      Protect: PAGE_READWRITE,
      Type: MEM_PRIVATE,
    });
    expect(query(k, p + page)).toEqual({
      BaseAddress: p + page,
      AllocationBase: p,
      AllocationProtect: PAGE_READWRITE,
      RegionSize: page,
      State: MEM_RESERVE,
      Protect: 0,
      Type: MEM_PRIVATE,
    });
    expect(query(k, p + 2 * page)).toMatchObject({ State: MEM_COMMIT, RegionSize: 2 * page, AllocationBase: p });
    expect(k.VirtualAlloc(p + page, page, MEM_COMMIT, PAGE_READWRITE)).toBe(p + page);
    expect(k.mem.getUint8(p + page)).toBe(0); // decommitted contents are gone
    expect(query(k, p)).toMatchObject({ State: MEM_COMMIT, RegionSize: 4 * page });
  });

  it('decommit with size 0 at the base decommits the whole allocation and returns the charge', () => {
    const k = kernel(geometry);
    const charge = commitCharge(k);
    const p = k.VirtualAlloc(0, 0x30000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    expect(commitCharge(k)).toBe(charge + 0x30000);
    expect(k.VirtualFree(p, 0, MEM_DECOMMIT)).toBe(true);
    expect(query(k, p)).toMatchObject({ State: MEM_RESERVE, RegionSize: 0x30000 });
    expect(commitCharge(k)).toBe(charge);
    // decommitting reserved pages again is fine
    expect(k.VirtualFree(p, 0x1000, MEM_DECOMMIT)).toBe(true);
  });

  it('release frees the commit charge of the whole reservation', () => {
    const k = kernel(geometry);
    const charge = commitCharge(k);
    const p = k.VirtualAlloc(0, 0x100000, MEM_RESERVE, PAGE_READWRITE);
    expect(k.VirtualAlloc(p + 0x20000, 0x30000, MEM_COMMIT, PAGE_READWRITE)).toBe(p + 0x20000);
    expect(commitCharge(k)).toBe(charge + 0x30000);
    expect(k.VirtualFree(p, 0, MEM_RELEASE)).toBe(true);
    expect(commitCharge(k)).toBe(charge);
  });
});

describe.each(ALL_GEOMETRIES)('VirtualFree bad input on %s', (geometry) => {
  it('release not at the allocation base → ERROR_INVALID_ADDRESS, nothing freed', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 0x20000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    const before = snapshot(k);
    expectFailure(k, () => k.VirtualFree(p + page, 0, MEM_RELEASE), false, ERROR_INVALID_ADDRESS);
    expectFailure(k, () => k.VirtualFree(p + 0x10000, 0, MEM_RELEASE), false, ERROR_INVALID_ADDRESS);
    expect(snapshot(k)).toEqual(before);
  });

  it('release or decommit of free memory → ERROR_INVALID_ADDRESS', () => {
    const k = kernel(geometry);
    const p = k.VirtualAlloc(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    expect(k.VirtualFree(p, 0, MEM_RELEASE)).toBe(true);
    const before = snapshot(k);
    expectFailure(k, () => k.VirtualFree(p, 0, MEM_RELEASE), false, ERROR_INVALID_ADDRESS);
    expectFailure(k, () => k.VirtualFree(p, 0x1000, MEM_DECOMMIT), false, ERROR_INVALID_ADDRESS);
    expectFailure(k, () => k.VirtualFree(0, 0, MEM_RELEASE), false, ERROR_INVALID_ADDRESS);
    expect(snapshot(k)).toEqual(before);
  });

  it('decommit running past the allocation → ERROR_INVALID_PARAMETER, nothing decommitted', () => {
    const k = kernel(geometry);
    const p = k.VirtualAlloc(0, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    const q = k.VirtualAlloc(p + 0x10000, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    expect(q === p + 0x10000 || q !== 0).toBe(true);
    const before = snapshot(k);
    expectFailure(k, () => k.VirtualFree(p, 0x11000, MEM_DECOMMIT), false, ERROR_INVALID_PARAMETER);
    expect(snapshot(k)).toEqual(before);
  });

  it('addresses above the user space → ERROR_INVALID_PARAMETER', () => {
    const k = kernel(geometry);
    const { highestUserAddress } = k.process.geometry;
    expectFailureAmong(k, () => k.VirtualFree(highestUserAddress + 1, 0, MEM_RELEASE), false, aboveUserSpaceErrors(geometry));
    expectFailureAmong(k, () => k.VirtualFree(2 ** 52, 0x1000, MEM_DECOMMIT), false, aboveUserSpaceErrors(geometry));
  });
});

describe('F-008 VirtualFreeEx', () => {
  it('NULL handle → ERROR_INVALID_HANDLE and the memory stays', () => {
    const k = kernel('x86');
    const p = k.VirtualAlloc(0, 0x10000, MEM_COMMIT, PAGE_READWRITE);
    expectFailure(k, () => k.VirtualFreeEx(0, p, 0, MEM_RELEASE), false, ERROR_INVALID_HANDLE);
    expect(query(k, p).State).toBe(MEM_COMMIT);
    expect(k.VirtualFreeEx(k.GetCurrentProcess(), p, 0, MEM_RELEASE)).toBe(true);
  });
});

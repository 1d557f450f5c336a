// Conformance: VirtualProtect / VirtualProtectEx (spec §6: P-003..P-010) plus Wine cases:
// refused protections leave `old` untouched, failures change nothing.
import { describe, expect, it } from 'vitest';
import {
  ERROR_ACCESS_DENIED,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  MEM_COMMIT,
  MEM_RELEASE,
  MEM_RESERVE,
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_GUARD,
  PAGE_NOACCESS,
  PAGE_NOCACHE,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOMBINE,
  PAGE_WRITECOPY,
  PROCESS_VM_OPERATION,
  PROCESS_VM_READ,
} from '../src/index';
import { ALL_GEOMETRIES, aboveUserSpaceErrors, expectFailureAmong, SENTINEL, attempt, expectFailure, kernel, query, snapshot } from './support';

const BASE = [PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE, PAGE_EXECUTE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE];
const REFUSED = [
  0, PAGE_WRITECOPY, PAGE_EXECUTE_WRITECOPY, 0x03, 0x05, 0x06, 0x07, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x30, 0x50,
  0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0, 0xd0, 0xe0, 0xf0, PAGE_READWRITE | PAGE_EXECUTE_WRITECOPY, 0x800, PAGE_GUARD,
  PAGE_NOACCESS | PAGE_GUARD, PAGE_READWRITE | PAGE_NOCACHE | PAGE_GUARD,
];

describe.each(ALL_GEOMETRIES)('VirtualProtect on %s', (geometry) => {
  it('P-003 old protection is reported; AllocationProtect stays', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 0xfffc, MEM_RESERVE, PAGE_NOACCESS);
    expect(k.VirtualAlloc(p, page, MEM_COMMIT, PAGE_NOACCESS)).toBe(p);
    const old = { value: 0 };
    const [ok, error] = attempt(k, () => k.VirtualProtect(p, page, PAGE_READONLY, old));
    expect(ok).toBe(true);
    expect(error).toBe(SENTINEL);
    expect(old.value).toBe(PAGE_NOACCESS);
    expect(k.VirtualProtect(p, page, PAGE_READWRITE, old)).toBe(true);
    expect(old.value).toBe(PAGE_READONLY);
    expect(query(k, p)).toMatchObject({ Protect: PAGE_READWRITE, AllocationProtect: PAGE_NOACCESS, RegionSize: page });
  });

  it('P-003 protecting uncommitted pages → ERROR_INVALID_ADDRESS, nothing changes', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 0xfffc, MEM_RESERVE, PAGE_NOACCESS);
    const old = { value: SENTINEL };
    expectFailure(k, () => k.VirtualProtect(p, 0xfffc, PAGE_READONLY, old), false, ERROR_INVALID_ADDRESS);
    expect(k.VirtualAlloc(p, page, MEM_COMMIT, PAGE_NOACCESS)).toBe(p);
    const before = snapshot(k);
    expectFailure(k, () => k.VirtualProtect(p, 0xfffc, PAGE_READONLY, old), false, ERROR_INVALID_ADDRESS);
    expect(snapshot(k)).toEqual(before);
  });

  it('P-005 accepted protections: the six bases, with GUARD/NOCACHE/WRITECOMBINE modifiers', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, page, MEM_COMMIT, PAGE_READWRITE);
    const old = { value: 0 };
    let previous = PAGE_READWRITE;
    for (const base of BASE) {
      const modifiers = base === PAGE_NOACCESS ? [0] : [0, PAGE_GUARD, PAGE_NOCACHE, PAGE_WRITECOMBINE];
      for (const modifier of modifiers) {
        const [ok, error] = attempt(k, () => k.VirtualProtect(p, page, base | modifier, old));
        expect(ok, `protect 0x${(base | modifier).toString(16)}`).toBe(true);
        expect(error).toBe(SENTINEL);
        expect(old.value).toBe(previous);
        const shown = query(k, p).Protect;
        // NOCACHE/WRITECOMBINE added later are dropped (V-018); GUARD is kept
        expect(shown).toBe(modifier === PAGE_GUARD ? base | PAGE_GUARD : base);
        previous = shown;
      }
    }
  });

  it('P-005 refused protections → ERROR_INVALID_PARAMETER with old untouched', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, page, MEM_COMMIT, PAGE_READWRITE);
    const before = snapshot(k);
    for (const protect of REFUSED) {
      const old = { value: SENTINEL };
      expectFailure(k, () => k.VirtualProtect(p, page, protect, old), false, ERROR_INVALID_PARAMETER);
      expect(old.value).toBe(SENTINEL);
    }
    expect(snapshot(k)).toEqual(before);
  });

  it('P-007 (base + 1, size 1) changes the whole first page; a straddling range changes both pages', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 4 * page, MEM_COMMIT, PAGE_READWRITE);
    const old = { value: 0 };
    expect(k.VirtualProtect(p + 1, 1, PAGE_READONLY, old)).toBe(true);
    expect(query(k, p)).toMatchObject({ Protect: PAGE_READONLY, RegionSize: page });
    expect(k.VirtualProtect(p + 2 * page - 1, 2, PAGE_EXECUTE_READ, old)).toBe(true);
    expect(old.value).toBe(PAGE_READWRITE);
    expect(query(k, p + page)).toMatchObject({ Protect: PAGE_EXECUTE_READ, RegionSize: 2 * page });
  });

  it('P-008 protecting part of a region splits it; protecting back merges it', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 16 * page, MEM_COMMIT, PAGE_READWRITE);
    const old = { value: 0 };
    expect(k.VirtualProtect(p + 4 * page, 2 * page, PAGE_READONLY, old)).toBe(true);
    expect(query(k, p).RegionSize).toBe(4 * page);
    expect(query(k, p + 4 * page)).toMatchObject({ RegionSize: 2 * page, Protect: PAGE_READONLY });
    expect(query(k, p + 6 * page)).toMatchObject({ RegionSize: 10 * page, Protect: PAGE_READWRITE });
    expect(k.VirtualProtect(p + 4 * page, 2 * page, PAGE_READWRITE, old)).toBe(true);
    expect(old.value).toBe(PAGE_READONLY);
    expect(query(k, p)).toMatchObject({ RegionSize: 16 * page, Protect: PAGE_READWRITE });
  });

  it('P-008 old protection is that of the first page of a mixed range', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 4 * page, MEM_COMMIT, PAGE_READWRITE);
    const old = { value: 0 };
    expect(k.VirtualProtect(p + page, page, PAGE_EXECUTE_READ, old)).toBe(true);
    expect(k.VirtualProtect(p, 4 * page, PAGE_READONLY, old)).toBe(true);
    expect(old.value).toBe(PAGE_READWRITE);
    expect(query(k, p)).toMatchObject({ RegionSize: 4 * page, Protect: PAGE_READONLY });
  });

  it('P-009 a range crossing into another allocation or free memory fails and changes nothing', () => {
    const k = kernel(geometry);
    const a = k.VirtualAlloc(0, 0x10000, MEM_COMMIT, PAGE_READWRITE);
    const b = k.VirtualAlloc(a + 0x10000, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    const old = { value: SENTINEL };
    if (b === a + 0x10000) {
      const before = snapshot(k);
      expectFailure(k, () => k.VirtualProtect(a, 0x20000, PAGE_READONLY, old), false, ERROR_INVALID_ADDRESS);
      expect(snapshot(k)).toEqual(before);
    }
    const c = k.VirtualAlloc(0, 0x10000, MEM_COMMIT, PAGE_READWRITE);
    expect(k.VirtualFree(c, 0, MEM_RELEASE)).toBe(true);
    const before = snapshot(k);
    expectFailure(k, () => k.VirtualProtect(c, 0x1000, PAGE_READONLY, old), false, ERROR_INVALID_ADDRESS);
    expect(snapshot(k)).toEqual(before);
  });

  it('P-009 free address on 64-bit writes PAGE_NOACCESS into old', () => {
    const k = kernel(geometry);
    if (k.process.geometry.pointerSize !== 8) return expect(k.process.geometry.pointerSize).toBe(4);
    const c = k.VirtualAlloc(0, 0x10000, MEM_COMMIT, PAGE_READWRITE);
    expect(k.VirtualFree(c, 0, MEM_RELEASE)).toBe(true);
    const old = { value: SENTINEL };
    expectFailure(k, () => k.VirtualProtect(c, 0x1000, PAGE_READONLY, old), false, ERROR_INVALID_ADDRESS);
    expect(old.value).toBe(PAGE_NOACCESS);
  });

  it('NULL old-protection pointer → ERROR_NOACCESS and no change', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, page, MEM_COMMIT, PAGE_READWRITE);
    expectFailure(k, () => k.VirtualProtect(p, page, PAGE_READONLY, undefined), false, ERROR_NOACCESS);
    expect(query(k, p).Protect).toBe(PAGE_READWRITE);
  });

  it('addresses above the user space → ERROR_INVALID_PARAMETER', () => {
    const k = kernel(geometry);
    const old = { value: SENTINEL };
    const { highestUserAddress } = k.process.geometry;
    expectFailureAmong(k, () => k.VirtualProtect(highestUserAddress + 1, 1, PAGE_READONLY, old), false, aboveUserSpaceErrors(geometry));
    // natively the parameter check comes first; under WOW64 the kernel may see free memory (P-009)
    expect(geometry === 'wow64' ? [SENTINEL, PAGE_NOACCESS] : [SENTINEL]).toContain(old.value);
  });
});

describe('P-010 VirtualProtectEx on another process', () => {
  it('behaves as VirtualProtect there; needs PROCESS_VM_OPERATION; bad handles fail', () => {
    const k = kernel('x64');
    const other = k.system.createProcess();
    const page = 0x1000;
    const p = other.VirtualAlloc(0, 0xfffc, MEM_RESERVE, PAGE_NOACCESS);
    const h = k.OpenProcess(PROCESS_VM_OPERATION, false, other.GetCurrentProcessId());
    const old = { value: SENTINEL };
    expectFailure(k, () => k.VirtualProtectEx(h, p, 0xfffc, PAGE_READONLY, old), false, ERROR_INVALID_ADDRESS);
    expect(other.VirtualAlloc(p, page, MEM_COMMIT, PAGE_NOACCESS)).toBe(p);
    expect(k.VirtualProtectEx(h, p, page, PAGE_READONLY, old)).toBe(true);
    expect(old.value).toBe(PAGE_NOACCESS);
    expect(k.VirtualProtectEx(h, p, page, PAGE_READWRITE, old)).toBe(true);
    expect(old.value).toBe(PAGE_READONLY);
    expect(query(other, p).Protect).toBe(PAGE_READWRITE);

    const weak = k.OpenProcess(PROCESS_VM_READ, false, other.GetCurrentProcessId());
    expectFailure(k, () => k.VirtualProtectEx(weak, p, page, PAGE_READONLY, old), false, ERROR_ACCESS_DENIED);
    expectFailure(k, () => k.VirtualProtectEx(0, p, page, PAGE_READONLY, old), false, ERROR_INVALID_HANDLE);
    expect(k.CloseHandle(h)).toBe(true);
    expectFailure(k, () => k.VirtualProtectEx(h, p, page, PAGE_READONLY, old), false, ERROR_INVALID_HANDLE);
    expect(query(other, p).Protect).toBe(PAGE_READWRITE);
  });
});

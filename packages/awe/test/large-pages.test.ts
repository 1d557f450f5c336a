// Conformance of MEM_LARGE_PAGES (S-06, V-020, internals §3.1): reserve and commit in one call,
// size and address multiples of GetLargePageMinimum, SeLockMemoryPrivilege, always read/write,
// non-pageable (RAM taken when allocated, given back when released), not in the working set.
import { MEM_COMMIT, MEM_DECOMMIT, MEM_RELEASE, PAGE_READONLY, PAGE_READWRITE } from '@mem/pages';
import { GetLargePageMinimum, VirtualAlloc, VirtualFree, VirtualProtect, VirtualQuery } from '@mem/pages/win32';
import { describe, expect, it } from 'vitest';
import { ERROR_INVALID_PARAMETER, ERROR_PRIVILEGE_NOT_HELD, MEM_LARGE_PAGES, MEM_RESERVE } from '../src/constants';
import { attempt, memoryStatus, SENTINEL, setup } from './support';

const LARGE = MEM_RESERVE | MEM_COMMIT | MEM_LARGE_PAGES;

describe('MEM_LARGE_PAGES', () => {
  it('GetLargePageMinimum is 2 MiB on x64 and the allocation is aligned to it', () => {
    const { process } = setup({ physicalMemory: 64 << 20 });
    const minimum = GetLargePageMinimum(process);
    expect(minimum).toBe(0x200000);
    const [base, error] = attempt(process, () => VirtualAlloc(process, 0, 2 * minimum, LARGE, PAGE_READWRITE));
    expect(base).not.toBe(0);
    expect(error).toBe(SENTINEL);
    expect(base % minimum).toBe(0);
    const mbi: Record<string, number> = {};
    VirtualQuery(process, base, mbi);
    expect(mbi.State).toBe(MEM_COMMIT);
    expect(mbi.Protect).toBe(PAGE_READWRITE);
    expect(mbi.RegionSize).toBe(2 * minimum);
    process.mem.setUint32(base + minimum + 8, 77);
    expect(process.mem.getUint32(base + minimum + 8)).toBe(77);
  });

  it('needs SeLockMemoryPrivilege', () => {
    const { process } = setup({ physicalMemory: 64 << 20 }, false);
    expect(attempt(process, () => VirtualAlloc(process, 0, 0x200000, LARGE, PAGE_READWRITE))).toEqual([0, ERROR_PRIVILEGE_NOT_HELD]);
  });

  it('needs MEM_RESERVE | MEM_COMMIT in one call and multiples of the minimum', () => {
    const { machine, process } = setup({ physicalMemory: 64 << 20 });
    const before = memoryStatus(machine);
    expect(attempt(process, () => VirtualAlloc(process, 0, 0x200000, MEM_RESERVE | MEM_LARGE_PAGES, PAGE_READWRITE))).toEqual([0, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => VirtualAlloc(process, 0, 0x200000, MEM_COMMIT | MEM_LARGE_PAGES, PAGE_READWRITE))).toEqual([0, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => VirtualAlloc(process, 0, 0x100000, LARGE, PAGE_READWRITE))).toEqual([0, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => VirtualAlloc(process, 0x10010000, 0x200000, LARGE, PAGE_READWRITE))).toEqual([0, ERROR_INVALID_PARAMETER]);
    expect(memoryStatus(machine)).toEqual(before);
  });

  it('cannot be decommitted or made read-only', () => {
    const { process } = setup({ physicalMemory: 64 << 20 });
    const base = VirtualAlloc(process, 0, 0x200000, LARGE, PAGE_READWRITE);
    expect(attempt(process, () => VirtualFree(process, base, 0x1000, MEM_DECOMMIT))[0]).toBe(false);
    expect(attempt(process, () => VirtualProtect(process, base, 0x1000, PAGE_READONLY, {}))[0]).toBe(false);
    process.mem.setUint8(base, 1);
    expect(process.mem.getUint8(base)).toBe(1);
  });

  it('is non-pageable: RAM and commit are taken at allocation, outside the working set, and given back on release', () => {
    const { machine, process } = setup({ physicalMemory: 64 << 20 });
    const before = memoryStatus(machine);
    const workingSet = process.addressSpace.workingSetPages;
    const base = VirtualAlloc(process, 0, 0x400000, LARGE, PAGE_READWRITE);
    const during = memoryStatus(machine);
    expect(during.availPhys).toBe(before.availPhys - 0x400000);
    expect(during.commitCharge).toBe(before.commitCharge + 0x400000);
    process.mem.fill(base, 0x400000, 0xab);
    expect(memoryStatus(machine)).toEqual(during);
    expect(process.addressSpace.workingSetPages).toBe(workingSet);
    expect(VirtualFree(process, base, 0, MEM_RELEASE)).toBe(true);
    expect(memoryStatus(machine)).toEqual(before);
  });
});

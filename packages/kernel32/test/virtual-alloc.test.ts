// Conformance: VirtualAlloc / VirtualAllocEx (spec §4: V-003..V-021) plus Wine test_VirtualAlloc cases
// and bad input of every kind: each failure sets the Windows error and changes nothing.
import { describe, expect, it } from 'vitest';
import {
  AT_ROUND_TO_PAGE,
  ERROR_ACCESS_DENIED,
  ERROR_COMMITMENT_LIMIT,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOT_ENOUGH_MEMORY,
  ERROR_PRIVILEGE_NOT_HELD,
  MEM_COMMIT,
  MEM_FREE,
  MEM_LARGE_PAGES,
  MEM_PHYSICAL,
  MEM_PRIVATE,
  MEM_RELEASE,
  MEM_RESERVE,
  MEM_RESET,
  MEM_TOP_DOWN,
  MEM_WRITE_WATCH,
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
  PROCESS_ALL_ACCESS,
  PROCESS_VM_OPERATION,
  PROCESS_VM_READ,
} from '../src/index';
import { ALL_GEOMETRIES, SENTINEL, attempt, commitCharge, expectFailure, kernel, query, snapshot } from './support';

const VALID_PROTECTIONS = [
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
];

/** Every combination of two or more base protections (P-005). */
const TWO_BASE_PROTECTIONS = [
  0x03, 0x05, 0x06, 0x07, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x30, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0, 0xd0,
  0xe0, 0xf0, PAGE_READONLY | PAGE_EXECUTE,
];

describe.each(ALL_GEOMETRIES)('VirtualAlloc on %s', (geometry) => {
  it('V-003 NULL-address results are 64 KiB aligned', () => {
    const k = kernel(geometry);
    for (const size of [1, 0x1000, 0x2000, 0xfffc, 0x10001, 0x123456]) {
      const p = k.VirtualAlloc(0, size, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE);
      expect(p).not.toBe(0);
      expect(p % 0x10000).toBe(0);
      const r = k.VirtualAlloc(0, size, MEM_RESERVE, PAGE_NOACCESS);
      expect(r % 0x10000).toBe(0);
      expect(r).not.toBe(0);
    }
  });

  it('V-005 the released address can be requested again', () => {
    const k = kernel(geometry);
    const p = k.VirtualAlloc(0, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE);
    expect(k.VirtualFree(p, 0, MEM_RELEASE)).toBe(true);
    expect(k.VirtualAlloc(p, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE)).toBe(p);
  });

  it('V-006 committing one page of a reservation splits the query', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 0xfffc, MEM_RESERVE, PAGE_NOACCESS);
    const reserved = query(k, p);
    expect(reserved).toEqual({
      BaseAddress: p,
      AllocationBase: p,
      AllocationProtect: PAGE_NOACCESS,
      RegionSize: 0x10000,
      State: MEM_RESERVE,
      Protect: 0,
      Type: MEM_PRIVATE,
    });
    const [q, error] = attempt(k, () => k.VirtualAlloc(p, page, MEM_COMMIT, PAGE_NOACCESS));
    expect(q).toBe(p);
    expect(error).toBe(SENTINEL);
    expect(query(k, p)).toEqual({
      BaseAddress: p,
      AllocationBase: p,
      AllocationProtect: PAGE_NOACCESS,
      RegionSize: page,
      State: MEM_COMMIT,
      Protect: PAGE_NOACCESS,
      Type: MEM_PRIVATE,
    });
    expect(query(k, p + page)).toEqual({
      BaseAddress: p + page,
      AllocationBase: p,
      AllocationProtect: PAGE_NOACCESS,
      RegionSize: 0x10000 - page,
      State: MEM_RESERVE,
      Protect: 0,
      Type: MEM_PRIVATE,
    });
  });

  it.each(VALID_PROTECTIONS)('V-007 MEM_COMMIT alone with NULL reserves and commits (protect 0x%s)', (protect) => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, page, MEM_COMMIT, protect);
    expect(p).not.toBe(0);
    expect(query(k, p)).toEqual({
      BaseAddress: p,
      AllocationBase: p,
      AllocationProtect: protect,
      RegionSize: page,
      State: MEM_COMMIT,
      Protect: protect,
      Type: MEM_PRIVATE,
    });
    if (protect === PAGE_READWRITE || protect === PAGE_EXECUTE_READWRITE) {
      k.mem.setUint32(p, 0x12345678);
      expect(query(k, p).Protect).toBe(protect);
    }
  });

  it('V-011 re-committing committed pages succeeds for every valid protection', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 4 * page, MEM_COMMIT, PAGE_READWRITE);
    for (const protect of VALID_PROTECTIONS) {
      const [q, error] = attempt(k, () => k.VirtualAlloc(p, page, MEM_COMMIT, protect));
      expect(q).toBe(p);
      expect(error).toBe(SENTINEL);
      expect(query(k, p).Protect).toBe(protect);
    }
    for (const protect of [PAGE_WRITECOPY, PAGE_EXECUTE_WRITECOPY, ...TWO_BASE_PROTECTIONS]) {
      expectFailure(k, () => k.VirtualAlloc(p, page, MEM_COMMIT, protect), 0, ERROR_INVALID_PARAMETER);
    }
  });

  it('V-011 WRITECOPY and two-base protections are refused for new allocations too', () => {
    const k = kernel(geometry);
    const before = snapshot(k);
    for (const protect of [0, PAGE_WRITECOPY, PAGE_EXECUTE_WRITECOPY, ...TWO_BASE_PROTECTIONS]) {
      expectFailure(k, () => k.VirtualAlloc(0, 0x1000, MEM_RESERVE, protect), 0, ERROR_INVALID_PARAMETER);
      expectFailure(k, () => k.VirtualAlloc(0, 0x1000, MEM_COMMIT, protect), 0, ERROR_INVALID_PARAMETER);
    }
    expect(snapshot(k)).toEqual(before);
  });

  it('V-012 committing where the range is not entirely reserved fails with ERROR_INVALID_ADDRESS', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    // free memory above the reservation
    const free = p + 0x10000;
    expect(query(k, free).State).toBe(MEM_FREE);
    const before = snapshot(k);
    expectFailure(k, () => k.VirtualAlloc(free, page, MEM_COMMIT, PAGE_READWRITE), 0, ERROR_INVALID_ADDRESS);
    // a range running past the end of the reservation
    expectFailure(k, () => k.VirtualAlloc(p + 0xf000, 0x2000, MEM_COMMIT, PAGE_READWRITE), 0, ERROR_INVALID_ADDRESS);
    expect(snapshot(k)).toEqual(before);
  });

  it('V-013 MEM_WRITE_WATCH needs MEM_RESERVE; with it any valid protection works', () => {
    const k = kernel(geometry);
    expectFailure(k, () => k.VirtualAlloc(0, 0x10000, MEM_WRITE_WATCH, PAGE_READWRITE), 0, ERROR_INVALID_PARAMETER);
    expectFailure(
      k,
      () => k.VirtualAlloc(0, 0x10000, MEM_WRITE_WATCH | MEM_COMMIT, PAGE_READWRITE),
      0,
      ERROR_INVALID_PARAMETER,
    );
    for (const protect of VALID_PROTECTIONS) {
      const p = k.VirtualAlloc(0, 0x10000, MEM_RESERVE | MEM_WRITE_WATCH, protect);
      expect(p).not.toBe(0);
      expect(query(k, p).AllocationProtect).toBe(protect);
    }
  });

  it('V-014 AT_ROUND_TO_PAGE is refused', () => {
    const k = kernel(geometry);
    const p = k.VirtualAlloc(0, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE);
    expect(k.VirtualFree(p, 0, MEM_RELEASE)).toBe(true);
    expectFailure(
      k,
      () => k.VirtualAlloc(p, 0x1000, MEM_RESERVE | MEM_COMMIT | AT_ROUND_TO_PAGE, PAGE_EXECUTE_READWRITE),
      0,
      ERROR_INVALID_PARAMETER,
    );
    expect(query(k, p).State).toBe(MEM_FREE);
  });

  it('V-016 committed memory reads as zero and is writable', () => {
    const k = kernel(geometry);
    const size = 0x30000;
    const p = k.VirtualAlloc(0, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    const bytes = k.mem.read(p, size);
    expect(bytes.every((b) => b === 0)).toBe(true);
    k.mem.setUint32(p + size - 4, 0xcafebabe);
    expect(k.mem.getUint32(p + size - 4)).toBe(0xcafebabe);
  });

  it('V-017 PAGE_NOCACHE private memory', () => {
    const k = kernel(geometry);
    const p = k.VirtualAlloc(0, 0x2000, MEM_COMMIT, PAGE_READWRITE | PAGE_NOCACHE);
    expect(p).not.toBe(0);
    const mbi = query(k, p);
    expect(mbi.AllocationProtect).toBe(0x204);
    expect(mbi.Protect).toBe(0x204);
    expect(mbi.RegionSize).toBe(0x2000);
  });

  it('V-018 NOCACHE is sticky per allocation; added later it is dropped', () => {
    const k = kernel(geometry);
    if (k.process.geometry.pageSize !== 0x1000) return expect(k.process.geometry.name).toBe('ia64');
    const p = k.VirtualAlloc(0, 0x2000, MEM_COMMIT, PAGE_READWRITE | PAGE_NOCACHE);
    const old = { value: 0 };
    expect(k.VirtualProtect(p, 0x1000, PAGE_READWRITE, old)).toBe(true);
    expect(old.value).toBe(0x204);
    let mbi = query(k, p);
    expect(mbi.Protect).toBe(0x204);
    expect(mbi.RegionSize).toBe(0x2000);
    expect(k.VirtualProtect(p, 0x1000, PAGE_READONLY, old)).toBe(true);
    expect(old.value).toBe(0x204);
    mbi = query(k, p);
    expect(mbi.Protect).toBe(0x202);
    expect(mbi.RegionSize).toBe(0x1000);
    expect(mbi.AllocationProtect).toBe(0x204);

    const q = k.VirtualAlloc(0, 0x2000, MEM_COMMIT, PAGE_READWRITE);
    expect(k.VirtualProtect(q, 0x1000, PAGE_READONLY | PAGE_NOCACHE, old)).toBe(true);
    expect(old.value).toBe(PAGE_READWRITE);
    mbi = query(k, q);
    expect(mbi.Protect).toBe(PAGE_READONLY);
    expect(mbi.RegionSize).toBe(0x1000);
    expect(mbi.AllocationProtect).toBe(PAGE_READWRITE);
  });

  it('V-020 MEM_TOP_DOWN allocates at the highest free address', () => {
    const k = kernel(geometry);
    const { highestUserAddress } = k.process.geometry;
    const top = k.VirtualAlloc(0, 0x10000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
    expect(top).toBe(highestUserAddress + 1 - 0x10000);
    const next = k.VirtualAlloc(0, 0x20000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
    expect(next).toBe(top - 0x20000);
    const bottom = k.VirtualAlloc(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    expect(bottom).toBeLessThan(next);
  });

  it('V-020 MEM_RESET cannot be combined with other flags', () => {
    const k = kernel(geometry);
    const p = k.VirtualAlloc(0, 0x10000, MEM_COMMIT, PAGE_READWRITE);
    for (const extra of [MEM_COMMIT, MEM_RESERVE, MEM_TOP_DOWN, MEM_WRITE_WATCH]) {
      expectFailure(k, () => k.VirtualAlloc(p, 0x1000, MEM_RESET | extra, PAGE_READWRITE), 0, ERROR_INVALID_PARAMETER);
    }
  });

  it('V-020 MEM_PHYSICAL needs MEM_RESERVE only and PAGE_READWRITE', () => {
    const k = kernel(geometry);
    expectFailure(k, () => k.VirtualAlloc(0, 0x10000, MEM_PHYSICAL, PAGE_READWRITE), 0, ERROR_INVALID_PARAMETER);
    expectFailure(
      k,
      () => k.VirtualAlloc(0, 0x10000, MEM_PHYSICAL | MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE),
      0,
      ERROR_INVALID_PARAMETER,
    );
    expectFailure(
      k,
      () => k.VirtualAlloc(0, 0x10000, MEM_PHYSICAL | MEM_RESERVE, PAGE_READONLY),
      0,
      ERROR_INVALID_PARAMETER,
    );
  });

  it('V-020 / S-06 MEM_LARGE_PAGES needs MEM_RESERVE|MEM_COMMIT and SeLockMemoryPrivilege', () => {
    const k = kernel(geometry);
    const large = k.GetLargePageMinimum();
    expectFailure(k, () => k.VirtualAlloc(0, large, MEM_LARGE_PAGES | MEM_RESERVE, PAGE_READWRITE), 0, ERROR_INVALID_PARAMETER);
    expectFailure(
      k,
      () => k.VirtualAlloc(0, large, MEM_LARGE_PAGES | MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE),
      0,
      ERROR_PRIVILEGE_NOT_HELD,
    );
    const privileged = k.system.createProcess({ privileges: ['SeLockMemoryPrivilege'] });
    const p = privileged.VirtualAlloc(0, large, MEM_LARGE_PAGES | MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    expect(p).not.toBe(0);
    expect(p % large).toBe(0);
    expect(query(privileged, p).State).toBe(MEM_COMMIT);
    expect(query(privileged, p).RegionSize).toBe(large);
  });

  it('V-021 reserving more address space than is free → ERROR_NOT_ENOUGH_MEMORY', () => {
    const k = kernel(geometry);
    const { lowestUserAddress, highestUserAddress } = k.process.geometry;
    const total = highestUserAddress + 1 - lowestUserAddress;
    const p = k.VirtualAlloc(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    expect(p).not.toBe(0);
    // the whole user space no longer fits in one piece
    expectFailure(k, () => k.VirtualAlloc(0, total, MEM_RESERVE, PAGE_READWRITE), 0, ERROR_NOT_ENOUGH_MEMORY);
  });

  it('V-021 committing beyond the commit limit → ERROR_COMMITMENT_LIMIT, nothing charged', () => {
    const MiB = 1024 * 1024;
    const k = kernel(geometry, { physicalMemory: 16 * MiB, pagingFile: 16 * MiB });
    const p = k.VirtualAlloc(0, 64 * MiB, MEM_RESERVE, PAGE_READWRITE);
    expect(p).not.toBe(0);
    const charge = commitCharge(k);
    expectFailure(k, () => k.VirtualAlloc(p, 40 * MiB, MEM_COMMIT, PAGE_READWRITE), 0, ERROR_COMMITMENT_LIMIT);
    expect(commitCharge(k)).toBe(charge);
    expect(query(k, p).State).toBe(MEM_RESERVE);
    expect(query(k, p).RegionSize).toBe(64 * MiB);
    expectFailure(k, () => k.VirtualAlloc(0, 40 * MiB, MEM_COMMIT, PAGE_READWRITE), 0, ERROR_COMMITMENT_LIMIT);
    expect(commitCharge(k)).toBe(charge);
    expect(k.VirtualAlloc(p, 8 * MiB, MEM_COMMIT, PAGE_READWRITE)).toBe(p);
    expect(commitCharge(k)).toBe(charge + 8 * MiB);
  });
});

describe.each(ALL_GEOMETRIES)('VirtualAlloc bad input on %s', (geometry) => {
  it('size 0 → ERROR_INVALID_PARAMETER', () => {
    const k = kernel(geometry);
    expectFailure(k, () => k.VirtualAlloc(0, 0, MEM_RESERVE, PAGE_NOACCESS), 0, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.VirtualAlloc(0, 0, MEM_COMMIT, PAGE_READWRITE), 0, ERROR_INVALID_PARAMETER);
  });

  it('sizes beyond the user space → ERROR_INVALID_PARAMETER, nothing reserved', () => {
    const k = kernel(geometry);
    const { highestUserAddress } = k.process.geometry;
    const before = snapshot(k);
    for (const size of [highestUserAddress + 2, 2 ** 53 - 1, 2 ** 64]) {
      expectFailure(k, () => k.VirtualAlloc(0, size, MEM_RESERVE, PAGE_READWRITE), 0, ERROR_INVALID_PARAMETER);
    }
    expect(snapshot(k)).toEqual(before);
  });

  it('addresses above the user space → ERROR_INVALID_PARAMETER', () => {
    const k = kernel(geometry);
    const { highestUserAddress } = k.process.geometry;
    for (const address of [highestUserAddress + 1, 2 ** 48, 2 ** 53 - 0x10000]) {
      expectFailure(k, () => k.VirtualAlloc(address, 0x1000, MEM_RESERVE, PAGE_READWRITE), 0, ERROR_INVALID_PARAMETER);
    }
  });

  it('no type, or unknown type bits → ERROR_INVALID_PARAMETER', () => {
    const k = kernel(geometry);
    const before = snapshot(k);
    for (const type of [0, MEM_TOP_DOWN, 0x1, 0x800, MEM_COMMIT | 0x10, MEM_RESERVE | 0x08000000, MEM_RESERVE | MEM_RELEASE]) {
      expectFailure(k, () => k.VirtualAlloc(0, 0x1000, type, PAGE_READWRITE), 0, ERROR_INVALID_PARAMETER);
    }
    expect(snapshot(k)).toEqual(before);
  });

  it('unknown protection bits or modifiers that conflict → ERROR_INVALID_PARAMETER', () => {
    const k = kernel(geometry);
    for (const protect of [
      0x800,
      PAGE_READWRITE | 0x800,
      PAGE_NOACCESS | PAGE_GUARD,
      PAGE_NOACCESS | PAGE_NOCACHE,
      PAGE_READWRITE | PAGE_GUARD | PAGE_NOCACHE,
      PAGE_READWRITE | PAGE_NOCACHE | PAGE_WRITECOMBINE,
      PAGE_GUARD,
      PAGE_NOCACHE,
    ]) {
      expectFailure(k, () => k.VirtualAlloc(0, 0x1000, MEM_COMMIT, protect), 0, ERROR_INVALID_PARAMETER);
    }
  });

  it('reserving over an existing reservation → ERROR_INVALID_ADDRESS', () => {
    const k = kernel(geometry);
    const area = k.VirtualAlloc(0, 0x40000, MEM_RESERVE, PAGE_READWRITE);
    expect(k.VirtualFree(area, 0, MEM_RELEASE)).toBe(true);
    const p = k.VirtualAlloc(area + 0x20000, 0x20000, MEM_RESERVE, PAGE_READWRITE);
    expect(p).toBe(area + 0x20000);
    const before = snapshot(k);
    expectFailure(k, () => k.VirtualAlloc(p, 0x10000, MEM_RESERVE, PAGE_READWRITE), 0, ERROR_INVALID_ADDRESS);
    expectFailure(k, () => k.VirtualAlloc(p + 0x10000, 0x1000, MEM_RESERVE, PAGE_READWRITE), 0, ERROR_INVALID_ADDRESS);
    expectFailure(k, () => k.VirtualAlloc(p - 0x10000, 0x20000, MEM_RESERVE, PAGE_READWRITE), 0, ERROR_INVALID_ADDRESS);
    expect(snapshot(k)).toEqual(before);
  });

  it('an unaligned reservation is rounded: base down to 64 KiB, end up to a page', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const free = k.VirtualAlloc(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    expect(k.VirtualFree(free, 0, MEM_RELEASE)).toBe(true);
    const p = k.VirtualAlloc(free + 0x1234, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    expect(p).toBe(free);
    const end = Math.ceil((0x1234 + 0x1000) / page) * page;
    expect(query(k, p).RegionSize).toBe(end);
  });

  it('an unaligned commit is rounded down to the page and covers every touched page', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    const q = k.VirtualAlloc(p + page + 5, page, MEM_COMMIT, PAGE_READWRITE);
    expect(q).toBe(p + page);
    const mbi = query(k, q);
    expect(mbi.State).toBe(MEM_COMMIT);
    expect(mbi.RegionSize).toBe(2 * page);
  });
});

describe('V-015 VirtualAllocEx process handles', () => {
  it('NULL process handle → ERROR_INVALID_HANDLE; the pseudo-handle works like VirtualAlloc', () => {
    const k = kernel('x64');
    expectFailure(k, () => k.VirtualAllocEx(0, 0, 0x8000, MEM_COMMIT, PAGE_EXECUTE_READWRITE), 0, ERROR_INVALID_HANDLE);
    const p = k.VirtualAllocEx(k.GetCurrentProcess(), 0, 0x8000, MEM_COMMIT, PAGE_EXECUTE_READWRITE);
    expect(p).not.toBe(0);
    expect(query(k, p).Protect).toBe(PAGE_EXECUTE_READWRITE);
    expectFailure(k, () => k.VirtualFreeEx(0, p, 0, MEM_RELEASE), false, ERROR_INVALID_HANDLE);
    expect(k.VirtualFreeEx(k.GetCurrentProcess(), p, 0, MEM_RELEASE)).toBe(true);
  });

  it('wild and closed handles → ERROR_INVALID_HANDLE', () => {
    const k = kernel('x64');
    const other = k.system.createProcess();
    const h = k.OpenProcess(PROCESS_ALL_ACCESS, false, other.GetCurrentProcessId());
    expect(h).not.toBe(0);
    expect(k.CloseHandle(h)).toBe(true);
    for (const handle of [h, 0x1234, 3, -2]) {
      expectFailure(k, () => k.VirtualAllocEx(handle, 0, 0x1000, MEM_COMMIT, PAGE_READWRITE), 0, ERROR_INVALID_HANDLE);
    }
  });

  it('another process: allocates there, not here; needs PROCESS_VM_OPERATION', () => {
    const k = kernel('x64');
    const other = k.system.createProcess();
    const full = k.OpenProcess(PROCESS_VM_OPERATION, false, other.GetCurrentProcessId());
    const p = k.VirtualAllocEx(full, 0, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    expect(p).not.toBe(0);
    expect(query(other, p).State).toBe(MEM_COMMIT);
    expect(query(k, p).State).toBe(MEM_FREE);
    const readOnly = k.OpenProcess(PROCESS_VM_READ, false, other.GetCurrentProcessId());
    const before = snapshot(other);
    expectFailure(k, () => k.VirtualAllocEx(readOnly, 0, 0x10000, MEM_COMMIT, PAGE_READWRITE), 0, ERROR_ACCESS_DENIED);
    expectFailure(k, () => k.VirtualFreeEx(readOnly, p, 0, MEM_RELEASE), false, ERROR_ACCESS_DENIED);
    expect(snapshot(other)).toEqual(before);
    expect(k.VirtualFreeEx(full, p, 0, MEM_RELEASE)).toBe(true);
    expect(query(other, p).State).toBe(MEM_FREE);
  });
});

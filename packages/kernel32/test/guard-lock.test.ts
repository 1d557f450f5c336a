// Conformance: guard pages (spec §9: G-001..G-007) and VirtualLock / VirtualUnlock (§10: L-001..L-003).
import { describe, expect, it } from 'vitest';
import {
  ERROR_NOACCESS,
  ERROR_NOT_LOCKED,
  ERROR_WORKING_SET_QUOTA,
  MEM_COMMIT,
  MEM_PRIVATE,
  MEM_RELEASE,
  MEM_RESERVE,
  MEM_WRITE_WATCH,
  PAGE_EXECUTE_READWRITE,
  PAGE_GUARD,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
} from '../src/index';
import { ALL_GEOMETRIES, aboveUserSpaceErrors, expectFailureAmong, SENTINEL, attempt, expectFailure, kernel, query } from './support';

function thrown(call: () => unknown): { code?: number; address?: number; operation?: string } | undefined {
  try {
    call();
  } catch (error) {
    return error as { code?: number; address?: number; operation?: string };
  }
  return undefined;
}

describe.each(ALL_GEOMETRIES)('guard pages on %s', (geometry) => {
  it('G-001 RW|GUARD commit shows 0x104', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, page, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
    expect(p).not.toBe(0);
    expect(query(k, p)).toEqual({
      BaseAddress: p,
      AllocationBase: p,
      AllocationProtect: 0x104,
      RegionSize: page,
      State: MEM_COMMIT,
      Protect: 0x104,
      Type: MEM_PRIVATE,
    });
  });

  it('G-002 old protection round trip through the guard', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, page, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
    const old = { value: 0 };
    expect(k.VirtualProtect(p, page, PAGE_READWRITE, old)).toBe(true);
    expect(old.value).toBe(0x104);
    expect(k.VirtualProtect(p, page, 0x104, old)).toBe(true);
    expect(old.value).toBe(PAGE_READWRITE);
  });

  it('guard is one-shot: the first access raises 0x80000001 and clears it; the retry succeeds', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 2 * page, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
    const fault = thrown(() => k.mem.getUint32(p + 8));
    expect(fault?.code).toBe(0x80000001);
    expect(fault?.address).toBe(p + 8);
    expect(fault?.operation).toBe('read');
    expect(query(k, p)).toMatchObject({ Protect: PAGE_READWRITE, RegionSize: page });
    expect(query(k, p + page).Protect).toBe(0x104);
    expect(k.mem.getUint32(p + 8)).toBe(0);
    const writeFault = thrown(() => k.mem.setUint8(p + page, 7));
    expect(writeFault?.code).toBe(0x80000001);
    expect(writeFault?.operation).toBe('write');
    expect(k.mem.getUint8(p + page)).toBe(0); // the faulting store stored nothing
    k.mem.setUint8(p + page, 7);
    expect(k.mem.getUint8(p + page)).toBe(7);
  });

  it('G-005 write watch + guard: the write that trips the guard is not recorded, the retry is; a tripping read is not', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 2 * page, MEM_RESERVE | MEM_COMMIT | MEM_WRITE_WATCH, PAGE_READWRITE | PAGE_GUARD);
    expect(p).not.toBe(0);
    expect(thrown(() => k.mem.setUint8(p, 1))?.code).toBe(0x80000001);
    k.mem.setUint8(p, 1); // the retry, as after the exception handler continues
    expect(thrown(() => k.mem.getUint8(p + page))?.code).toBe(0x80000001);
    const addresses: number[] = [];
    const count = { value: 16 };
    const granularity = { value: 0 };
    expect(k.GetWriteWatch(0, p, 2 * page, addresses, count, granularity)).toBe(0);
    expect(count.value).toBe(1);
    expect(addresses[0]).toBe(p);
  });

  it('G-006 executing a guarded page raises one guard violation; RW memory with DEP raises an access violation', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const guarded = k.VirtualAlloc(0, page, MEM_COMMIT, PAGE_EXECUTE_READWRITE | PAGE_GUARD);
    const first = thrown(() => k.mem.execute(guarded));
    expect(first?.code).toBe(0x80000001);
    expect(thrown(() => k.mem.execute(guarded))).toBeUndefined();
    const data = k.VirtualAlloc(0, page, MEM_COMMIT, PAGE_READWRITE);
    const flags = { value: 0 };
    const permanent = { value: false };
    const depOn = k.process.geometry.pointerSize === 8 || (k.GetProcessDEPPolicy(k.GetCurrentProcess(), flags, permanent) && flags.value !== 0);
    const fault = thrown(() => k.mem.execute(data));
    if (depOn) {
      expect(fault?.code).toBe(0xc0000005);
      expect(fault?.operation).toBe('execute');
      expect(fault?.address).toBe(data);
    } else {
      expect(fault).toBeUndefined();
    }
  });

  it('VirtualLock on a guard page: the first call fails with STATUS_GUARD_PAGE_VIOLATION and clears the guard', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, page, MEM_RESERVE | MEM_COMMIT | MEM_WRITE_WATCH, PAGE_READWRITE | PAGE_GUARD);
    const old = { value: 0 };
    expect(k.VirtualProtect(p, page, PAGE_READWRITE, old)).toBe(true);
    expect(old.value).toBe(PAGE_READWRITE | PAGE_GUARD);
    k.mem.setUint32(p, 1);
    expect(k.ResetWriteWatch(p, page)).toBe(0);
    expect(k.VirtualProtect(p, page, PAGE_READWRITE | PAGE_GUARD, old)).toBe(true);
    expect(old.value).toBe(PAGE_READWRITE);
    // the last error is the NT status itself, as Windows leaves it
    expectFailure(k, () => k.VirtualLock(p, page), false, 0x80000001);
    const addresses: number[] = [];
    const count = { value: 4 };
    expect(k.GetWriteWatch(0, p, page, addresses, count, { value: 0 })).toBe(0);
    expect(count.value).toBe(0); // the failed lock wrote nothing
    expect(query(k, p)).toMatchObject({ Protect: PAGE_READWRITE, AllocationProtect: PAGE_READWRITE | PAGE_GUARD });
    expect(k.VirtualLock(p, page)).toBe(true);
    expect(k.mem.getUint32(p)).toBe(1);
    expect(k.VirtualUnlock(p, page)).toBe(true);
  });

  it('G-007 committing RW|GUARD in the middle of a committed range splits it', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 8 * page, MEM_COMMIT, PAGE_READWRITE);
    expect(k.VirtualAlloc(p + 3 * page, page, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD)).toBe(p + 3 * page);
    expect(query(k, p)).toMatchObject({ RegionSize: 3 * page, Protect: PAGE_READWRITE });
    expect(query(k, p + 3 * page)).toMatchObject({ RegionSize: page, Protect: PAGE_READWRITE | PAGE_GUARD });
    expect(query(k, p + 4 * page)).toMatchObject({ RegionSize: 4 * page, Protect: PAGE_READWRITE });
  });
});

describe.each(ALL_GEOMETRIES)('VirtualLock on %s', (geometry) => {
  it('L-001 all pages must be committed and accessible', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    expect(k.VirtualAlloc(p, page, MEM_COMMIT, PAGE_READWRITE)).toBe(p);
    const [ok, error] = attempt(k, () => k.VirtualLock(p, 2 * page));
    expect(ok).toBe(false);
    expect(error).not.toBe(SENTINEL);
    expect(k.VirtualAlloc(p + page, page, MEM_COMMIT, PAGE_NOACCESS)).toBe(p + page);
    expectFailure(k, () => k.VirtualLock(p, 2 * page), false, ERROR_NOACCESS);
    // nothing was locked by the failures
    expectFailure(k, () => k.VirtualUnlock(p, page), false, ERROR_NOT_LOCKED);
  });

  it('L-001 no lock count: one unlock undoes many locks; rounding as VirtualProtect', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 4 * page, MEM_COMMIT, PAGE_READWRITE);
    expect(k.VirtualLock(p + page - 1, 2)).toBe(true);
    expect(k.VirtualLock(p, 2 * page)).toBe(true);
    expect(k.VirtualUnlock(p, 2 * page)).toBe(true);
    expectFailure(k, () => k.VirtualUnlock(p, page), false, ERROR_NOT_LOCKED);
    expectFailure(k, () => k.VirtualUnlock(p + page, page), false, ERROR_NOT_LOCKED);
  });

  it('L-001 locking more than the working-set minimum allows → ERROR_WORKING_SET_QUOTA', () => {
    const k = kernel(geometry);
    const { pageSize, workingSetMinimumPages } = k.process.geometry;
    const size = workingSetMinimumPages * pageSize;
    const p = k.VirtualAlloc(0, size, MEM_COMMIT, PAGE_READWRITE);
    expectFailure(k, () => k.VirtualLock(p, size), false, ERROR_WORKING_SET_QUOTA);
    expectFailure(k, () => k.VirtualUnlock(p, pageSize), false, ERROR_NOT_LOCKED);
    expect(k.VirtualLock(p, 8 * pageSize)).toBe(true);
  });

  it('L-002 unlocking pages that are not locked → ERROR_NOT_LOCKED', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, page, MEM_COMMIT, PAGE_READWRITE);
    expectFailure(k, () => k.VirtualUnlock(p, page), false, ERROR_NOT_LOCKED);
  });

  it('L-003 after a lock the data is intact and unlock succeeds', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 2 * page, MEM_COMMIT, PAGE_READWRITE);
    k.mem.setUint32(p + page, 0xfeedface);
    const [locked, error] = attempt(k, () => k.VirtualLock(p, 2 * page));
    expect(locked).toBe(true);
    expect(error).toBe(SENTINEL);
    expect(k.mem.getUint32(p + page)).toBe(0xfeedface);
    expect(k.VirtualUnlock(p, 2 * page)).toBe(true);
    expect(k.mem.getUint32(p + page)).toBe(0xfeedface);
  });

  it('locking free memory or above the user space fails', () => {
    const k = kernel(geometry);
    const { highestUserAddress } = k.process.geometry;
    expectFailureAmong(k, () => k.VirtualLock(highestUserAddress + 1, 0x1000), false, aboveUserSpaceErrors(geometry));
    const free = k.VirtualAlloc(0, 0x10000, MEM_COMMIT, PAGE_READWRITE);
    expect(k.VirtualFree(free, 0, MEM_RELEASE)).toBe(true);
    const [ok, error] = attempt(k, () => k.VirtualLock(free, 0x1000));
    expect(ok).toBe(false);
    expect(error).not.toBe(SENTINEL);
  });

  it('read-only pages can be locked', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, page, MEM_COMMIT, PAGE_READONLY);
    expect(k.VirtualLock(p, page)).toBe(true);
    expect(k.VirtualUnlock(p, page)).toBe(true);
  });
});

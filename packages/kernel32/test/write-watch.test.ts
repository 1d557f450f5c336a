// Conformance: GetWriteWatch / ResetWriteWatch (spec §11: W-001..W-012), after Wine's test_write_watch.
import { describe, expect, it } from 'vitest';
import {
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  MEM_COMMIT,
  MEM_DECOMMIT,
  MEM_RESERVE,
  MEM_WRITE_WATCH,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  WRITE_WATCH_FLAG_RESET,
} from '../src/index';
import type { Kernel32 } from '../src/index';
import { ALL_GEOMETRIES, SENTINEL, attempt, expectFailure, kernel } from './support';

function watched(k: Kernel32, pageCount: number, protect = PAGE_READWRITE): number {
  const page = k.process.geometry.pageSize;
  const p = k.VirtualAlloc(0, pageCount * page, MEM_RESERVE | MEM_COMMIT | MEM_WRITE_WATCH, protect);
  expect(p).not.toBe(0);
  return p;
}

function dirty(k: Kernel32, base: number, size: number, flags = 0, capacity = 4096): number[] {
  const addresses: number[] = [];
  const count = { value: capacity };
  const granularity = { value: 0 };
  const [result, error] = attempt(k, () => k.GetWriteWatch(flags, base, size, addresses, count, granularity));
  expect(result).toBe(0);
  expect(error).toBe(SENTINEL);
  expect(granularity.value).toBe(k.process.geometry.pageSize);
  return addresses.slice(0, count.value);
}

describe.each(ALL_GEOMETRIES)('write watch on %s', (geometry) => {
  it('W-001 NULL base → 0xFFFFFFFF, ERROR_INVALID_PARAMETER', () => {
    const k = kernel(geometry);
    const count = { value: 16 };
    expectFailure(k, () => k.GetWriteWatch(0, 0, 0x10000, [], count, { value: 0 }), 0xffffffff, ERROR_INVALID_PARAMETER);
  });

  it('W-002 memory not allocated with MEM_WRITE_WATCH → 0xFFFFFFFF, ERROR_INVALID_PARAMETER', () => {
    const k = kernel(geometry);
    const p = k.VirtualAlloc(0, 0x10000, MEM_COMMIT, PAGE_READWRITE);
    expectFailure(k, () => k.GetWriteWatch(0, p, 0x10000, [], { value: 16 }, { value: 0 }), 0xffffffff, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.ResetWriteWatch(p, 0x10000), 0xffffffff, ERROR_INVALID_PARAMETER);
  });

  it('W-003 fresh region: count 0, granularity = page; one write → its page', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = watched(k, 16);
    expect(dirty(k, p, 16 * page)).toEqual([]);
    k.mem.setUint8(p + page + 1, 0x11);
    expect(dirty(k, p, 16 * page)).toEqual([p + page]);
  });

  it('W-004 WRITE_WATCH_FLAG_RESET reports then resets; ascending order', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = watched(k, 16);
    for (const index of [9, 2, 14, 5]) k.mem.setUint8(p + index * page, 1);
    expect(dirty(k, p, 16 * page, WRITE_WATCH_FLAG_RESET)).toEqual([p + 2 * page, p + 5 * page, p + 9 * page, p + 14 * page]);
    expect(dirty(k, p, 16 * page)).toEqual([]);
  });

  it('W-004 a too-small array receives the first pages; count says how many', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = watched(k, 16);
    for (const index of [1, 3, 5, 7]) k.mem.setUint8(p + index * page, 1);
    expect(dirty(k, p, 16 * page, WRITE_WATCH_FLAG_RESET, 2)).toEqual([p + page, p + 3 * page]);
    // only the reported pages were reset
    expect(dirty(k, p, 16 * page)).toEqual([p + 5 * page, p + 7 * page]);
  });

  it('W-005 a sub-range reports only its own dirty pages', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = watched(k, 16);
    for (const index of [1, 3, 4, 5, 10]) k.mem.setUint8(p + index * page, 1);
    expect(dirty(k, p + 3 * page, 2 * page)).toEqual([p + 3 * page, p + 4 * page]);
  });

  it('W-006 ResetWriteWatch clears only its range', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = watched(k, 16);
    for (const index of [0, 2, 4, 6]) k.mem.setUint8(p + index * page, 1);
    const [result, error] = attempt(k, () => k.ResetWriteWatch(p, 3 * page));
    expect(result).toBe(0);
    expect(error).toBe(SENTINEL);
    expect(dirty(k, p, 16 * page)).toEqual([p + 4 * page, p + 6 * page]);
  });

  it('W-007 a write straddling a page boundary marks both pages', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = watched(k, 4);
    k.mem.setUint32(p + 2 * page - 2, 0xffffffff);
    expect(dirty(k, p, 4 * page)).toEqual([p + page, p + 2 * page]);
  });

  it('W-009 VirtualProtect neither clears nor sets watch bits', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = watched(k, 4);
    k.mem.setUint8(p, 1);
    k.mem.setUint8(p + 2 * page, 1);
    const old = { value: 0 };
    expect(k.VirtualProtect(p, 4 * page, PAGE_READONLY, old)).toBe(true);
    expect(k.VirtualProtect(p, 4 * page, PAGE_READWRITE, old)).toBe(true);
    expect(dirty(k, p, 4 * page)).toEqual([p, p + 2 * page]);
  });

  it('W-011 reserved-only watched region: count 0; commit NOACCESS, write page 5 via RW, back to NOACCESS → page 5', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = k.VirtualAlloc(0, 16 * page, MEM_RESERVE | MEM_WRITE_WATCH, PAGE_READWRITE);
    const addresses = [SENTINEL];
    const count = { value: 16 };
    expect(k.GetWriteWatch(0, p, 16 * page, addresses, count, { value: 0 })).toBe(0);
    expect(count.value).toBe(0);
    expect(addresses).toEqual([SENTINEL]); // untouched when nothing is reported
    expect(k.ResetWriteWatch(p, 16 * page)).toBe(0);
    expect(k.VirtualAlloc(p, 16 * page, MEM_COMMIT, PAGE_NOACCESS)).toBe(p);
    const old = { value: 0 };
    expect(k.VirtualProtect(p, 6 * page, PAGE_READWRITE, old)).toBe(true);
    k.mem.setUint8(p + 5 * page, 1);
    expect(k.VirtualProtect(p, 6 * page, PAGE_NOACCESS, old)).toBe(true);
    expect(dirty(k, p, 16 * page)).toEqual([p + 5 * page]);
  });

  it('W-011 decommitted and re-protected pages report nothing until written; results untouched when count is 0', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const size = 16 * page;
    const p = k.VirtualAlloc(0, size, MEM_RESERVE | MEM_WRITE_WATCH, PAGE_READWRITE);
    expect(k.VirtualAlloc(p, size, MEM_COMMIT, PAGE_NOACCESS)).toBe(p);
    expect(k.VirtualFree(p + page, page, MEM_DECOMMIT)).toBe(true);
    const old = { value: 0 };
    expect(k.VirtualProtect(p + 2 * page, page, PAGE_READWRITE, old)).toBe(true);
    expect(old.value).toBe(PAGE_NOACCESS);
    const addresses = [SENTINEL];
    const count = { value: 64 };
    expect(k.GetWriteWatch(WRITE_WATCH_FLAG_RESET, p, size, addresses, count, { value: 0 })).toBe(0);
    expect(count.value).toBe(0);
    expect(addresses[0]).toBe(SENTINEL);
    k.mem.setUint8(p + 2 * page + 200, 3);
    expect(dirty(k, p, size, WRITE_WATCH_FLAG_RESET)).toEqual([p + 2 * page]);
  });

  it('W-012 2048 pages with every second page written → 1024, also after a read-only half', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = watched(k, 2048);
    for (let i = 0; i < 2048; i += 2) k.mem.setUint8(p + i * page, 1);
    const expected = Array.from({ length: 1024 }, (_, i) => p + 2 * i * page);
    expect(dirty(k, p, 2048 * page)).toEqual(expected);
    const old = { value: 0 };
    expect(k.VirtualProtect(p, 1024 * page, PAGE_READONLY, old)).toBe(true);
    expect(dirty(k, p, 2048 * page)).toEqual(expected);
  });

  it('Wine invalid-parameter cases: counts, NULL boxes, sizes, ranges', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const size = 16 * page;
    const base = watched(k, 16);
    k.mem.setUint8(base, 1);
    const results: number[] = [];
    const granularity = { value: 0 };
    const fail = (call: () => number, error: number) => expectFailure(k, call, 0xffffffff, error);
    fail(() => k.GetWriteWatch(0, base, size, results, { value: 0 }, granularity), ERROR_INVALID_PARAMETER);
    fail(() => k.GetWriteWatch(0, base, size, results, undefined, granularity), ERROR_NOACCESS);
    fail(() => k.GetWriteWatch(0, base, size, results, { value: 64 }, undefined), ERROR_NOACCESS);
    fail(() => k.GetWriteWatch(0, base, size, undefined, { value: 64 }, granularity), ERROR_NOACCESS);
    fail(() => k.GetWriteWatch(0, base, size, undefined, { value: 0 }, granularity), ERROR_INVALID_PARAMETER);
    fail(() => k.GetWriteWatch(0xdeadbeef, base, size, results, { value: 64 }, granularity), ERROR_INVALID_PARAMETER);
    fail(() => k.GetWriteWatch(0, base, 0, results, { value: 64 }, granularity), ERROR_INVALID_PARAMETER);
    fail(() => k.GetWriteWatch(0, base, size * 2, results, { value: 64 }, granularity), ERROR_INVALID_PARAMETER);
    fail(() => k.GetWriteWatch(0, base + size - page, page + 1, results, { value: 64 }, granularity), ERROR_INVALID_PARAMETER);
    fail(() => k.ResetWriteWatch(base, 0), ERROR_INVALID_PARAMETER);
    // none of the failures reset anything
    expect(dirty(k, base, size)).toEqual([base]);
  });

  it('unknown flags → 0xFFFFFFFF, ERROR_INVALID_PARAMETER; a range beyond the region fails', () => {
    const k = kernel(geometry);
    const page = k.process.geometry.pageSize;
    const p = watched(k, 4);
    expectFailure(k, () => k.GetWriteWatch(2, p, 4 * page, [], { value: 4 }, { value: 0 }), 0xffffffff, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.GetWriteWatch(0, p, 0x20000, [], { value: 4 }, { value: 0 }), 0xffffffff, ERROR_INVALID_PARAMETER);
  });
});

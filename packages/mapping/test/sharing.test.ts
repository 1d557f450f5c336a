// Shared frames: views of one section — in one process or in two processes of a machine — see each
// other's stores at once (M-028); FILE_MAP_COPY views are copy-on-write per page.
import {
  ERROR_ALREADY_EXISTS,
  FILE_MAP_ALL_ACCESS,
  FILE_MAP_COPY,
  FILE_MAP_READ,
  FILE_MAP_WRITE,
  INVALID_HANDLE_VALUE,
  MEM_COMMIT,
  MEM_MAPPED,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOPY,
} from '@mem/pages';
import { describe, expect, it } from 'vitest';
import { attempt, kernel, query, sibling } from './support';

describe('shared memory between views', () => {
  it('two views in one process see each other at once', () => {
    const k = kernel();
    const h = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x20000, undefined);
    const a = k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
    const b = k.MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0);
    expect(a).not.toBe(0);
    expect(b).not.toBe(0);
    expect(a).not.toBe(b);
    k.process.mem.setUint32(a + 0x1ff00, 0x1a2b3c4d);
    expect(k.process.mem.getUint32(b + 0x1ff00)).toBe(0x1a2b3c4d);
    // the read first, then a store through the other view
    expect(k.process.mem.getUint8(b + 5)).toBe(0);
    k.process.mem.setUint8(a + 5, 0x77);
    expect(k.process.mem.getUint8(b + 5)).toBe(0x77);
    k.process.addressSpace.validate();
  });

  it('M-028 a named pagefile mapping shares memory between processes', () => {
    const parent = kernel();
    const child = sibling(parent);
    const hp = parent.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 4096, 'winetest_virtual.c');
    expect(hp).not.toBe(0);
    const p = parent.MapViewOfFile(hp, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 4096);
    parent.process.mem.setUint32(p, 0x1a2b3c4d);
    const [hc, error] = attempt(child, () => child.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 4096, 'winetest_virtual.c'));
    expect(hc).not.toBe(0);
    expect(error).toBe(ERROR_ALREADY_EXISTS);
    const c = child.MapViewOfFile(hc, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 4096);
    expect(child.process.mem.getUint32(c)).toBe(0x1a2b3c4d);
    // and back the other way, at once
    child.process.mem.setUint16(c + 100, 0xbeef);
    expect(parent.process.mem.getUint16(p + 100)).toBe(0xbeef);
    expect(query(child, c).Type).toBe(MEM_MAPPED);
  });

  it('FILE_MAP_COPY: the written page becomes private PAGE_READWRITE; other views and pages unchanged', () => {
    const k = kernel();
    const other = sibling(k);
    const h = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x3000, 'cow');
    const shared = k.MapViewOfFile(h, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    k.process.mem.setUint32(shared, 0x11111111);
    k.process.mem.setUint32(shared + 0x1000, 0x22222222);
    const copy = k.MapViewOfFile(h, FILE_MAP_COPY, 0, 0, 0);
    const info = query(k, copy);
    expect(info.AllocationProtect).toBe(PAGE_WRITECOPY);
    expect(info.Protect).toBe(PAGE_WRITECOPY);
    expect(info.RegionSize).toBe(0x3000);
    expect(k.process.mem.getUint32(copy)).toBe(0x11111111);
    k.process.mem.setUint32(copy, 0x33333333);
    expect(k.process.mem.getUint32(copy)).toBe(0x33333333);
    expect(k.process.mem.getUint32(shared)).toBe(0x11111111);
    const after = query(k, copy);
    expect(after.Protect).toBe(PAGE_READWRITE);
    expect(after.RegionSize).toBe(0x1000);
    expect(after.State).toBe(MEM_COMMIT);
    const rest = query(k, copy + 0x1000);
    expect(rest.Protect).toBe(PAGE_WRITECOPY);
    expect(rest.RegionSize).toBe(0x2000);
    // the untouched copy-on-write page still follows the section
    k.process.mem.setUint32(shared + 0x1000, 0x44444444);
    expect(k.process.mem.getUint32(copy + 0x1000)).toBe(0x44444444);
    // another process sees the section, not the private copy
    const ho = other.OpenFileMapping(FILE_MAP_READ, false, 'cow');
    const seen = other.MapViewOfFile(ho, FILE_MAP_READ, 0, 0, 0);
    expect(other.process.mem.getUint32(seen)).toBe(0x11111111);
    expect(query(other, seen).Protect).toBe(PAGE_READONLY);
    k.process.addressSpace.validate();
    other.process.addressSpace.validate();
    k.machine.physical.validate();
  });
});

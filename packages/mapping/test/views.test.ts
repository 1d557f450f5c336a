// Conformance: mapping views (spec §13.2–13.3, P-011, R-004; Wine test_mapping, test_MapViewOfFile,
// test_NtMapViewOfSection). Expected answers for the access and protection tables come from the
// rules Wine's tests check on Windows (is_compatible_access / is_compatible_protection), written
// here as a small reference model.
import {
  ERROR_ACCESS_DENIED,
  ERROR_COMMITMENT_LIMIT,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_MAPPED_ALIGNMENT,
  FILE_MAP_ALL_ACCESS,
  FILE_MAP_COPY,
  FILE_MAP_EXECUTE,
  FILE_MAP_READ,
  FILE_MAP_WRITE,
  GENERIC_EXECUTE,
  GENERIC_READ,
  GENERIC_WRITE,
  INVALID_HANDLE_VALUE,
  MEM_COMMIT,
  MEM_DECOMMIT,
  MEM_FREE,
  MEM_MAPPED,
  MEM_PRESERVE_PLACEHOLDER,
  MEM_RELEASE,
  MEM_RESERVE,
  MEM_RESET,
  MEM_UNMAP_WITH_TRANSIENT_BOOST,
  OPEN_EXISTING,
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
  SECTION_MAP_EXECUTE,
  SECTION_MAP_EXECUTE_EXPLICIT,
  SECTION_MAP_READ,
  SECTION_MAP_WRITE,
  SECTION_QUERY,
  SEC_COMMIT,
  SEC_NOCACHE,
  SEC_RESERVE,
  SEC_WRITECOMBINE,
} from '@mem/pages';
import { describe, expect, it } from 'vitest';
import { type Kernel, attempt, expectFailure, kernel, query, sectionOf, sibling, snapshot, tempFile } from './support';

const MAPPING_SIZE = 0x100000;

// ---- the reference model (Wine test_mapping, run against Windows)
const ACCESS_READ = 1;
const ACCESS_WRITE = 2;
const ACCESS_EXECUTE = 4;
const ACCESS_WRITECOPY = 8;
function pageProtToAccess(prot: number): number {
  switch (prot) {
    case PAGE_READWRITE:
      return ACCESS_READ | ACCESS_WRITE;
    case PAGE_EXECUTE:
    case PAGE_EXECUTE_READ:
      return ACCESS_READ | ACCESS_EXECUTE;
    case PAGE_EXECUTE_READWRITE:
      return ACCESS_READ | ACCESS_WRITE | ACCESS_WRITECOPY | ACCESS_EXECUTE;
    case PAGE_EXECUTE_WRITECOPY:
      return ACCESS_READ | ACCESS_WRITECOPY | ACCESS_EXECUTE;
    case PAGE_READONLY:
    case PAGE_WRITECOPY:
      return ACCESS_READ;
    default:
      return 0;
  }
}
function isCompatibleProtection(mapProt: number, viewProt: number, prot: number): boolean {
  const map = pageProtToAccess(mapProt);
  const view = pageProtToAccess(viewProt);
  const wanted = pageProtToAccess(prot);
  if (view === wanted) return true;
  if (!view) return false;
  if ((view & wanted) !== wanted) return false;
  return (map & wanted) === wanted;
}
function mapProtToAccess(prot: number): number {
  switch (prot) {
    case PAGE_READWRITE:
    case PAGE_EXECUTE_READWRITE:
      return SECTION_MAP_READ | SECTION_MAP_WRITE | SECTION_MAP_EXECUTE | SECTION_MAP_EXECUTE_EXPLICIT | SECTION_QUERY;
    case PAGE_READONLY:
    case PAGE_WRITECOPY:
    case PAGE_EXECUTE:
    case PAGE_EXECUTE_READ:
    case PAGE_EXECUTE_WRITECOPY:
      return SECTION_MAP_READ | SECTION_MAP_EXECUTE | SECTION_MAP_EXECUTE_EXPLICIT | SECTION_QUERY;
    default:
      return 0;
  }
}
function isCompatibleAccess(mapProt: number, viewAccess: number): boolean {
  const access = mapProtToAccess(mapProt);
  const wanted = viewAccess === 0 ? SECTION_MAP_READ : viewAccess;
  return (wanted & access) === wanted;
}

/** Wine's view table: dwDesiredAccess → the protection VirtualQuery shows. */
const VIEWS: [number, number][] = [
  [0, PAGE_NOACCESS],
  [FILE_MAP_COPY, PAGE_WRITECOPY],
  [FILE_MAP_WRITE, PAGE_READWRITE],
  [FILE_MAP_WRITE | FILE_MAP_COPY, PAGE_READWRITE],
  [FILE_MAP_READ, PAGE_READONLY],
  [FILE_MAP_READ | FILE_MAP_COPY, PAGE_READONLY],
  [FILE_MAP_READ | FILE_MAP_WRITE, PAGE_READWRITE],
  [FILE_MAP_READ | FILE_MAP_WRITE | FILE_MAP_COPY, PAGE_READWRITE],
  [SECTION_MAP_EXECUTE, PAGE_NOACCESS],
  [SECTION_MAP_EXECUTE | FILE_MAP_COPY, PAGE_NOACCESS],
  [SECTION_MAP_EXECUTE | FILE_MAP_WRITE, PAGE_READWRITE],
  [SECTION_MAP_EXECUTE | FILE_MAP_READ, PAGE_READONLY],
  [SECTION_MAP_EXECUTE | FILE_MAP_READ | FILE_MAP_WRITE, PAGE_READWRITE],
  [FILE_MAP_EXECUTE, PAGE_NOACCESS],
  [FILE_MAP_EXECUTE | FILE_MAP_COPY, PAGE_EXECUTE_WRITECOPY],
  [FILE_MAP_EXECUTE | FILE_MAP_WRITE, PAGE_EXECUTE_READWRITE],
  [FILE_MAP_EXECUTE | FILE_MAP_WRITE | FILE_MAP_COPY, PAGE_EXECUTE_READWRITE],
  [FILE_MAP_EXECUTE | FILE_MAP_READ, PAGE_EXECUTE_READ],
  [FILE_MAP_EXECUTE | FILE_MAP_READ | FILE_MAP_COPY, PAGE_EXECUTE_READ],
  [FILE_MAP_EXECUTE | FILE_MAP_READ | FILE_MAP_WRITE, PAGE_EXECUTE_READWRITE],
  [FILE_MAP_EXECUTE | SECTION_MAP_EXECUTE | FILE_MAP_READ | FILE_MAP_WRITE | FILE_MAP_COPY, PAGE_EXECUTE_READWRITE],
];
const PAGE_PROTS = [PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY];

function fileMapping(k: Kernel, protection: number): number {
  const file = k.CreateFile(tempFile(4096), GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE, 0, undefined, OPEN_EXISTING, 0, 0);
  return k.CreateFileMapping(file, undefined, protection | SEC_COMMIT, 0, 4096, undefined);
}

describe('test_mapping: view access × section protection', () => {
  it.each(PAGE_PROTS.filter((p) => p !== PAGE_NOACCESS))('section %d: each view access maps or is denied; VirtualProtect follows P-011; VirtualAlloc is denied', (mapProt) => {
    const k = kernel();
    const h = fileMapping(k, mapProt);
    expect(h).not.toBe(0);
    for (const [access, viewProt] of VIEWS) {
      const [base, error] = attempt(k, () => k.MapViewOfFile(h, access, 0, 0, 0));
      if (!isCompatibleAccess(mapProt, access)) {
        expect(base, `map ${mapProt} access ${access}`).toBe(0);
        expect(error).toBe(ERROR_ACCESS_DENIED);
        continue;
      }
      expect(base, `map ${mapProt} access ${access}`).not.toBe(0);
      expect(base % 0x10000).toBe(0);
      const info = query(k, base);
      expect(info).toMatchObject({ BaseAddress: base, AllocationBase: base, RegionSize: 4096, State: MEM_COMMIT, Type: MEM_MAPPED });
      expect(info.Protect, `map ${mapProt} access ${access}`).toBe(viewProt);
      expect(info.AllocationProtect).toBe(viewProt);
      let previous = info.Protect;
      for (const requested of PAGE_PROTS) {
        const old = { value: SENTINEL_OLD };
        const [ok, protectError] = attempt(k, () => k.VirtualProtect(base, 4096, requested, old));
        if (isCompatibleProtection(mapProt, viewProt, requested)) {
          expect(ok, `map ${mapProt} view ${viewProt} prot ${requested}`).toBe(true);
          expect(old.value).toBe(previous);
          previous = requested === PAGE_EXECUTE_WRITECOPY && viewProt !== PAGE_EXECUTE_WRITECOPY ? PAGE_EXECUTE_READWRITE : requested;
          expect(query(k, base).Protect).toBe(previous);
        } else {
          expect(ok, `map ${mapProt} view ${viewProt} prot ${requested}`).toBe(false);
          expect(protectError).toBe(ERROR_INVALID_PARAMETER);
        }
      }
      // pages of a file view are committed already: refused whatever the protection
      for (const requested of PAGE_PROTS) expectFailure(k, () => k.VirtualAlloc(base, 4096, MEM_COMMIT, requested), 0, ERROR_ACCESS_DENIED);
      expect(k.UnmapViewOfFile(base)).toBe(true);
    }
    k.process.addressSpace.validate();
  });

  it('a handle with no access maps nothing (the PAGE_NOACCESS trick)', () => {
    const k = kernel();
    const h = fileMapping(k, PAGE_READWRITE);
    const none = k.process.handles.duplicate(h, 0);
    for (const [access] of VIEWS) expectFailure(k, () => k.MapViewOfFile(none, access, 0, 0, 0), 0, ERROR_ACCESS_DENIED);
  });
});

const SENTINEL_OLD = 0xdeadbeef;

describe('test_MapViewOfFile', () => {
  it('handle access masks are checked by MapViewOfFile', () => {
    const k = kernel();
    const named = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 4090, 'Local\\Foo');
    expect(named).not.toBe(0);
    const read = k.OpenFileMapping(FILE_MAP_READ, false, 'Local\\Foo');
    expect(read).not.toBe(0);
    expectFailure(k, () => k.MapViewOfFile(read, FILE_MAP_WRITE, 0, 0, 0), 0, ERROR_ACCESS_DENIED);
    const ro = k.MapViewOfFile(read, FILE_MAP_READ, 0, 0, 0);
    expect(query(k, ro)).toMatchObject({ BaseAddress: ro, AllocationBase: ro, AllocationProtect: PAGE_READONLY, RegionSize: 4096, State: MEM_COMMIT, Protect: PAGE_READONLY });
    expect(k.MapViewOfFile(read, 0, 0, 0, 0)).not.toBe(0);
    const write = k.OpenFileMapping(FILE_MAP_WRITE, false, 'Local\\Foo');
    expectFailure(k, () => k.MapViewOfFile(write, FILE_MAP_READ, 0, 0, 0), 0, ERROR_ACCESS_DENIED);
    const rw = k.MapViewOfFile(write, FILE_MAP_WRITE, 0, 0, 0);
    expect(query(k, rw)).toMatchObject({ AllocationProtect: PAGE_READWRITE, RegionSize: 4096, State: MEM_COMMIT, Protect: PAGE_READWRITE });
    const none = k.process.handles.duplicate(named, 0);
    expectFailure(k, () => k.MapViewOfFile(none, 0, 0, 0, 0), 0, ERROR_ACCESS_DENIED);
  });

  it('read-only and copy-on-write file mappings refuse FILE_MAP_WRITE; PAGE_NOACCESS mappings are invalid', () => {
    const k = kernel();
    const file = k.CreateFile(tempFile(12288), GENERIC_READ | GENERIC_WRITE, 0, undefined, OPEN_EXISTING, 0, 0);
    for (const protection of [PAGE_READONLY, PAGE_WRITECOPY]) {
      const h = k.CreateFileMapping(file, undefined, protection, 0, 4096, undefined);
      for (const access of [FILE_MAP_READ, FILE_MAP_COPY, 0]) {
        const view = k.MapViewOfFile(h, access, 0, 0, 4096);
        expect(view).not.toBe(0);
        expect(k.UnmapViewOfFile(view)).toBe(true);
      }
      expectFailure(k, () => k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 4096), 0, ERROR_ACCESS_DENIED);
      expect(k.CloseHandle(h)).toBe(true);
    }
    expectFailure(k, () => k.CreateFileMapping(file, undefined, PAGE_NOACCESS, 0, 4096, undefined), 0, ERROR_INVALID_PARAMETER);
  });

  it('SEC_RESERVE: views start reserved; VirtualAlloc(MEM_COMMIT) commits the section for every view', () => {
    const k = kernel();
    const other = sibling(k);
    const h = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE | SEC_RESERVE, 0, MAPPING_SIZE, 'reserve');
    const ptr = k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
    const ptr2 = k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
    expect(ptr).not.toBe(ptr2);
    const ho = other.OpenFileMapping(FILE_MAP_ALL_ACCESS, false, 'reserve');
    const remote = other.MapViewOfFile(ho, FILE_MAP_READ, 0, 0, 0);
    for (const base of [ptr, ptr2]) {
      expect(query(k, base)).toEqual({ BaseAddress: base, AllocationBase: base, AllocationProtect: PAGE_READWRITE, RegionSize: MAPPING_SIZE, State: MEM_RESERVE, Protect: 0, Type: MEM_MAPPED });
    }
    expect(() => k.process.mem.getUint8(ptr)).toThrow();
    const charge = k.machine.physical.commitChargePages;
    expect(k.VirtualAlloc(ptr, 0x10000, MEM_COMMIT, PAGE_READONLY)).toBe(ptr);
    expect(k.machine.physical.commitChargePages).toBe(charge + 16);
    expect(query(k, ptr)).toMatchObject({ BaseAddress: ptr, AllocationBase: ptr, RegionSize: 0x10000, State: MEM_COMMIT, Protect: PAGE_READONLY, AllocationProtect: PAGE_READWRITE, Type: MEM_MAPPED });
    expect(query(k, ptr2)).toMatchObject({ BaseAddress: ptr2, RegionSize: 0x10000, State: MEM_COMMIT, Protect: PAGE_READWRITE, AllocationProtect: PAGE_READWRITE });
    expect(query(other, remote)).toMatchObject({ RegionSize: 0x10000, State: MEM_COMMIT, Protect: PAGE_READONLY, AllocationProtect: PAGE_READONLY });
    expect(query(k, ptr2 + 0x10000)).toMatchObject({ State: MEM_RESERVE, RegionSize: MAPPING_SIZE - 0x10000 });
    k.process.mem.setUint32(ptr2 + 8, 0xfeedf00d);
    expect(k.process.mem.getUint32(ptr + 8)).toBe(0xfeedf00d);
    expect(other.process.mem.getUint32(remote + 8)).toBe(0xfeedf00d);
    // a view mapped later shows the committed part
    const late = k.MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0);
    expect(query(k, late)).toMatchObject({ State: MEM_COMMIT, RegionSize: 0x10000, Protect: PAGE_READONLY });
    // MEM_RESET on a pagefile view succeeds
    expect(k.VirtualAlloc(ptr, 0x10000, MEM_RESET, PAGE_READONLY)).toBe(ptr);
    expectFailure(k, () => k.VirtualFree(ptr, 0x10000, MEM_DECOMMIT), false, ERROR_INVALID_PARAMETER);
    expect(k.UnmapViewOfFile(ptr2)).toBe(true);
    expect(k.UnmapViewOfFile(ptr)).toBe(true);
    expect(k.UnmapViewOfFile(late)).toBe(true);
    k.CloseHandle(h);
    expect(k.machine.physical.commitChargePages).toBe(charge + 16);
    other.CloseHandle(ho);
    expect(k.machine.physical.commitChargePages).toBe(charge + 16);
    other.UnmapViewOfFile(remote);
    expect(k.machine.physical.commitChargePages).toBe(charge);
    k.process.addressSpace.validate();
    other.process.addressSpace.validate();
    k.machine.physical.validate();
  });

  it('committing a SEC_RESERVE section beyond the commit limit is ERROR_COMMITMENT_LIMIT and changes nothing', () => {
    const k = kernel({ physicalMemory: 16 << 20, pagingFile: 0 });
    const h = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE | SEC_RESERVE, 0, 64 << 20, undefined);
    const view = k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
    const copy = k.MapViewOfFile(h, FILE_MAP_COPY, 0, 0, 0);
    const before = snapshot(k);
    const charge = k.machine.physical.commitChargePages;
    expectFailure(k, () => k.VirtualAlloc(view, 32 << 20, MEM_COMMIT, PAGE_READWRITE), 0, ERROR_COMMITMENT_LIMIT);
    expect(snapshot(k)).toEqual(before);
    expect(k.machine.physical.commitChargePages).toBe(charge);
    expect(k.VirtualAlloc(view, 1 << 20, MEM_COMMIT, PAGE_READWRITE)).toBe(view);
    expect(query(k, copy)).toMatchObject({ State: MEM_COMMIT, RegionSize: 1 << 20, Protect: PAGE_WRITECOPY });
    expect(k.machine.physical.commitChargePages).toBe(charge + 2 * 256);
    sectionOf(k, h).validate();
  });

  it('M-025 SEC_COMMIT view: VirtualAlloc(MEM_COMMIT, PAGE_READONLY) just changes those pages', () => {
    const k = kernel();
    const h = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE | SEC_COMMIT, 0, MAPPING_SIZE, undefined);
    const ptr = k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
    expect(query(k, ptr)).toMatchObject({ RegionSize: MAPPING_SIZE, State: MEM_COMMIT, Protect: PAGE_READWRITE });
    const charge = k.machine.physical.commitChargePages;
    expect(k.VirtualAlloc(ptr, 0x10000, MEM_COMMIT, PAGE_READONLY)).toBe(ptr);
    expect(query(k, ptr)).toMatchObject({ RegionSize: 0x10000, State: MEM_COMMIT, Protect: PAGE_READONLY });
    expect(k.machine.physical.commitChargePages).toBe(charge);
    expect(k.VirtualAlloc(ptr, MAPPING_SIZE, MEM_RESET, PAGE_READONLY)).toBe(ptr);
  });

  it('M-025 SEC_COMMIT | SEC_NOCACHE views carry PAGE_NOCACHE: 0x204, and 0x202 after recommitting read-only', () => {
    const k = kernel();
    const h = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE | SEC_COMMIT | SEC_NOCACHE, 0, MAPPING_SIZE, undefined);
    const ptr = k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
    expect(query(k, ptr)).toMatchObject({ RegionSize: MAPPING_SIZE, State: MEM_COMMIT, Protect: PAGE_READWRITE | PAGE_NOCACHE, AllocationProtect: PAGE_READWRITE | PAGE_NOCACHE });
    expect(k.VirtualAlloc(ptr, 0x10000, MEM_COMMIT, PAGE_READONLY)).toBe(ptr);
    expect(query(k, ptr)).toMatchObject({ RegionSize: 0x10000, Protect: PAGE_READONLY | PAGE_NOCACHE });
    const old = { value: 0 };
    expect(k.VirtualProtect(ptr + 0x10000, 0x1000, PAGE_READONLY, old)).toBe(true);
    expect(old.value).toBe(PAGE_READWRITE | PAGE_NOCACHE);
    expect(query(k, ptr).RegionSize).toBe(0x11000);
    k.process.mem.setUint8(ptr + 0x20000, 5);
    expect(k.process.mem.getUint8(ptr + 0x20000)).toBe(5);
    const combined = k.MapViewOfFile(k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE | SEC_RESERVE | SEC_WRITECOMBINE, 0, 0x2000, undefined), FILE_MAP_READ, 0, 0, 0);
    expect(query(k, combined)).toMatchObject({ State: MEM_RESERVE, AllocationProtect: PAGE_READONLY | PAGE_WRITECOMBINE });
  });

  it('M-015 / M-022 views are 64 KiB aligned, at different addresses, each its own allocation', () => {
    const k = kernel({ geometry: 'x86' });
    const h = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x3000, undefined);
    const bases = [0, 1, 2, 3].map(() => k.MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0));
    expect(new Set(bases).size).toBe(4);
    for (const base of bases) {
      expect(base % 0x10000).toBe(0);
      expect(query(k, base)).toMatchObject({ BaseAddress: base, AllocationBase: base, RegionSize: 0x3000 });
    }
  });

  it('M-023 a view of a 2-page file mapping: RegionSize 2 pages, MEM_COMMIT, MEM_MAPPED', () => {
    const k = kernel();
    const file = k.CreateFile(tempFile(0x2000), GENERIC_READ | GENERIC_WRITE, 0, undefined, OPEN_EXISTING, 0, 0);
    const h = k.CreateFileMapping(file, undefined, PAGE_READWRITE, 0, 0, undefined);
    const base = k.MapViewOfFile(h, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    expect(query(k, base)).toMatchObject({ RegionSize: 0x2000, State: MEM_COMMIT, Type: MEM_MAPPED, Protect: PAGE_READWRITE });
  });

  it('VirtualFree(view, 0, MEM_RELEASE) is refused with ERROR_INVALID_PARAMETER (STATUS_UNABLE_TO_DELETE_SECTION); the view stays', () => {
    const k = kernel();
    const h = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x10000, undefined);
    const base = k.MapViewOfFile(h, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    k.process.mem.setUint32(base, 0x1234);
    const before = snapshot(k);
    expectFailure(k, () => k.VirtualFree(base, 0, MEM_RELEASE), false, ERROR_INVALID_PARAMETER);
    expect(snapshot(k)).toEqual(before);
    expect(k.process.mem.getUint32(base)).toBe(0x1234);
    expect(k.UnmapViewOfFile(base)).toBe(true);
  });

  it('UnmapViewOfFile takes any address inside the view; elsewhere ERROR_INVALID_ADDRESS (M-032)', () => {
    const k = kernel();
    const file = k.CreateFile(tempFile(12288), GENERIC_READ | GENERIC_WRITE, 0, undefined, OPEN_EXISTING, 0, 0);
    const h = k.CreateFileMapping(file, undefined, PAGE_READONLY, 0, 12288, undefined);
    for (const inside of [100, 4096, 4096 + 100]) {
      const ptr = k.MapViewOfFile(h, FILE_MAP_READ, 0, 0, 12288);
      expect(ptr).not.toBe(0);
      expect(k.UnmapViewOfFile(ptr + inside)).toBe(true);
      expect(query(k, ptr)).toMatchObject({ BaseAddress: ptr, AllocationBase: 0, AllocationProtect: 0, State: MEM_FREE, Protect: PAGE_NOACCESS, Type: 0 });
      expect(() => k.process.mem.getUint8(ptr)).toThrow();
      expectFailure(k, () => k.UnmapViewOfFile(ptr), false, ERROR_INVALID_ADDRESS);
    }
    const addr = k.VirtualAlloc(0, 0x10000, MEM_COMMIT, PAGE_READONLY);
    const before = snapshot(k);
    expectFailure(k, () => k.UnmapViewOfFile(addr), false, ERROR_INVALID_ADDRESS);
    expectFailure(k, () => k.UnmapViewOfFile(addr + 0x3000), false, ERROR_INVALID_ADDRESS);
    expectFailure(k, () => k.UnmapViewOfFile(0xdeadbeef), false, ERROR_INVALID_ADDRESS);
    expectFailure(k, () => k.UnmapViewOfFile(0), false, ERROR_INVALID_ADDRESS);
    expect(snapshot(k)).toEqual(before);
  });

  it('UnmapViewOfFileEx accepts MEM_UNMAP_WITH_TRANSIENT_BOOST and refuses other flags', () => {
    const k = kernel();
    const h = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x1000, undefined);
    const view = k.MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0);
    expectFailure(k, () => k.UnmapViewOfFileEx(view, MEM_PRESERVE_PLACEHOLDER), false, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.UnmapViewOfFileEx(view, 0x80), false, ERROR_INVALID_PARAMETER);
    expect(query(k, view).Type).toBe(MEM_MAPPED);
    expect(k.UnmapViewOfFileEx(view + 10, MEM_UNMAP_WITH_TRANSIENT_BOOST)).toBe(true);
    expect(query(k, view).State).toBe(MEM_FREE);
    expectFailure(k, () => k.UnmapViewOfFileEx(view, 0), false, ERROR_INVALID_ADDRESS);
  });

  it('bad offsets, sizes, addresses and handles fail with the Windows error and change nothing', () => {
    const k = kernel();
    const h = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x20000, undefined);
    const first = k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
    const before = snapshot(k);
    const charge = k.machine.physical.commitChargePages;
    expectFailure(k, () => k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 1, 0), 0, ERROR_MAPPED_ALIGNMENT);
    expectFailure(k, () => k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 0x1000, 0), 0, ERROR_MAPPED_ALIGNMENT);
    expectFailure(k, () => k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0x20001), 0, ERROR_ACCESS_DENIED);
    expectFailure(k, () => k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 0x10000, 0x10001), 0, ERROR_ACCESS_DENIED);
    expectFailure(k, () => k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 0x20000, 0), 0, ERROR_ACCESS_DENIED);
    expectFailure(k, () => k.MapViewOfFile(h, FILE_MAP_WRITE, 1, 0, 0), 0, ERROR_ACCESS_DENIED);
    expectFailure(k, () => k.MapViewOfFileEx(h, FILE_MAP_WRITE, 0, 0, 0, first), 0, ERROR_INVALID_ADDRESS);
    expectFailure(k, () => k.MapViewOfFileEx(h, FILE_MAP_WRITE, 0, 0, 0, first + 42), 0, ERROR_MAPPED_ALIGNMENT);
    expectFailure(k, () => k.MapViewOfFileEx(h, FILE_MAP_WRITE, 0, 0, 0, first + 0x1000), 0, ERROR_MAPPED_ALIGNMENT);
    expectFailure(k, () => k.MapViewOfFileEx(h, FILE_MAP_WRITE, 0, 0, 0, first + 0x10000), 0, ERROR_INVALID_ADDRESS);
    expectFailure(k, () => k.MapViewOfFileExNuma(h, FILE_MAP_WRITE, 0, 0, 0, 0, 3), 0, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.MapViewOfFile(0, FILE_MAP_WRITE, 0, 0, 0), 0, ERROR_INVALID_HANDLE);
    expectFailure(k, () => k.MapViewOfFile(h + 4, FILE_MAP_WRITE, 0, 0, 0), 0, ERROR_INVALID_HANDLE);
    expectFailure(k, () => k.MapViewOfFile(INVALID_HANDLE_VALUE, FILE_MAP_WRITE, 0, 0, 0), 0, ERROR_INVALID_HANDLE);
    expect(snapshot(k)).toEqual(before);
    expect(k.machine.physical.commitChargePages).toBe(charge);
    k.CloseHandle(h);
    expectFailure(k, () => k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0), 0, ERROR_INVALID_HANDLE);
    // the view outlives the handle
    k.process.mem.setUint8(first, 1);
    expect(k.process.mem.getUint8(first)).toBe(1);
  });

  it('MapViewOfFileEx places a view at a free 64 KiB address and at an offset shows that part', () => {
    const k = kernel();
    const h = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x30000, undefined);
    const whole = k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
    k.process.mem.setUint32(whole + 0x10000, 0xabcdef01);
    const target = 0x40000000;
    const part = k.MapViewOfFileExNuma(h, FILE_MAP_READ, 0, 0x10000, 0x1000, target, 0xffffffff);
    expect(part).toBe(target);
    expect(k.process.mem.getUint32(part)).toBe(0xabcdef01);
    expect(query(k, part)).toMatchObject({ BaseAddress: target, RegionSize: 0x1000, Protect: PAGE_READONLY });
    expect(() => k.process.mem.getUint8(part + 0x1000)).toThrow();
  });

  it('FILE_MAP_EXECUTE views can be executed, others fault under DEP; PAGE_GUARD works on views, PAGE_NOCACHE does not', () => {
    const k = kernel();
    const h = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_EXECUTE_READWRITE, 0, 0x2000, undefined);
    const code = k.MapViewOfFile(h, FILE_MAP_EXECUTE | FILE_MAP_READ, 0, 0, 0);
    expect(query(k, code).Protect).toBe(PAGE_EXECUTE_READ);
    expect(() => k.process.mem.execute(code)).not.toThrow();
    const data = k.MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0);
    expect(() => k.process.mem.execute(data)).toThrow();
    const old = { value: 0 };
    expect(k.VirtualProtect(data, 0x1000, PAGE_READONLY | PAGE_GUARD, old)).toBe(true);
    expect(() => k.process.mem.getUint8(data)).toThrow();
    expect(k.process.mem.getUint8(data)).toBe(0);
    expectFailure(k, () => k.VirtualProtect(data, 0x1000, PAGE_READONLY | PAGE_NOCACHE, old), false, ERROR_INVALID_PARAMETER);
  });
});

// Conformance: creating sections (spec §13.1: M-002..M-014; Wine test_CreateFileMapping,
// test_CreateFileMapping_protection, test_MapViewOfFile). Every failure is checked with the last-error
// sentinel and must leave the machine's commit charge and namespace as they were.
import {
  ERROR_ACCESS_DENIED,
  ERROR_BAD_EXE_FORMAT,
  ERROR_COMMITMENT_LIMIT,
  ERROR_FILE_INVALID,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOT_ENOUGH_MEMORY,
  ERROR_PRIVILEGE_NOT_HELD,
  FILE_MAP_READ,
  GENERIC_EXECUTE,
  GENERIC_READ,
  GENERIC_WRITE,
  INVALID_HANDLE_VALUE,
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
  PAGE_WRITECOPY,
  SEC_COMMIT,
  SEC_FILE,
  SEC_IMAGE,
  SEC_LARGE_PAGES,
  SEC_NOCACHE,
  SEC_RESERVE,
  SEC_WRITECOMBINE,
  createMachine,
} from '@mem/pages';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Section } from '../src/section';
import { attempt, bind, expectFailure, kernel, query, tempFile } from './support';

function sectionOf(k: ReturnType<typeof kernel>, handle: number): Section {
  return k.process.handles.get(handle)?.object as Section;
}

describe('CreateFileMapping protections (test_CreateFileMapping_protection)', () => {
  const accepted = [PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY];
  const refused = [0, PAGE_NOACCESS, PAGE_EXECUTE, 0x03, 0x05, 0x06, 0x07, 0x09, 0x0c, 0x0f, 0x30, 0x50, 0x60, 0x90, 0xc0, 0xf0, PAGE_READWRITE | PAGE_GUARD, PAGE_READWRITE | PAGE_NOCACHE];

  it.each(accepted)('file mapping with protection %d succeeds and views report it as asked', (protection) => {
    const k = kernel();
    const file = k.CreateFile(tempFile(4096), GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE, 0, undefined, OPEN_EXISTING, 0, 0);
    const [h, error] = attempt(k, () => k.CreateFileMapping(file, undefined, protection | SEC_COMMIT, 0, 4096, undefined));
    expect(h).not.toBe(0);
    expect(error).toBe(0);
    const base = k.MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0);
    const info = query(k, base);
    expect(info.Protect).toBe(PAGE_READONLY);
    expect(info.AllocationProtect).toBe(PAGE_READONLY);
    expect(info.RegionSize).toBe(4096);
  });

  it.each(refused)('protection %d is ERROR_INVALID_PARAMETER (file and pagefile)', (protection) => {
    const k = kernel();
    const file = k.CreateFile(tempFile(4096), GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE, 0, undefined, OPEN_EXISTING, 0, 0);
    expectFailure(k, () => k.CreateFileMapping(file, undefined, protection | SEC_COMMIT, 0, 4096, undefined), 0, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, protection, 0, 4096, undefined), 0, ERROR_INVALID_PARAMETER);
    expect(k.machine.physical.commitChargePages).toBe(0);
  });
});

describe('SEC_* validation (M-003, M-004)', () => {
  const anonymousOk: [number, number][] = [
    [SEC_RESERVE, SEC_RESERVE],
    [SEC_RESERVE | SEC_NOCACHE, SEC_RESERVE | SEC_NOCACHE],
    [SEC_RESERVE | SEC_WRITECOMBINE, SEC_RESERVE | SEC_WRITECOMBINE],
    [SEC_COMMIT, SEC_COMMIT],
    [SEC_COMMIT | SEC_NOCACHE, SEC_COMMIT | SEC_NOCACHE],
    [SEC_COMMIT | SEC_WRITECOMBINE, SEC_COMMIT | SEC_WRITECOMBINE],
    [0, SEC_COMMIT],
  ];
  it.each(anonymousOk)('M-003 pagefile flags %d → attributes %d', (flags, attributes) => {
    const k = kernel();
    const [h, error] = attempt(k, () => k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE | flags, 0, 0x1000, undefined));
    expect(h).not.toBe(0);
    expect(error).toBe(0);
    expect(sectionOf(k, h).attributes).toBe(attributes >>> 0);
  });

  const anonymousBad: [number, number][] = [
    [SEC_RESERVE | SEC_COMMIT, ERROR_INVALID_PARAMETER],
    [SEC_RESERVE | SEC_LARGE_PAGES, ERROR_INVALID_PARAMETER],
    [SEC_NOCACHE, ERROR_INVALID_PARAMETER],
    [SEC_LARGE_PAGES, ERROR_INVALID_PARAMETER],
    [SEC_WRITECOMBINE, ERROR_INVALID_PARAMETER],
    [SEC_FILE, ERROR_INVALID_PARAMETER],
    [SEC_FILE | SEC_RESERVE, ERROR_INVALID_PARAMETER],
    [SEC_FILE | SEC_COMMIT, ERROR_INVALID_PARAMETER],
    [SEC_IMAGE | SEC_RESERVE, ERROR_INVALID_PARAMETER],
    [SEC_IMAGE | SEC_COMMIT, ERROR_INVALID_PARAMETER],
    [SEC_IMAGE, ERROR_BAD_EXE_FORMAT],
  ];
  it.each(anonymousBad)('M-003 pagefile flags %d → error %d', (flags, error) => {
    const k = kernel();
    expectFailure(k, () => k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE | flags, 0, 0x1000, undefined), 0, error);
    expect(k.process.handles.count).toBe(0);
  });

  const fileCases: [number, number][] = [
    [0, SEC_FILE],
    [SEC_COMMIT, SEC_FILE],
    [SEC_RESERVE, SEC_FILE],
    [SEC_COMMIT | SEC_NOCACHE, SEC_FILE | SEC_NOCACHE],
    [SEC_COMMIT | SEC_WRITECOMBINE, SEC_FILE | SEC_WRITECOMBINE],
  ];
  it.each(fileCases)('M-004 data file flags %d → attributes %d', (flags, attributes) => {
    const k = kernel();
    const file = k.CreateFile(tempFile(0x3456), GENERIC_READ | GENERIC_WRITE, 0, undefined, OPEN_EXISTING, 0, 0);
    const h = k.CreateFileMapping(file, undefined, PAGE_READONLY | flags, 0, 0, undefined);
    expect(h).not.toBe(0);
    expect(sectionOf(k, h).attributes).toBe(attributes >>> 0);
  });

  it('M-004 SEC_COMMIT | SEC_LARGE_PAGES on a file and SEC_IMAGE on a data file fail', () => {
    const k = kernel();
    const file = k.CreateFile(tempFile(0x3456, (i) => i), GENERIC_READ | GENERIC_WRITE, 0, undefined, OPEN_EXISTING, 0, 0);
    expectFailure(k, () => k.CreateFileMapping(file, undefined, PAGE_READONLY | SEC_COMMIT | SEC_LARGE_PAGES, 0, 0, undefined), 0, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.CreateFileMapping(file, undefined, PAGE_READONLY | SEC_IMAGE, 0, 0, undefined), 0, ERROR_BAD_EXE_FORMAT);
    expectFailure(k, () => k.CreateFileMapping(file, undefined, PAGE_READONLY | SEC_IMAGE | SEC_COMMIT, 0, 0, undefined), 0, ERROR_INVALID_PARAMETER);
  });

  it('SEC_LARGE_PAGES needs SeLockMemoryPrivilege and a multiple of the large-page minimum', () => {
    const machine = createMachine();
    const plain = bind(machine.createProcess());
    expectFailure(plain, () => plain.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE | SEC_COMMIT | SEC_LARGE_PAGES, 0, 0x200000, undefined), 0, ERROR_PRIVILEGE_NOT_HELD);
    const privileged = bind(machine.createProcess({ privileges: ['SeLockMemoryPrivilege'] }));
    expectFailure(privileged, () => privileged.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE | SEC_COMMIT | SEC_LARGE_PAGES, 0, 0x1000, undefined), 0, ERROR_INVALID_PARAMETER);
    const h = privileged.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE | SEC_COMMIT | SEC_LARGE_PAGES, 0, 0x200000, undefined);
    expect(h).not.toBe(0);
    expect(sectionOf(privileged, h).attributes).toBe((SEC_COMMIT | SEC_LARGE_PAGES) >>> 0);
  });
});

describe('sizes (M-010..M-013)', () => {
  it('M-010 a pagefile mapping of size 0 is ERROR_INVALID_PARAMETER', () => {
    const k = kernel();
    expectFailure(k, () => k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0, undefined), 0, ERROR_INVALID_PARAMETER);
  });

  it('M-013 pagefile sections round up to pages: 0x3452 → 0x4000, 4090 → a 4096-byte view', () => {
    const k = kernel();
    const h = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READONLY, 0, 0x3452, undefined);
    expect(sectionOf(k, h).size).toBe(0x4000);
    const h2 = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 4090, undefined);
    const view = k.MapViewOfFile(h2, FILE_MAP_READ, 0, 0, 0);
    const info = query(k, view);
    expect(info.RegionSize).toBe(4096);
    expect(info.BaseAddress).toBe(view);
    expect(info.AllocationBase).toBe(view);
  });

  it('M-012 file sections are exact bytes; size 0 is the file size', () => {
    const k = kernel();
    const file = k.CreateFile(tempFile(0x3456), GENERIC_READ | GENERIC_WRITE, 0, undefined, OPEN_EXISTING, 0, 0);
    expect(sectionOf(k, k.CreateFileMapping(file, undefined, PAGE_READONLY, 0, 36, undefined)).size).toBe(36);
    expect(sectionOf(k, k.CreateFileMapping(file, undefined, PAGE_READONLY, 0, 0, undefined)).size).toBe(0x3456);
  });

  it('M-012 a read-only section larger than its file fails; a writable one extends the file', () => {
    const k = kernel();
    const filePath = tempFile(4096);
    const file = k.CreateFile(filePath, GENERIC_READ | GENERIC_WRITE, 0, undefined, OPEN_EXISTING, 0, 0);
    expectFailure(k, () => k.CreateFileMapping(file, undefined, PAGE_READONLY, 0, 4097, undefined), 0, ERROR_NOT_ENOUGH_MEMORY);
    expectFailure(k, () => k.CreateFileMapping(file, undefined, PAGE_WRITECOPY, 0, 4097, undefined), 0, ERROR_NOT_ENOUGH_MEMORY);
    expect(fs.statSync(filePath).size).toBe(4096);
    const h = k.CreateFileMapping(file, undefined, PAGE_READWRITE, 0, 0x100000, undefined);
    expect(h).not.toBe(0);
    expect(fs.statSync(filePath).size).toBe(0x100000);
  });

  it('M-011 mapping an empty file with size 0 is ERROR_FILE_INVALID; SEC_IMAGE on it ERROR_BAD_EXE_FORMAT', () => {
    const k = kernel();
    const file = k.CreateFile(tempFile(0), GENERIC_READ | GENERIC_WRITE, 0, undefined, OPEN_EXISTING, 0, 0);
    expectFailure(k, () => k.CreateFileMapping(file, undefined, PAGE_READWRITE, 0, 0, undefined), 0, ERROR_FILE_INVALID);
    expectFailure(k, () => k.CreateFileMapping(file, undefined, PAGE_READONLY | SEC_IMAGE, 0, 0, undefined), 0, ERROR_BAD_EXE_FORMAT);
  });
});

describe('file access (M-002)', () => {
  it('a GENERIC_READ file maps READONLY and WRITECOPY only', () => {
    const k = kernel();
    const file = k.CreateFile(tempFile(4096), GENERIC_READ, 0, undefined, OPEN_EXISTING, 0, 0);
    for (const protection of [PAGE_READWRITE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY]) {
      expectFailure(k, () => k.CreateFileMapping(file, undefined, protection, 0, 4096, undefined), 0, ERROR_ACCESS_DENIED);
    }
    expect(k.CreateFileMapping(file, undefined, PAGE_WRITECOPY, 0, 4096, undefined)).not.toBe(0);
    expect(k.CreateFileMapping(file, undefined, PAGE_READONLY, 0, 4096, undefined)).not.toBe(0);
  });

  it('a file opened with access 0 maps nothing', () => {
    const k = kernel();
    const file = k.CreateFile(tempFile(4096), 0, 0, undefined, OPEN_EXISTING, 0, 0);
    expect(file).not.toBe(INVALID_HANDLE_VALUE);
    for (const protection of [PAGE_READWRITE, PAGE_WRITECOPY, PAGE_READONLY]) {
      expectFailure(k, () => k.CreateFileMapping(file, undefined, protection, 0, 4096, undefined), 0, ERROR_ACCESS_DENIED);
    }
  });

  it('a handle that is not a file is ERROR_INVALID_HANDLE; a closed file handle too', () => {
    const k = kernel();
    const mapping = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 4096, undefined);
    expectFailure(k, () => k.CreateFileMapping(mapping, undefined, PAGE_READWRITE, 0, 4096, undefined), 0, ERROR_INVALID_HANDLE);
    expectFailure(k, () => k.CreateFileMapping(0, undefined, PAGE_READWRITE, 0, 4096, undefined), 0, ERROR_INVALID_HANDLE);
    const file = k.CreateFile(tempFile(4096), GENERIC_READ, 0, undefined, OPEN_EXISTING, 0, 0);
    expect(k.CloseHandle(file)).toBe(true);
    expectFailure(k, () => k.CreateFileMapping(file, undefined, PAGE_READONLY, 0, 4096, undefined), 0, ERROR_INVALID_HANDLE);
  });
});

describe('commit charge', () => {
  it('SEC_COMMIT pagefile sections charge their pages until they die; SEC_RESERVE and file sections do not', () => {
    const k = kernel();
    const physical = k.machine.physical;
    const h = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x10000, undefined);
    expect(physical.commitChargePages).toBe(16);
    const view = k.MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0);
    expect(physical.commitChargePages).toBe(16);
    k.CloseHandle(h);
    expect(physical.commitChargePages).toBe(16);
    k.UnmapViewOfFile(view);
    expect(physical.commitChargePages).toBe(0);
    const reserve = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE | SEC_RESERVE, 0, 0x100000, undefined);
    expect(physical.commitChargePages).toBe(0);
    const file = k.CreateFile(tempFile(0x10000), GENERIC_READ | GENERIC_WRITE, 0, undefined, OPEN_EXISTING, 0, 0);
    k.CreateFileMapping(file, undefined, PAGE_READWRITE, 0, 0, undefined);
    expect(physical.commitChargePages).toBe(0);
    k.CloseHandle(reserve);
  });

  it('a SEC_COMMIT section beyond the commit limit is ERROR_COMMITMENT_LIMIT and charges nothing', () => {
    const k = kernel({ physicalMemory: 16 << 20, pagingFile: 16 << 20 });
    expectFailure(k, () => k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 64 << 20, undefined), 0, ERROR_COMMITMENT_LIMIT);
    expect(k.machine.physical.commitChargePages).toBe(0);
    // SEC_RESERVE costs nothing until committed
    expect(k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE | SEC_RESERVE, 1, 0, undefined)).not.toBe(0);
  });

  it('M-005 a new mapping sets the last error to 0', () => {
    const k = kernel();
    const [h, error] = attempt(k, () => k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 4096, 'fresh'));
    expect(h).not.toBe(0);
    expect(error).toBe(0);
  });
});

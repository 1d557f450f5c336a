// Conformance: the named-object namespace of a machine (M-005, M-008, M-014, M-028; Wine
// test_MapViewOfFile "close named mapping handle without unmapping").
import {
  ERROR_ACCESS_DENIED,
  ERROR_ALREADY_EXISTS,
  ERROR_FILE_NOT_FOUND,
  ERROR_INVALID_PARAMETER,
  ERROR_PATH_NOT_FOUND,
  FILE_MAP_READ,
  FILE_MAP_WRITE,
  GENERIC_READ,
  GENERIC_WRITE,
  INVALID_HANDLE_VALUE,
  MEM_COMMIT,
  MEM_FREE,
  MEM_MAPPED,
  OPEN_EXISTING,
  PAGE_READONLY,
  PAGE_READWRITE,
} from '@mem/pages';
import { describe, expect, it } from 'vitest';
import { attempt, expectFailure, kernel, query, sibling, tempFile } from './support';

const MAPPING_SIZE = 0x100000;

describe('named sections', () => {
  it('an existing name returns a handle to the same object with ERROR_ALREADY_EXISTS', () => {
    const k = kernel();
    const first = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x1000, 'Shared');
    const [second, error] = attempt(k, () => k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x5000, 'Shared'));
    expect(second).not.toBe(0);
    expect(second).not.toBe(first);
    expect(error).toBe(ERROR_ALREADY_EXISTS);
    expect(k.process.handles.get(second)?.object).toBe(k.process.handles.get(first)?.object);
    // the second size was not used
    const view = k.MapViewOfFile(second, FILE_MAP_READ, 0, 0, 0);
    expect(query(k, view).RegionSize).toBe(0x1000);
  });

  it('names are case-sensitive; Local\\ is the same directory as no prefix, Global\\ another', () => {
    const k = kernel();
    k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x1000, 'Name');
    expect(attempt(k, () => k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x1000, 'name'))[1]).toBe(0);
    expect(attempt(k, () => k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x1000, 'Local\\Name'))[1]).toBe(ERROR_ALREADY_EXISTS);
    expect(attempt(k, () => k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x1000, 'Global\\Name'))[1]).toBe(0);
    expectFailure(k, () => k.OpenFileMapping(FILE_MAP_READ, false, 'NAME'), 0, ERROR_FILE_NOT_FOUND);
    expectFailure(k, () => k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x1000, 'No\\Such\\Dir'), 0, ERROR_PATH_NOT_FOUND);
    expectFailure(k, () => k.OpenFileMapping(FILE_MAP_READ, false, undefined), 0, ERROR_INVALID_PARAMETER);
  });

  it('M-008 OpenFileMapping of an unknown name is ERROR_FILE_NOT_FOUND', () => {
    const k = kernel();
    expectFailure(k, () => k.OpenFileMapping(FILE_MAP_READ, false, 'nothing here'), 0, ERROR_FILE_NOT_FOUND);
    expect(k.process.handles.count).toBe(0);
  });

  it('the name dies with the last handle while the view stays valid (pagefile)', () => {
    const k = kernel();
    const mapping = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, MAPPING_SIZE, 'Foo');
    const ptr = k.MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, 0);
    const map2 = k.OpenFileMapping(FILE_MAP_READ, false, 'Foo');
    expect(map2).not.toBe(0);
    expect(k.CloseHandle(map2)).toBe(true);
    expect(k.CloseHandle(mapping)).toBe(true);
    k.process.mem.setUint32(ptr + MAPPING_SIZE - 4, 7);
    expect(k.process.mem.getUint32(ptr + MAPPING_SIZE - 4)).toBe(7);
    expect(query(k, ptr)).toEqual({ BaseAddress: ptr, AllocationBase: ptr, AllocationProtect: PAGE_READWRITE, RegionSize: MAPPING_SIZE, State: MEM_COMMIT, Protect: PAGE_READWRITE, Type: MEM_MAPPED });
    expectFailure(k, () => k.OpenFileMapping(FILE_MAP_READ, false, 'Foo'), 0, ERROR_FILE_NOT_FOUND);
    const [again, error] = attempt(k, () => k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, MAPPING_SIZE, 'Foo'));
    expect(again).not.toBe(0);
    expect(error).toBe(0);
    // a new object: it does not see the old view's data
    const fresh = k.MapViewOfFile(again, FILE_MAP_READ, 0, 0, 0);
    expect(k.process.mem.getUint32(fresh + MAPPING_SIZE - 4)).toBe(0);
    expect(k.CloseHandle(again)).toBe(true);
    expect(k.UnmapViewOfFile(ptr)).toBe(true);
    expect(query(k, ptr)).toMatchObject({ State: MEM_FREE, AllocationBase: 0, Type: 0 });
  });

  it('the name dies with the last handle while the view stays valid (file)', () => {
    const k = kernel();
    const file = k.CreateFile(tempFile(4096), GENERIC_READ | GENERIC_WRITE, 0, undefined, OPEN_EXISTING, 0, 0);
    const mapping = k.CreateFileMapping(file, undefined, PAGE_READWRITE, 0, MAPPING_SIZE, 'Foo');
    const ptr = k.MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, 0);
    expect(k.CloseHandle(k.OpenFileMapping(FILE_MAP_READ, false, 'Foo'))).toBe(true);
    expect(k.CloseHandle(mapping)).toBe(true);
    expect(query(k, ptr)).toMatchObject({ RegionSize: MAPPING_SIZE, State: MEM_COMMIT, Protect: PAGE_READWRITE, Type: MEM_MAPPED });
    expectFailure(k, () => k.OpenFileMapping(FILE_MAP_READ, false, 'Foo'), 0, ERROR_FILE_NOT_FOUND);
    expect(k.UnmapViewOfFile(ptr)).toBe(true);
  });

  it('names are per machine: another machine does not see them; another process of the same does', () => {
    const k = kernel();
    const other = kernel();
    const neighbour = sibling(k);
    k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READONLY, 0, 0x1000, 'per-machine');
    expectFailure(other, () => other.OpenFileMapping(FILE_MAP_READ, false, 'per-machine'), 0, ERROR_FILE_NOT_FOUND);
    expect(neighbour.OpenFileMapping(FILE_MAP_READ, false, 'per-machine')).not.toBe(0);
    // OpenFileMapping grants what is asked; mapping checks it against the section's protection
    const write = neighbour.OpenFileMapping(FILE_MAP_WRITE, false, 'per-machine');
    expect(write).not.toBe(0);
    expect(attempt(neighbour, () => neighbour.MapViewOfFile(write, FILE_MAP_WRITE, 0, 0, 0))[1]).toBe(ERROR_ACCESS_DENIED);
  });

  it('an empty name is an unnamed section', () => {
    const k = kernel();
    const a = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x1000, '');
    const [b, error] = attempt(k, () => k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x1000, ''));
    expect(error).toBe(0);
    expect(k.process.handles.get(a)?.object).not.toBe(k.process.handles.get(b)?.object);
  });

  it('handles die with their process: the name is freed, views of others stay', () => {
    const k = kernel();
    const child = sibling(k);
    const h = child.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x1000, 'child');
    const mine = k.OpenFileMapping(FILE_MAP_WRITE, false, 'child');
    const view = k.MapViewOfFile(mine, FILE_MAP_WRITE, 0, 0, 0);
    k.CloseHandle(mine);
    expect(h).not.toBe(0);
    child.process.terminate();
    expectFailure(k, () => k.OpenFileMapping(FILE_MAP_READ, false, 'child'), 0, ERROR_FILE_NOT_FOUND);
    k.process.mem.setUint8(view, 9);
    expect(k.process.mem.getUint8(view)).toBe(9);
    k.UnmapViewOfFile(view);
    expect(k.machine.physical.commitChargePages).toBe(0);
    expect(k.machine.physical.framesInUse).toBe(0);
  });

  it('a duplicated handle keeps the section and its name after the original is closed', () => {
    const k = kernel();
    const original = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x1000, 'dup');
    const copy = k.process.handles.duplicate(original);
    expect(k.CloseHandle(original)).toBe(true);
    expect(k.OpenFileMapping(FILE_MAP_READ, false, 'dup')).not.toBe(0);
    const view = k.MapViewOfFile(copy, FILE_MAP_WRITE, 0, 0, 0);
    expect(view).not.toBe(0);
    for (const [handle] of [...k.process.handles]) k.CloseHandle(handle);
    expectFailure(k, () => k.OpenFileMapping(FILE_MAP_READ, false, 'dup'), 0, ERROR_FILE_NOT_FOUND);
    k.UnmapViewOfFile(view);
    expect(k.machine.physical.commitChargePages).toBe(0);
  });
});

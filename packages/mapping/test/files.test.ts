// Real files: CreateFile over node:fs (dispositions, access, share modes, errors), file-backed views
// reading the file, FlushViewOfFile writing dirty pages back, copy-on-write views leaving the file
// alone, and GetMappedFileName.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CREATE_ALWAYS,
  CREATE_NEW,
  ERROR_ACCESS_DENIED,
  ERROR_ALREADY_EXISTS,
  ERROR_FILE_EXISTS,
  ERROR_FILE_INVALID,
  ERROR_FILE_NOT_FOUND,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_PATH_NOT_FOUND,
  ERROR_SHARING_VIOLATION,
  FILE_MAP_COPY,
  FILE_MAP_READ,
  FILE_MAP_WRITE,
  FILE_SHARE_READ,
  GENERIC_READ,
  GENERIC_WRITE,
  INVALID_HANDLE_VALUE,
  OPEN_ALWAYS,
  OPEN_EXISTING,
  PAGE_READONLY,
  PAGE_READWRITE,
  PROCESS_QUERY_INFORMATION,
  PROCESS_VM_READ,
  TRUNCATE_EXISTING,
} from '@mem/pages';
import { describe, expect, it } from 'vitest';
import { ERROR_UNEXP_NET_ERR, ERROR_USER_MAPPED_FILE, MAPPED_FILE_DEVICE } from '../src/constants';
import { attempt, expectFailure, kernel, sibling, snapshot, tempDir, tempFile } from './support';

describe('CreateFile', () => {
  it('dispositions create, open and truncate as on Windows, with the last error they leave', () => {
    const k = kernel();
    const file = path.join(tempDir(), 'a.bin');
    expectFailure(k, () => k.CreateFile(file, GENERIC_READ, 0, undefined, OPEN_EXISTING, 0, 0), INVALID_HANDLE_VALUE, ERROR_FILE_NOT_FOUND);
    expectFailure(k, () => k.CreateFile(path.join(file, 'x', 'y'), GENERIC_READ, 0, undefined, OPEN_EXISTING, 0, 0), INVALID_HANDLE_VALUE, ERROR_PATH_NOT_FOUND);
    expectFailure(k, () => k.CreateFile(file, GENERIC_WRITE, 0, undefined, TRUNCATE_EXISTING, 0, 0), INVALID_HANDLE_VALUE, ERROR_FILE_NOT_FOUND);
    expect(fs.existsSync(file)).toBe(false);
    const [created, createdError] = attempt(k, () => k.CreateFile(file, GENERIC_READ | GENERIC_WRITE, 0, undefined, CREATE_NEW, 0, 0));
    expect(created).not.toBe(INVALID_HANDLE_VALUE);
    expect(createdError).toBe(0);
    expect(created % 4).toBe(0);
    k.CloseHandle(created);
    expectFailure(k, () => k.CreateFile(file, GENERIC_READ, 0, undefined, CREATE_NEW, 0, 0), INVALID_HANDLE_VALUE, ERROR_FILE_EXISTS);
    fs.writeFileSync(file, 'hello');
    const [always, alwaysError] = attempt(k, () => k.CreateFile(file, GENERIC_READ | GENERIC_WRITE, 0, undefined, CREATE_ALWAYS, 0, 0));
    expect(alwaysError).toBe(ERROR_ALREADY_EXISTS);
    expect(fs.statSync(file).size).toBe(0);
    k.CloseHandle(always);
    const [open, openError] = attempt(k, () => k.CreateFile(file, GENERIC_READ, 0, undefined, OPEN_ALWAYS, 0, 0));
    expect(open).not.toBe(INVALID_HANDLE_VALUE);
    expect(openError).toBe(ERROR_ALREADY_EXISTS);
    k.CloseHandle(open);
    const other = path.join(tempDir(), 'b.bin');
    expect(attempt(k, () => k.CreateFile(other, GENERIC_READ, 0, undefined, OPEN_ALWAYS, 0, 0))[1]).toBe(0);
    expect(fs.existsSync(other)).toBe(true);
    expectFailure(k, () => k.CreateFile(file, GENERIC_READ, 0, undefined, TRUNCATE_EXISTING, 0, 0), INVALID_HANDLE_VALUE, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.CreateFile(file, GENERIC_READ, 0, undefined, 0, 0, 0), INVALID_HANDLE_VALUE, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.CreateFile(file, GENERIC_READ, 0, undefined, 6, 0, 0), INVALID_HANDLE_VALUE, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.CreateFile(tempDir(), GENERIC_READ, 0, undefined, OPEN_EXISTING, 0, 0), INVALID_HANDLE_VALUE, ERROR_ACCESS_DENIED);
    expectFailure(k, () => k.CreateFile('', GENERIC_READ, 0, undefined, OPEN_EXISTING, 0, 0), INVALID_HANDLE_VALUE, ERROR_PATH_NOT_FOUND);
  });

  it('share modes: a second open that the first does not share is ERROR_SHARING_VIOLATION', () => {
    const k = kernel();
    const file = tempFile(16);
    const exclusive = k.CreateFile(file, GENERIC_READ, 0, undefined, OPEN_EXISTING, 0, 0);
    expectFailure(k, () => k.CreateFile(file, GENERIC_READ, FILE_SHARE_READ, undefined, OPEN_EXISTING, 0, 0), INVALID_HANDLE_VALUE, ERROR_SHARING_VIOLATION);
    k.CloseHandle(exclusive);
    const reader = k.CreateFile(file, GENERIC_READ, FILE_SHARE_READ, undefined, OPEN_EXISTING, 0, 0);
    expect(k.CreateFile(file, GENERIC_READ, FILE_SHARE_READ, undefined, OPEN_EXISTING, 0, 0)).not.toBe(INVALID_HANDLE_VALUE);
    expectFailure(k, () => k.CreateFile(file, GENERIC_WRITE, FILE_SHARE_READ, undefined, OPEN_EXISTING, 0, 0), INVALID_HANDLE_VALUE, ERROR_SHARING_VIOLATION);
    k.CloseHandle(reader);
  });

  it('truncating a file a section maps is ERROR_USER_MAPPED_FILE and leaves it whole', () => {
    const k = kernel();
    const file = tempFile(8192, (i) => i);
    const handle = k.CreateFile(file, GENERIC_READ | GENERIC_WRITE, 0x7, undefined, OPEN_EXISTING, 0, 0);
    const mapping = k.CreateFileMapping(handle, undefined, PAGE_READONLY, 0, 0, undefined);
    k.CloseHandle(handle);
    expectFailure(k, () => k.CreateFile(file, GENERIC_READ | GENERIC_WRITE, 0x7, undefined, CREATE_ALWAYS, 0, 0), INVALID_HANDLE_VALUE, ERROR_USER_MAPPED_FILE);
    expect(fs.statSync(file).size).toBe(8192);
    k.CloseHandle(mapping);
    expect(k.CreateFile(file, GENERIC_READ | GENERIC_WRITE, 0, undefined, CREATE_ALWAYS, 0, 0)).not.toBe(INVALID_HANDLE_VALUE);
  });
});

describe('file views', () => {
  it('a view shows the file; a write through it, flushed, is in the file (read back with node:fs)', () => {
    const k = kernel();
    const file = tempFile(0x3000, (i) => i * 7);
    const handle = k.CreateFile(file, GENERIC_READ | GENERIC_WRITE, 0, undefined, OPEN_EXISTING, 0, 0);
    const mapping = k.CreateFileMapping(handle, undefined, PAGE_READWRITE, 0, 0, undefined);
    const view = k.MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, 0);
    expect(k.process.mem.getUint8(view + 0x1001)).toBe((0x1001 * 7) & 0xff);
    k.process.mem.write(view + 0x2000, new TextEncoder().encode('written through a view'));
    k.process.mem.setUint32(view + 8, 0xcafebabe);
    const state = snapshot(k);
    expect(k.FlushViewOfFile(view, 0)).toBe(true);
    // M-033: flushing changes no VirtualQuery state
    expect(snapshot(k)).toEqual(state);
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(0x3000);
    expect(bytes.subarray(0x2000, 0x2000 + 22).toString()).toBe('written through a view');
    expect(bytes.readUInt32LE(8)).toBe(0xcafebabe);
    expect(bytes[0x1001]).toBe((0x1001 * 7) & 0xff);
    // a flush of one page writes only that range
    k.process.mem.setUint8(view + 0x1000, 0xee);
    k.process.mem.setUint8(view + 0x2000, 0xdd);
    expect(k.FlushViewOfFile(view + 0x1000, 1)).toBe(true);
    const again = fs.readFileSync(file);
    expect(again[0x1000]).toBe(0xee);
    expect(again[0x2000]).toBe('w'.charCodeAt(0));
    // closing everything writes the rest back (the lazy writer)
    k.UnmapViewOfFile(view);
    k.CloseHandle(mapping);
    k.CloseHandle(handle);
    expect(fs.readFileSync(file)[0x2000]).toBe(0xdd);
  });

  it('a file mapped in two processes: a store in one is read in the other at once', () => {
    const k = kernel();
    const other = sibling(k);
    const file = tempFile(0x1000);
    const handle = k.CreateFile(file, GENERIC_READ | GENERIC_WRITE, 0, undefined, OPEN_EXISTING, 0, 0);
    const mapping = k.CreateFileMapping(handle, undefined, PAGE_READWRITE, 0, 0, 'file-shared');
    const mine = k.MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, 0);
    const theirs = other.MapViewOfFile(other.OpenFileMapping(FILE_MAP_READ, false, 'file-shared'), FILE_MAP_READ, 0, 0, 0);
    k.process.mem.setFloat64(mine + 16, Math.PI);
    expect(other.process.mem.getFloat64(theirs + 16)).toBe(Math.PI);
  });

  it('sections created separately over one file share its pages (two processes, no name)', () => {
    const k = kernel();
    const other = sibling(k);
    const file = tempFile(0x2000, () => 0x30);
    const mine = k.MapViewOfFile(
      k.CreateFileMapping(k.CreateFile(file, GENERIC_READ | GENERIC_WRITE, 3, undefined, OPEN_EXISTING, 0, 0), undefined, PAGE_READWRITE, 0, 0, undefined),
      FILE_MAP_WRITE,
      0,
      0,
      0,
    );
    const handle = other.CreateFile(file, GENERIC_READ, 3, undefined, OPEN_EXISTING, 0, 0);
    const mapping = other.CreateFileMapping(handle, undefined, PAGE_READONLY, 0, 0x1000, undefined);
    const theirs = other.MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0);
    expect(other.process.mem.getUint8(theirs + 10)).toBe(0x30);
    k.process.mem.setUint8(mine + 10, 0x31);
    expect(other.process.mem.getUint8(theirs + 10)).toBe(0x31);
    // the writer goes away first: its dirty page reaches the file, the reader still sees it
    for (const [h] of [...k.process.handles]) k.CloseHandle(h);
    k.UnmapViewOfFile(mine);
    expect(fs.readFileSync(file)[10]).toBe(0x31);
    expect(other.process.mem.getUint8(theirs + 10)).toBe(0x31);
    other.UnmapViewOfFile(theirs);
    other.CloseHandle(mapping);
    other.CloseHandle(handle);
    expect(k.machine.physical.framesInUse).toBe(0);
  });

  it('FILE_MAP_COPY views never reach the file; the section and file stay unchanged', () => {
    const k = kernel();
    const file = tempFile(0x2000, () => 0x5a);
    const handle = k.CreateFile(file, GENERIC_READ, 0, undefined, OPEN_EXISTING, 0, 0);
    const mapping = k.CreateFileMapping(handle, undefined, PAGE_READONLY, 0, 0, undefined);
    const copy = k.MapViewOfFile(mapping, FILE_MAP_COPY, 0, 0, 0);
    const plain = k.MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0);
    k.process.mem.setUint8(copy, 1);
    expect(k.process.mem.getUint8(copy)).toBe(1);
    expect(k.process.mem.getUint8(plain)).toBe(0x5a);
    expect(k.FlushViewOfFile(copy, 0)).toBe(true);
    k.UnmapViewOfFile(copy);
    k.UnmapViewOfFile(plain);
    k.CloseHandle(mapping);
    k.CloseHandle(handle);
    expect(fs.readFileSync(file).every((byte) => byte === 0x5a)).toBe(true);
  });

  it('the tail of the last page past the end of the file reads zero and is never written', () => {
    const k = kernel();
    const file = tempFile(100, () => 1);
    const handle = k.CreateFile(file, GENERIC_READ | GENERIC_WRITE, 0, undefined, OPEN_EXISTING, 0, 0);
    const mapping = k.CreateFileMapping(handle, undefined, PAGE_READWRITE, 0, 0, undefined);
    const view = k.MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, 0);
    expect(k.process.mem.getUint8(view + 99)).toBe(1);
    expect(k.process.mem.getUint8(view + 100)).toBe(0);
    k.process.mem.setUint8(view + 200, 9);
    k.FlushViewOfFile(view, 0);
    expect(fs.statSync(file).size).toBe(100);
  });

  it('FlushViewOfFile outside a view or past its end is ERROR_INVALID_ADDRESS; pagefile views flush nothing', () => {
    const k = kernel();
    const h = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x2000, undefined);
    const view = k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
    expect(k.FlushViewOfFile(view + 0x1800, 0x100)).toBe(true);
    expectFailure(k, () => k.FlushViewOfFile(view, 0x3000), false, ERROR_INVALID_ADDRESS);
    expectFailure(k, () => k.FlushViewOfFile(view + 0x10000, 0), false, ERROR_INVALID_ADDRESS);
    expectFailure(k, () => k.FlushViewOfFile(0, 0), false, ERROR_INVALID_ADDRESS);
  });
});

describe('GetMappedFileName', () => {
  it('reports the device form of the file path; fails as psapi does elsewhere', () => {
    const k = kernel();
    const file = tempFile(0x4000);
    const handle = k.CreateFile(file, GENERIC_READ | GENERIC_WRITE, 0, undefined, OPEN_EXISTING, 0, 0);
    const mapping = k.CreateFileMapping(handle, undefined, PAGE_READONLY, 0, 0, undefined);
    const base = k.MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0);
    const buffer = k.VirtualAlloc(0, 0x1000, 0x3000, PAGE_READWRITE);
    const expected = MAPPED_FILE_DEVICE + file.replace(/\//g, '\\');
    const length = k.GetMappedFileName(-1, base + 0x2000, buffer, 0x1000);
    expect(length).toBe(expected.length);
    expect(new TextDecoder().decode(k.process.mem.read(buffer, length))).toBe(expected);
    expect(k.process.mem.getUint8(buffer + length)).toBe(0);
    const box: { value?: string } = {};
    expect(k.GetMappedFileName(-1, base, box, 260)).toBe(expected.length);
    expect(box.value).toBe(expected);
    // a buffer of one character gets just the terminator
    k.process.mem.setUint8(buffer, 0x41);
    expect(k.GetMappedFileName(-1, base, buffer, 1)).toBe(1);
    expect(k.process.mem.getUint8(buffer)).toBe(0);
    expectFailure(k, () => k.GetMappedFileName(-1, base, buffer, 0), 0, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.GetMappedFileName(-1, base, 0, 260), 0, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.GetMappedFileName(-1, base + 0x4000, buffer, 260), 0, ERROR_UNEXP_NET_ERR);
    expectFailure(k, () => k.GetMappedFileName(-1, 0, buffer, 260), 0, ERROR_UNEXP_NET_ERR);
    expectFailure(k, () => k.GetMappedFileName(0, base, buffer, 260), 0, ERROR_INVALID_HANDLE);
    const anonymous = k.MapViewOfFile(k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READONLY, 0, 4096, undefined), FILE_MAP_READ, 0, 0, 0);
    expectFailure(k, () => k.GetMappedFileName(-1, anonymous, buffer, 260), 0, ERROR_FILE_INVALID);
  });

  it('reads another process through a handle with PROCESS_QUERY_INFORMATION', () => {
    const k = kernel();
    const other = sibling(k);
    const file = tempFile(0x1000);
    const mapped = other.MapViewOfFile(
      other.CreateFileMapping(other.CreateFile(file, GENERIC_READ, 0, undefined, OPEN_EXISTING, 0, 0), undefined, PAGE_READONLY, 0, 0, undefined),
      FILE_MAP_READ,
      0,
      0,
      0,
    );
    const box: { value?: string } = {};
    const query = k.OpenProcess(PROCESS_QUERY_INFORMATION, false, other.process.pid);
    expect(k.GetMappedFileName(query, mapped, box, 260)).toBeGreaterThan(MAPPED_FILE_DEVICE.length);
    expect(box.value?.endsWith(path.basename(file))).toBe(true);
    const readOnly = k.OpenProcess(PROCESS_VM_READ, false, other.process.pid);
    expectFailure(k, () => k.GetMappedFileName(readOnly, mapped, box, 260), 0, ERROR_ACCESS_DENIED);
    const before = snapshot(k);
    expectFailure(k, () => k.GetMappedFileName(-1, mapped, box, 260), 0, ERROR_UNEXP_NET_ERR);
    expect(snapshot(k)).toEqual(before);
  });
});

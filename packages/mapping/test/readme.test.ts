// The README's idiomatic examples, run as written (console output checked instead of printed), and the
// Win32 example through the same doors @mem/kernel32 binds.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CREATE_ALWAYS,
  FILE_MAP_ALL_ACCESS,
  FILE_MAP_COPY,
  GENERIC_READ,
  GENERIC_WRITE,
  INVALID_HANDLE_VALUE,
  MEM_COMMIT,
  PAGE_READWRITE,
  SEC_RESERVE,
  createMachine,
} from '@mem/pages';
import { expect, it } from 'vitest';
import { FILE_MAP_READ, createSection, openFile, openSection } from '../src/index';
import { kernel, sibling, tempDir } from './support';

it('README: share memory between two processes', () => {
  const machine = createMachine();
  const writer = machine.createProcess();
  const reader = machine.createProcess();
  const section = createSection(writer, { size: 0x10000, name: 'Local\\Telemetry' });
  const mine = section.map(writer);
  const theirs = openSection(reader, 'Local\\Telemetry').map(reader, { access: FILE_MAP_READ });
  writer.mem.setUint32(mine.address + 0x100, 0xc0ffee);
  expect(reader.mem.getUint32(theirs.address + 0x100).toString(16)).toBe('c0ffee');
});

it('README: map a real file, change it, flush it', () => {
  const file = path.join(tempDir(), 'mapped.bin');
  fs.writeFileSync(file, Buffer.alloc(8192, 0x2e));
  const process = createMachine().createProcess();
  const handle = openFile(process, file);
  const section = createSection(process, { file: handle });
  const view = section.map(process);
  process.mem.write(view.address + 4096, new TextEncoder().encode('hello from a view'));
  view.flush();
  expect(fs.readFileSync(file).subarray(4096, 4113).toString()).toBe('hello from a view');
  view.unmap();
  section.close();
  handle.close();
});

it('README: the Win32 way', () => {
  const k = kernel();
  const other = sibling(k);
  const h1 = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x10000, 'Shared');
  const h2 = other.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x10000, 'Shared');
  expect(other.GetLastError()).toBe(183);
  const a = k.MapViewOfFile(h1, FILE_MAP_ALL_ACCESS, 0, 0, 0);
  const b = other.MapViewOfFile(h2, FILE_MAP_ALL_ACCESS, 0, 0, 0);
  k.process.mem.setUint32(a, 1234);
  expect(other.process.mem.getUint32(b)).toBe(1234);
  const c = k.MapViewOfFile(h1, FILE_MAP_COPY, 0, 0, 0);
  k.process.mem.setUint32(c, 99);
  expect([k.process.mem.getUint32(a), k.process.mem.getUint32(c)]).toEqual([1234, 99]);
  const r = k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE | SEC_RESERVE, 0, 0x100000, undefined);
  const v = k.MapViewOfFile(r, FILE_MAP_ALL_ACCESS, 0, 0, 0);
  expect(k.VirtualAlloc(v, 0x10000, MEM_COMMIT, PAGE_READWRITE)).toBe(v);
  const name = path.join(tempDir(), 'data.bin');
  const f = k.CreateFile(name, GENERIC_READ | GENERIC_WRITE, 0, undefined, CREATE_ALWAYS, 0, 0);
  const m = k.CreateFileMapping(f, undefined, PAGE_READWRITE, 0, 4096, undefined);
  expect(fs.statSync(name).size).toBe(4096);
  const p = k.MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
  k.process.mem.setUint8(p, 0x41);
  expect(k.FlushViewOfFile(p, 0)).toBe(true);
  expect(k.UnmapViewOfFile(p) && k.CloseHandle(m) && k.CloseHandle(f)).toBe(true);
  expect(fs.readFileSync(name)[0]).toBe(0x41);
});

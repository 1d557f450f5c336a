// SEC_IMAGE (M-004, M-011, M-029, P-012): a PE file mapped as the loader lays it out — MEM_IMAGE,
// AllocationProtect PAGE_EXECUTE_WRITECOPY, per-section protections, writable requests turned into
// their copy-on-write twins, the file never written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ERROR_BAD_EXE_FORMAT,
  ERROR_INVALID_PARAMETER,
  FILE_MAP_READ,
  GENERIC_READ,
  MEM_COMMIT,
  MEM_IMAGE,
  OPEN_EXISTING,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOPY,
  SEC_COMMIT,
  SEC_FILE,
  SEC_IMAGE,
  SEC_NOCACHE,
  SEC_WRITECOMBINE,
} from '@mem/pages';
import { describe, expect, it } from 'vitest';
import type { Section } from '../src/section';
import { type Kernel, expectFailure, kernel, query, sibling, tempDir } from './support';

const IMAGE_BASE = 0x140000000;

/** A minimal PE32+ file: headers, .text (code) at RVA 0x1000, .data (read/write) at RVA 0x2000. */
function peFile(): string {
  const bytes = new Uint8Array(0x600);
  const view = new DataView(bytes.buffer);
  bytes[0] = 0x4d;
  bytes[1] = 0x5a;
  view.setUint32(0x3c, 0x40, true);
  view.setUint32(0x40, 0x00004550, true);
  view.setUint16(0x44, 0x8664, true);
  view.setUint16(0x46, 2, true);
  view.setUint16(0x54, 240, true);
  const optional = 0x58;
  view.setUint16(optional, 0x20b, true);
  view.setBigUint64(optional + 24, BigInt(IMAGE_BASE), true);
  view.setUint32(optional + 32, 0x1000, true);
  view.setUint32(optional + 36, 0x200, true);
  view.setUint32(optional + 56, 0x3000, true);
  view.setUint32(optional + 60, 0x200, true);
  const table = optional + 240;
  const sections: [string, number, number, number][] = [
    ['.text', 0x1000, 0x200, 0x60000020],
    ['.data', 0x2000, 0x400, 0xc0000040],
  ];
  sections.forEach(([name, rva, raw, characteristics], index) => {
    const header = table + index * 40;
    for (let i = 0; i < name.length; i++) bytes[header + i] = name.charCodeAt(i);
    view.setUint32(header + 8, 0x200, true);
    view.setUint32(header + 12, rva, true);
    view.setUint32(header + 16, 0x200, true);
    view.setUint32(header + 20, raw, true);
    view.setUint32(header + 36, characteristics, true);
  });
  bytes.fill(0xcc, 0x200, 0x400);
  bytes.fill(0x11, 0x400, 0x600);
  const file = path.join(tempDir(), 'tiny.exe');
  fs.writeFileSync(file, bytes);
  return file;
}

function sectionOf(k: Kernel, handle: number): Section {
  return k.process.handles.get(handle)?.object as Section;
}

function imageMapping(k: Kernel, file: string, flags = SEC_IMAGE): number {
  const handle = k.CreateFile(file, GENERIC_READ, 1, undefined, OPEN_EXISTING, 0, 0);
  return k.CreateFileMapping(handle, undefined, PAGE_READONLY | flags, 0, 0, undefined);
}

describe('image sections', () => {
  it('M-004 attributes SEC_FILE | SEC_IMAGE, also with SEC_NOCACHE; other combinations invalid', () => {
    const k = kernel();
    const file = peFile();
    const h = imageMapping(k, file);
    expect(sectionOf(k, h).attributes).toBe((SEC_FILE | SEC_IMAGE) >>> 0);
    const h2 = imageMapping(k, file, SEC_IMAGE | SEC_NOCACHE);
    expect(sectionOf(k, h2).attributes).toBe((SEC_FILE | SEC_IMAGE) >>> 0);
    const handle = k.CreateFile(file, GENERIC_READ, 1, undefined, OPEN_EXISTING, 0, 0);
    for (const flags of [SEC_IMAGE | SEC_COMMIT, SEC_IMAGE | SEC_FILE, SEC_IMAGE | SEC_WRITECOMBINE]) {
      expectFailure(k, () => k.CreateFileMapping(handle, undefined, PAGE_READONLY | flags, 0, 0, undefined), 0, ERROR_INVALID_PARAMETER);
    }
  });

  it('M-029 the view: MEM_IMAGE at its preferred base, headers read-only, code execute-read, data write-copy', () => {
    const k = kernel();
    const base = k.MapViewOfFile(imageMapping(k, peFile()), FILE_MAP_READ, 0, 0, 0);
    expect(base).toBe(IMAGE_BASE);
    expect(query(k, base)).toEqual({ BaseAddress: base, AllocationBase: base, AllocationProtect: PAGE_EXECUTE_WRITECOPY, RegionSize: 0x1000, State: MEM_COMMIT, Protect: PAGE_READONLY, Type: MEM_IMAGE });
    expect(query(k, base + 0x1000)).toMatchObject({ Protect: PAGE_EXECUTE_READ, RegionSize: 0x1000, Type: MEM_IMAGE });
    expect(query(k, base + 0x2000)).toMatchObject({ Protect: PAGE_WRITECOPY, RegionSize: 0x1000 });
    expect(k.process.mem.getUint16(base)).toBe(0x5a4d);
    expect(k.process.mem.getUint8(base + 0x1000)).toBe(0xcc);
    expect(k.process.mem.getUint8(base + 0x1200)).toBe(0);
    expect(k.process.mem.getUint8(base + 0x2000)).toBe(0x11);
    // a second view cannot have the preferred base
    const second = k.MapViewOfFile(imageMapping(k, peFile()), FILE_MAP_READ, 0, 0, 0);
    expect(second).not.toBe(base);
    expect(second % 0x10000).toBe(0);
  });

  it('P-012 writable protections become copy-on-write; writes stay private and never reach the file', () => {
    const k = kernel();
    const other = sibling(k);
    const file = peFile();
    const base = k.MapViewOfFile(imageMapping(k, file), FILE_MAP_READ, 0, 0, 0);
    const theirs = other.MapViewOfFile(imageMapping(other, file), FILE_MAP_READ, 0, 0, 0);
    const old = { value: 0 };
    expect(k.VirtualProtect(base + 0x1000, 0x1000, PAGE_EXECUTE_READWRITE, old)).toBe(true);
    expect(old.value).toBe(PAGE_EXECUTE_READ);
    expect(query(k, base + 0x1000).Protect).toBe(PAGE_EXECUTE_WRITECOPY);
    expect(k.VirtualProtect(base, 0x1000, PAGE_READWRITE, old)).toBe(true);
    expect(query(k, base).Protect).toBe(PAGE_WRITECOPY);
    k.process.mem.setUint8(base + 0x2000, 0x99);
    expect(query(k, base + 0x2000).Protect).toBe(PAGE_READWRITE);
    expect(other.process.mem.getUint8(theirs + 0x2000)).toBe(0x11);
    k.process.mem.setUint8(base + 0x1000, 0xc3);
    expect(query(k, base + 0x1000).Protect).toBe(PAGE_EXECUTE_READWRITE);
    expect(() => k.process.mem.execute(base + 0x1000)).not.toThrow();
    k.UnmapViewOfFile(base);
    other.UnmapViewOfFile(theirs);
    for (const [handle] of [...k.process.handles]) k.CloseHandle(handle);
    for (const [handle] of [...other.process.handles]) other.CloseHandle(handle);
    const bytes = fs.readFileSync(file);
    expect(bytes[0x400]).toBe(0x11);
    expect(bytes[0x200]).toBe(0xcc);
    expect(k.machine.physical.framesInUse).toBe(0);
  });

  it('files that are not PE images are ERROR_BAD_EXE_FORMAT', () => {
    const k = kernel();
    const dir = tempDir();
    const cases: [string, Uint8Array][] = [
      ['text.txt', new TextEncoder().encode('just some text, not an image at all, really not.............')],
      ['mz-only.exe', Uint8Array.of(0x4d, 0x5a, ...new Array(0x3e).fill(0))],
    ];
    for (const [name, bytes] of cases) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, bytes);
      const handle = k.CreateFile(file, GENERIC_READ, 1, undefined, OPEN_EXISTING, 0, 0);
      expectFailure(k, () => k.CreateFileMapping(handle, undefined, PAGE_READONLY | SEC_IMAGE, 0, 0, undefined), 0, ERROR_BAD_EXE_FORMAT);
    }
  });
});

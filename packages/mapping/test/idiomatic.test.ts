// The idiomatic door: createSection / openSection / openFile / section.map / view.unmap / view.flush,
// throwing MemError with the Windows code and changing nothing on failure.
import * as fs from 'node:fs';
import {
  CREATE_ALWAYS,
  ERROR_ACCESS_DENIED,
  ERROR_COMMITMENT_LIMIT,
  ERROR_FILE_NOT_FOUND,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_MAPPED_ALIGNMENT,
  FILE_MAP_COPY,
  FILE_MAP_READ,
  FILE_MAP_WRITE,
  GENERIC_READ,
  GENERIC_WRITE,
  MEM_MAPPED,
  OPEN_EXISTING,
  PAGE_READONLY,
  SEC_RESERVE,
  createMachine,
  isMemError,
} from '@mem/pages';
import { describe, expect, it } from 'vitest';
import { MAPPED_FILE_DEVICE, createSection, mappedFileName, openFile, openSection, viewOf } from '../src/index';
import { tempFile } from './support';

function codeOf(run: () => unknown): number {
  try {
    run();
  } catch (error) {
    if (isMemError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a MemError');
}

describe('idiomatic sections and views', () => {
  it('maps a pagefile section into two processes and shares bytes', () => {
    const machine = createMachine();
    const a = machine.createProcess();
    const b = machine.createProcess();
    const section = createSection(a, { size: 0x2000, name: 'shared' });
    expect(section.existed).toBe(false);
    const va = section.map(a);
    const same = openSection(b, 'shared');
    expect(same.existed).toBe(true);
    const vb = same.map(b, { access: FILE_MAP_READ });
    a.mem.setUint32(va.address + 0x1000, 42);
    expect(b.mem.getUint32(vb.address + 0x1000)).toBe(42);
    expect(() => b.mem.setUint32(vb.address, 1)).toThrow();
    expect(b.addressSpace.query(vb.address).type).toBe(MEM_MAPPED);
    expect(viewOf(a, va.address + 5)).toBe(va);
    va.unmap();
    vb.unmap();
    section.close();
    same.close();
    expect(machine.physical.framesInUse).toBe(0);
    expect(machine.physical.commitChargePages).toBe(0);
    expect(codeOf(() => openSection(a, 'shared'))).toBe(ERROR_FILE_NOT_FOUND);
  });

  it('maps a real file, writes, flushes and reads the file back with node:fs', () => {
    const machine = createMachine();
    const process = machine.createProcess();
    const path = tempFile(0x1800, (i) => i);
    const file = openFile(process, path, { access: GENERIC_READ | GENERIC_WRITE, disposition: OPEN_EXISTING });
    const section = createSection(process, { file });
    expect(section.size).toBe(0x1800);
    const view = section.map(process);
    expect(process.mem.getUint8(view.address + 0x1234)).toBe(0x34);
    process.mem.setUint16(view.address + 0x1000, 0xabcd);
    expect(view.flush()).toBe(1);
    expect(fs.readFileSync(path).readUInt16LE(0x1000)).toBe(0xabcd);
    expect(view.flush()).toBe(0);
    expect(mappedFileName(process, view.address)).toBe(MAPPED_FILE_DEVICE + path.replace(/\//g, '\\'));
    view.unmap();
    section.close();
    file.close();
  });

  it('copy-on-write views through the idiomatic door', () => {
    const process = createMachine().createProcess();
    const section = createSection(process, { size: 0x1000 });
    const shared = section.map(process);
    const copy = section.map(process, { access: FILE_MAP_COPY });
    process.mem.setUint8(copy.address, 7);
    expect(process.mem.getUint8(shared.address)).toBe(0);
    expect(copy.copyOnWrite).toBe(true);
  });

  it('bad input throws MemError with the Windows code and changes nothing', () => {
    const machine = createMachine({ physicalMemory: 16 << 20, pagingFile: 0 });
    const process = machine.createProcess();
    const section = createSection(process, { size: 0x20000, protection: PAGE_READONLY });
    const before = process.addressSpace.regions();
    expect(codeOf(() => section.map(process, { access: FILE_MAP_WRITE }))).toBe(ERROR_ACCESS_DENIED);
    expect(codeOf(() => section.map(process, { offset: 0x1000 }))).toBe(ERROR_MAPPED_ALIGNMENT);
    expect(codeOf(() => section.map(process, { size: 0x20001 }))).toBe(ERROR_ACCESS_DENIED);
    expect(codeOf(() => section.map(process, { address: 0x10001 }))).toBe(ERROR_MAPPED_ALIGNMENT);
    expect(process.addressSpace.regions()).toEqual(before);
    expect(codeOf(() => createSection(process, { size: 0 }))).toBe(ERROR_INVALID_PARAMETER);
    expect(codeOf(() => createSection(process, { size: 64 << 20 }))).toBe(ERROR_COMMITMENT_LIMIT);
    expect(codeOf(() => createSection(process, { size: 0x1000, protection: 0x01 }))).toBe(ERROR_INVALID_PARAMETER);
    expect(codeOf(() => openFile(process, `${tempFile(1)}.missing`))).toBe(ERROR_FILE_NOT_FOUND);
    expect(codeOf(() => viewOf(process, 0x10000))).toBe(ERROR_INVALID_ADDRESS);
    const view = section.map(process, { access: FILE_MAP_READ });
    view.unmap();
    expect(codeOf(() => view.unmap())).toBe(ERROR_INVALID_ADDRESS);
    section.close();
    expect(codeOf(() => section.close())).toBe(ERROR_INVALID_HANDLE);
    expect(codeOf(() => section.map(process))).toBe(ERROR_INVALID_HANDLE);
  });

  it('a reserve section commits through VirtualAlloc only; its size costs no commit', () => {
    const machine = createMachine();
    const process = machine.createProcess();
    const section = createSection(process, { size: 1024 * 1024 * 1024 * 64, attributes: SEC_RESERVE });
    expect(machine.physical.commitChargePages).toBe(0);
    const view = section.map(process, { size: 0x100000 });
    expect(process.addressSpace.query(view.address).state).toBe(0x2000);
    view.unmap();
    section.close();
  });

  it('openFile truncates with CREATE_ALWAYS and reports it existed', () => {
    const path = tempFile(10);
    const file = openFile(createMachine(), path, { disposition: CREATE_ALWAYS });
    expect(file.existed).toBe(true);
    expect(fs.statSync(path).size).toBe(0);
    file.close();
  });
});

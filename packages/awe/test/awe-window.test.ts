// The idiomatic door: createAweWindow pages a data set larger than its window through it, moving
// pool pages between window pages; MemError carries the Windows codes; accounting stays exact.
import { isMemError, MemError } from '@mem/pages';
import { describe, expect, it } from 'vitest';
import { ERROR_INVALID_ADDRESS, ERROR_INVALID_PARAMETER, ERROR_NO_SYSTEM_RESOURCES, ERROR_PRIVILEGE_NOT_HELD } from '../src/constants';
import {
  allocatePhysicalPages,
  createAweWindow,
  freePhysicalPages,
  mapPhysicalPages,
  mapPhysicalPagesScatter,
  physicalPageAddress,
  physicalPageCount,
} from '../src/index';
import { userPhysicalPagesOf } from '../src/user-physical-pages';
import { faults, memoryStatus, PAGE, reserveWindow, setup } from './support';

function codeOf(call: () => unknown): number {
  try {
    call();
  } catch (error) {
    if (isMemError(error)) return error.code;
    throw error;
  }
  return 0;
}

describe('createAweWindow', () => {
  it('pages a data set 16 times its window through it', () => {
    const { process } = setup();
    const window = createAweWindow(process, { windowPages: 4, poolPages: 64 });
    // write: each pool page gets its own pattern, four at a time
    for (let first = 0; first < 64; first += 4) {
      window.map(0, [first, first + 1, first + 2, first + 3]);
      for (let i = 0; i < 4; i++) process.mem.setUint32(window.addressOf(i), (first + i) * 1000 + 7);
    }
    // read back in another order and at other window pages
    for (let pool = 63; pool >= 0; pool--) {
      const address = window.map(pool % 4, pool);
      expect(process.mem.getUint32(address)).toBe(pool * 1000 + 7);
    }
    userPhysicalPagesOf(process)?.validate();
  });

  it.each(['x86', 'wow64', 'arm64', 'ia64'] as const)('works with the page size and address range of %s', (geometry) => {
    const { process } = setup({ geometry, physicalMemory: 8 << 20 });
    const pageSize = process.geometry.pageSize;
    const window = createAweWindow(process, { windowSize: 2 * pageSize, poolPages: 6 });
    expect(window.windowPages).toBe(2);
    for (let pool = 0; pool < 6; pool++) process.mem.setUint32(window.map(pool % 2, pool) + pageSize - 4, pool + 1);
    for (let pool = 5; pool >= 0; pool--) expect(process.mem.getUint32(window.map(1 - (pool % 2), pool) + pageSize - 4)).toBe(pool + 1);
    expect(faults(process, window.base + 2 * pageSize)).toBe(true);
    userPhysicalPagesOf(process)?.validate();
  });

  it('write via one mapping, remap the frames elsewhere, read the same data back', () => {
    const { process } = setup();
    const window = createAweWindow(process, { windowSize: 3 * PAGE, poolPages: 3 });
    window.map(0, [0, 1, 2]);
    const bytes = new Uint8Array(3 * PAGE);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 5) & 0xff;
    process.mem.write(window.base, bytes);
    // the pool pages move: 0→2, 1→0, 2→1
    window.map(0, [1, 2, 0]);
    expect(window.poolPageAt(0)).toBe(1);
    expect(window.windowPageOf(0)).toBe(2);
    expect(process.mem.read(window.addressOf(2), PAGE)).toEqual(bytes.subarray(0, PAGE));
    expect(process.mem.read(window.addressOf(0), PAGE)).toEqual(bytes.subarray(PAGE, 2 * PAGE));
    expect(process.mem.read(window.addressOf(1), PAGE)).toEqual(bytes.subarray(2 * PAGE));
    // and into a second window of the same process, through the Win32-level functions
    window.unmap(0, 3);
    const other = reserveWindow(process, 3);
    mapPhysicalPages(process, other, [...window.frames]);
    expect(process.mem.read(other, 3 * PAGE)).toEqual(bytes);
    expect(window.windowPageOf(0)).toBe(-1);
  });

  it('moving a pool page leaves its old window page unmapped', () => {
    const { process } = setup();
    const window = createAweWindow(process, { windowPages: 4, poolPages: 2 });
    window.map(3, 1);
    process.mem.setUint8(window.addressOf(3), 9);
    window.map(0, 1);
    expect(faults(process, window.addressOf(3))).toBe(true);
    expect(process.mem.getUint8(window.addressOf(0))).toBe(9);
    expect(window.poolPageAt(3)).toBe(-1);
  });

  it('bad indices and a pool page named twice throw ERROR_INVALID_PARAMETER and change nothing', () => {
    const { process } = setup();
    const window = createAweWindow(process, { windowPages: 2, poolPages: 4 });
    window.map(0, [2, 3]);
    expect(codeOf(() => window.map(1, [0, 1]))).toBe(ERROR_INVALID_PARAMETER);
    expect(codeOf(() => window.map(0, [0, 0]))).toBe(ERROR_INVALID_PARAMETER);
    expect(codeOf(() => window.map(0, 4))).toBe(ERROR_INVALID_PARAMETER);
    expect(codeOf(() => window.map(-1, 0))).toBe(ERROR_INVALID_PARAMETER);
    expect(codeOf(() => window.unmap(1, 2))).toBe(ERROR_INVALID_PARAMETER);
    expect([window.poolPageAt(0), window.poolPageAt(1)]).toEqual([2, 3]);
  });

  it('free() gives back RAM, commit and address space exactly, and the window is unusable after', () => {
    const { machine, process } = setup();
    const before = memoryStatus(machine);
    const reserved = process.addressSpace.reservedBytes;
    const window = createAweWindow(process, { windowPages: 8, poolPages: 32 });
    window.map(0, [0, 1, 2, 3, 4, 5, 6, 7]);
    const during = memoryStatus(machine);
    expect(during.availPhys).toBe(before.availPhys - 32 * PAGE);
    expect(during.commitCharge).toBe(before.commitCharge + 32 * PAGE);
    expect(process.addressSpace.reservedBytes).toBe(reserved + 8 * PAGE);
    expect(physicalPageCount(process)).toBe(32);
    window.free();
    expect(memoryStatus(machine)).toEqual(before);
    expect(process.addressSpace.reservedBytes).toBe(reserved);
    expect(physicalPageCount(process)).toBe(0);
    expect(window.freed).toBe(true);
    expect(codeOf(() => window.map(0, 0))).toBe(ERROR_INVALID_ADDRESS);
  });

  it('needs SeLockMemoryPrivilege and enough RAM for the whole pool; failing leaves nothing behind', () => {
    const denied = setup({}, false);
    expect(codeOf(() => createAweWindow(denied.process, { windowPages: 1, poolPages: 1 }))).toBe(ERROR_PRIVILEGE_NOT_HELD);
    const { machine, process } = setup({ physicalMemory: 1 << 20 });
    const before = memoryStatus(machine);
    const reserved = process.addressSpace.reservedBytes;
    expect(codeOf(() => createAweWindow(process, { windowPages: 1, poolPages: 1000 }))).toBe(ERROR_NO_SYSTEM_RESOURCES);
    expect(memoryStatus(machine)).toEqual(before);
    expect(process.addressSpace.reservedBytes).toBe(reserved);
    expect(codeOf(() => createAweWindow(process, { poolPages: 1 }))).toBe(ERROR_INVALID_PARAMETER);
    expect(codeOf(() => createAweWindow(process, { windowPages: 1, poolPages: 0 }))).toBe(ERROR_INVALID_PARAMETER);
  });

  it('takes its pool from the requested NUMA node', () => {
    const { machine, process } = setup({ numaNodes: 2 });
    const window = createAweWindow(process, { windowPages: 1, poolPages: 8, node: 1 });
    for (const frame of window.frames) expect(machine.physical.nodeOf(frame)).toBe(1);
  });

  it('a pool page freed through the Win32 level fails map with ERROR_INVALID_ADDRESS, moving nothing', () => {
    const { process } = setup();
    const window = createAweWindow(process, { windowPages: 2, poolPages: 2 });
    window.map(0, 0);
    freePhysicalPages(process, [window.frames[1] as number]);
    expect(codeOf(() => window.map(1, 1))).toBe(ERROR_INVALID_ADDRESS);
    expect(codeOf(() => window.map(0, [1, 0]))).toBe(ERROR_INVALID_ADDRESS);
    expect(window.poolPageAt(0)).toBe(0);
  });
});

describe('idiomatic functions', () => {
  it('allocate, map, scatter, free — and MemError codes', () => {
    const { process } = setup();
    const frames = allocatePhysicalPages(process, 4);
    expect(frames).toHaveLength(4);
    const window = reserveWindow(process, 4);
    mapPhysicalPages(process, window, frames.slice(0, 2));
    expect(physicalPageAddress(process, frames[1] as number)).toBe(window + PAGE);
    mapPhysicalPagesScatter(process, [window + 3 * PAGE, window], [frames[2] as number, 0]);
    expect(physicalPageAddress(process, frames[0] as number)).toBe(-1);
    expect(physicalPageAddress(process, frames[2] as number)).toBe(window + 3 * PAGE);
    let thrown: unknown;
    try {
      mapPhysicalPages(process, window, [frames[2] as number]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MemError);
    expect((thrown as MemError).code).toBe(ERROR_INVALID_PARAMETER);
    mapPhysicalPages(process, window, undefined, 4);
    expect(codeOf(() => freePhysicalPages(process, [frames[0] as number, 5_000_000]))).toBe(ERROR_INVALID_ADDRESS);
    expect(physicalPageCount(process)).toBe(3);
    expect(codeOf(() => freePhysicalPages(process, []))).toBe(ERROR_INVALID_PARAMETER);
    expect(allocatePhysicalPages(process, 0)).toEqual([]);
    expect(codeOf(() => allocatePhysicalPages(process, 1, { node: 3 }))).toBe(ERROR_INVALID_PARAMETER);
  });
});

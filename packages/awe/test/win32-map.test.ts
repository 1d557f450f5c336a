// Conformance of MapUserPhysicalPages and MapUserPhysicalPagesScatter: the window
// must be a MEM_RESERVE | MEM_PHYSICAL region, mapping is all or nothing, a frame is shown at one
// address at a time, NULL arrays unmap, frames of another process are refused, and freeing or
// releasing unmaps. Codes follow the NT memory manager: a bad range or a frame already shown is
// STATUS_INVALID_PARAMETER (87), a frame the process does not own STATUS_CONFLICTING_ADDRESSES (487).
import { CURRENT_PROCESS_HANDLE, MEM_COMMIT, MEM_DECOMMIT, MEM_RELEASE, MEM_TOP_DOWN, MEM_WRITE_WATCH, PAGE_READONLY } from '@mem/pages';
import { VirtualAlloc, VirtualFree, VirtualProtect } from '@mem/pages/win32';
import { describe, expect, it } from 'vitest';
import {
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  MEM_PHYSICAL,
  MEM_RESERVE,
  PAGE_READWRITE,
} from '../src/constants';
import { userPhysicalPagesOf } from '../src/user-physical-pages';
import {
  AllocateUserPhysicalPages,
  FreeUserPhysicalPages,
  MapUserPhysicalPages,
  MapUserPhysicalPagesScatter,
} from '../src/win32';
import { attempt, faults, memoryStatus, PAGE, reserveWindow, SENTINEL, setup } from './support';

const SELF = CURRENT_PROCESS_HANDLE;

function withFrames(pageCount: number, windowPages = 8) {
  const context = setup();
  const frames: number[] = [];
  expect(AllocateUserPhysicalPages(context.process, SELF, { value: pageCount }, frames)).toBe(true);
  const window = reserveWindow(context.process, windowPages);
  return { ...context, frames, window };
}

describe('MEM_PHYSICAL regions (A-002)', () => {
  it('only MEM_RESERVE | MEM_PHYSICAL with PAGE_READWRITE is accepted', () => {
    const { process } = setup();
    const size = 4 * PAGE;
    expect(attempt(process, () => VirtualAlloc(process, 0, size, MEM_RESERVE | MEM_COMMIT | MEM_PHYSICAL, PAGE_READWRITE))).toEqual([0, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => VirtualAlloc(process, 0, size, MEM_COMMIT | MEM_PHYSICAL, PAGE_READWRITE))).toEqual([0, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => VirtualAlloc(process, 0, size, MEM_PHYSICAL, PAGE_READWRITE))).toEqual([0, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => VirtualAlloc(process, 0, size, MEM_RESERVE | MEM_PHYSICAL, PAGE_READONLY))).toEqual([0, ERROR_INVALID_PARAMETER]);
    const [base, error] = attempt(process, () => VirtualAlloc(process, 0, size, MEM_RESERVE | MEM_PHYSICAL, PAGE_READWRITE));
    expect(base % 0x10000).toBe(0);
    expect(base).not.toBe(0);
    expect(error).toBe(SENTINEL);
  });

  it('MEM_TOP_DOWN may be added; MEM_WRITE_WATCH may not; reserving needs no privilege', () => {
    const { process } = setup({}, false);
    const size = 2 * PAGE;
    expect(attempt(process, () => VirtualAlloc(process, 0, size, MEM_RESERVE | MEM_PHYSICAL | MEM_WRITE_WATCH, PAGE_READWRITE))).toEqual([0, ERROR_INVALID_PARAMETER]);
    const low = VirtualAlloc(process, 0, size, MEM_RESERVE | MEM_PHYSICAL, PAGE_READWRITE);
    const high = VirtualAlloc(process, 0, size, MEM_RESERVE | MEM_PHYSICAL | MEM_TOP_DOWN, PAGE_READWRITE);
    expect(low).not.toBe(0);
    expect(high).toBeGreaterThan(low);
  });

  it('pages of the region cannot be committed, decommitted or given another protection', () => {
    const { process, frames, window } = withFrames(1);
    MapUserPhysicalPages(process, window, 1, frames);
    expect(attempt(process, () => VirtualAlloc(process, window, PAGE, MEM_COMMIT, PAGE_READWRITE))).toEqual([0, ERROR_INVALID_ADDRESS]);
    expect(attempt(process, () => VirtualFree(process, window, PAGE, MEM_DECOMMIT))).toEqual([false, ERROR_INVALID_ADDRESS]);
    const old: { value?: number } = {};
    expect(attempt(process, () => VirtualProtect(process, window, PAGE, PAGE_READONLY, old))).toEqual([false, ERROR_INVALID_ADDRESS]);
    expect(old.value).toBeUndefined();
    // read/write is what the region already is, mapped (page 0) or not (page 1): accepted, nothing changes
    expect(attempt(process, () => VirtualProtect(process, window, 2 * PAGE, PAGE_READWRITE, old))).toEqual([true, SENTINEL]);
    expect(old.value).toBe(PAGE_READWRITE);
    expect(faults(process, window + PAGE)).toBe(true);
    // the mapping is untouched by the refused calls
    process.mem.setUint32(window, 0x1234);
    expect(process.mem.getUint32(window)).toBe(0x1234);
  });
});

describe('MapUserPhysicalPages (A-003)', () => {
  it('shows the frames at consecutive pages; the pages read zero and are writable', () => {
    const { process, frames, window } = withFrames(3);
    expect(faults(process, window)).toBe(true);
    expect(attempt(process, () => MapUserPhysicalPages(process, window + PAGE, 3, frames))).toEqual([true, SENTINEL]);
    expect(faults(process, window)).toBe(true);
    for (let i = 1; i <= 3; i++) {
      expect(process.mem.getUint32(window + i * PAGE)).toBe(0);
      process.mem.setUint32(window + i * PAGE + 8, 0xa000 + i);
    }
    expect(faults(process, window + 4 * PAGE)).toBe(true);
    const state = userPhysicalPagesOf(process);
    for (let i = 0; i < 3; i++) expect(state?.mappedAddress(frames[i] as number)).toBe(window + (i + 1) * PAGE);
    state?.validate();
  });

  it('rounds the address down to its page', () => {
    const { process, frames, window } = withFrames(1);
    expect(MapUserPhysicalPages(process, window + PAGE + 123, 1, frames)).toBe(true);
    expect(userPhysicalPagesOf(process)?.mappedAddress(frames[0] as number)).toBe(window + PAGE);
  });

  it('unmaps with a NULL array: the pages fault again, the frames keep their data and stay allocated', () => {
    const { machine, process, frames, window } = withFrames(2);
    MapUserPhysicalPages(process, window, 2, frames);
    process.mem.setUint32(window, 0xcafe);
    process.mem.setUint32(window + PAGE, 0xbeef);
    const before = memoryStatus(machine);
    expect(attempt(process, () => MapUserPhysicalPages(process, window, 2, undefined))).toEqual([true, SENTINEL]);
    expect(faults(process, window)).toBe(true);
    expect(faults(process, window + PAGE)).toBe(true);
    expect(memoryStatus(machine)).toEqual(before);
    // map them back the other way round
    MapUserPhysicalPages(process, window, 2, [frames[1] as number, frames[0] as number]);
    expect(process.mem.getUint32(window)).toBe(0xbeef);
    expect(process.mem.getUint32(window + PAGE)).toBe(0xcafe);
  });

  it('unmapping pages that show nothing succeeds', () => {
    const { process, window } = withFrames(1);
    expect(attempt(process, () => MapUserPhysicalPages(process, window, 8, undefined))).toEqual([true, SENTINEL]);
  });

  it('replaces what a page showed: the old frame becomes free to map elsewhere', () => {
    const { process, frames, window } = withFrames(2);
    MapUserPhysicalPages(process, window, 1, [frames[0] as number]);
    process.mem.setUint8(window, 7);
    expect(MapUserPhysicalPages(process, window, 1, [frames[1] as number])).toBe(true);
    expect(process.mem.getUint8(window)).toBe(0);
    expect(MapUserPhysicalPages(process, window + 5 * PAGE, 1, [frames[0] as number])).toBe(true);
    expect(process.mem.getUint8(window + 5 * PAGE)).toBe(7);
    userPhysicalPagesOf(process)?.validate();
  });

  it('a frame shown anywhere (even at the same page) cannot be mapped again: ERROR_INVALID_PARAMETER', () => {
    const { process, frames, window } = withFrames(2);
    MapUserPhysicalPages(process, window, 1, [frames[0] as number]);
    expect(attempt(process, () => MapUserPhysicalPages(process, window + PAGE, 1, [frames[0] as number]))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => MapUserPhysicalPages(process, window, 1, [frames[0] as number]))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(faults(process, window + PAGE)).toBe(true);
  });

  it('a frame named twice in one call: ERROR_INVALID_PARAMETER, nothing mapped', () => {
    const { process, frames, window } = withFrames(2);
    const twice = [frames[0] as number, frames[1] as number, frames[0] as number];
    expect(attempt(process, () => MapUserPhysicalPages(process, window, 3, twice))).toEqual([false, ERROR_INVALID_PARAMETER]);
    for (let i = 0; i < 3; i++) expect(faults(process, window + i * PAGE)).toBe(true);
  });

  it('is all or nothing: a bad frame after good ones maps none and keeps existing mappings', () => {
    const { process, frames, window } = withFrames(3);
    MapUserPhysicalPages(process, window + 2 * PAGE, 1, [frames[2] as number]);
    process.mem.setUint8(window + 2 * PAGE, 42);
    const bad = [frames[0] as number, frames[1] as number, 123_456];
    expect(attempt(process, () => MapUserPhysicalPages(process, window, 3, bad))).toEqual([false, ERROR_INVALID_ADDRESS]);
    expect(faults(process, window)).toBe(true);
    expect(faults(process, window + PAGE)).toBe(true);
    expect(process.mem.getUint8(window + 2 * PAGE)).toBe(42);
    // the refused frames are still free to map
    expect(MapUserPhysicalPages(process, window, 2, frames)).toBe(true);
  });

  it('the first bad entry decides the code (array order)', () => {
    const { process, frames, window } = withFrames(2);
    MapUserPhysicalPages(process, window + 7 * PAGE, 1, [frames[0] as number]);
    expect(attempt(process, () => MapUserPhysicalPages(process, window, 2, [frames[0] as number, 999_999]))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => MapUserPhysicalPages(process, window, 2, [999_999, frames[0] as number]))).toEqual([false, ERROR_INVALID_ADDRESS]);
  });

  it('frames of another process, free frames and non-numbers are refused with ERROR_INVALID_ADDRESS', () => {
    const { machine, process, window } = withFrames(1);
    const other = machine.createProcess({ privileges: ['SeLockMemoryPrivilege'] });
    const theirs: number[] = [];
    AllocateUserPhysicalPages(other, SELF, { value: 1 }, theirs);
    expect(attempt(process, () => MapUserPhysicalPages(process, window, 1, theirs))).toEqual([false, ERROR_INVALID_ADDRESS]);
    expect(attempt(process, () => MapUserPhysicalPages(process, window, 1, [machine.physical.ramFrames + 5]))).toEqual([false, ERROR_INVALID_ADDRESS]);
    expect(attempt(process, () => MapUserPhysicalPages(process, window, 1, [-1]))).toEqual([false, ERROR_INVALID_ADDRESS]);
    expect(attempt(process, () => MapUserPhysicalPages(process, window, 1, [Number.NaN]))).toEqual([false, ERROR_INVALID_ADDRESS]);
    expect(faults(process, window)).toBe(true);
  });

  it('the range must lie inside one MEM_PHYSICAL region: ERROR_INVALID_PARAMETER', () => {
    const { process, frames, window } = withFrames(4, 2);
    const ordinary = VirtualAlloc(process, 0, 4 * PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    expect(attempt(process, () => MapUserPhysicalPages(process, window + PAGE, 2, frames))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => MapUserPhysicalPages(process, ordinary, 1, frames))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => MapUserPhysicalPages(process, window + 0x10000, 1, frames))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => MapUserPhysicalPages(process, 0, 1, frames))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(process.mem.getUint8(ordinary)).toBe(0);
    expect(faults(process, window + PAGE)).toBe(true);
  });

  it('a count of 0 fails with ERROR_INVALID_PARAMETER; a short array with ERROR_NOACCESS', () => {
    const { process, frames, window } = withFrames(2);
    expect(attempt(process, () => MapUserPhysicalPages(process, window, 0, frames))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => MapUserPhysicalPages(process, window, 0, undefined))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => MapUserPhysicalPages(process, window, 3, frames))).toEqual([false, ERROR_NOACCESS]);
  });

  it('a process that never allocated physical pages cannot map or unmap: ERROR_INVALID_PARAMETER', () => {
    const { process } = setup();
    const window = reserveWindow(process, 2);
    expect(attempt(process, () => MapUserPhysicalPages(process, window, 1, undefined))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => MapUserPhysicalPages(process, window, 1, [5]))).toEqual([false, ERROR_INVALID_PARAMETER]);
  });
});

describe('MapUserPhysicalPagesScatter (A-003)', () => {
  it('maps each frame at its own address, across regions', () => {
    const { process, frames, window } = withFrames(3);
    const second = reserveWindow(process, 4);
    const addresses = [second + 3 * PAGE, window + 5 * PAGE, second];
    expect(attempt(process, () => MapUserPhysicalPagesScatter(process, addresses, 3, frames))).toEqual([true, SENTINEL]);
    const state = userPhysicalPagesOf(process);
    for (let i = 0; i < 3; i++) expect(state?.mappedAddress(frames[i] as number)).toBe(addresses[i]);
    state?.validate();
  });

  it('a 0 entry unmaps its address; a NULL array unmaps every address', () => {
    const { process, frames, window } = withFrames(2);
    MapUserPhysicalPages(process, window, 2, frames);
    expect(MapUserPhysicalPagesScatter(process, [window, window + 4 * PAGE], 2, [0, frames[0] as number])).toBe(false);
    // frames[0] is still shown at window: refused, nothing changed
    expect(process.lastError).toBe(ERROR_INVALID_PARAMETER);
    expect(MapUserPhysicalPagesScatter(process, [window, window + PAGE], 2, [0, 0])).toBe(true);
    expect(faults(process, window)).toBe(true);
    expect(faults(process, window + PAGE)).toBe(true);
    MapUserPhysicalPages(process, window, 2, frames);
    expect(MapUserPhysicalPagesScatter(process, [window + PAGE, window], 2, undefined)).toBe(true);
    expect(faults(process, window)).toBe(true);
    expect(faults(process, window + PAGE)).toBe(true);
    expect(userPhysicalPagesOf(process)?.mappedAddress(frames[0] as number)).toBe(-1);
  });

  it('a count of 0 succeeds; an address outside MEM_PHYSICAL regions fails with nothing mapped', () => {
    const { process, frames, window } = withFrames(2);
    expect(attempt(process, () => MapUserPhysicalPagesScatter(process, [], 0, undefined))).toEqual([true, SENTINEL]);
    const ordinary = VirtualAlloc(process, 0, PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    expect(attempt(process, () => MapUserPhysicalPagesScatter(process, [window, ordinary], 2, frames))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(faults(process, window)).toBe(true);
    expect(attempt(process, () => MapUserPhysicalPagesScatter(process, [window], 2, frames))).toEqual([false, ERROR_NOACCESS]);
    expect(attempt(process, () => MapUserPhysicalPagesScatter(process, undefined, 1, frames))).toEqual([false, ERROR_NOACCESS]);
  });

  it('refuses frames it does not own and frames named twice, all or nothing', () => {
    const { process, frames, window } = withFrames(2);
    expect(attempt(process, () => MapUserPhysicalPagesScatter(process, [window, window + PAGE], 2, [frames[0] as number, 77_777]))).toEqual([
      false,
      ERROR_INVALID_ADDRESS,
    ]);
    expect(attempt(process, () => MapUserPhysicalPagesScatter(process, [window, window + PAGE], 2, [frames[0] as number, frames[0] as number]))).toEqual([
      false,
      ERROR_INVALID_PARAMETER,
    ]);
    expect(faults(process, window)).toBe(true);
    expect(faults(process, window + PAGE)).toBe(true);
  });
});

describe('freeing and releasing while mapped', () => {
  it('A-004 FreeUserPhysicalPages unmaps the frames wherever they are shown', () => {
    const { machine, process, frames, window } = withFrames(2);
    const before = memoryStatus(machine);
    MapUserPhysicalPagesScatter(process, [window + 6 * PAGE, window + PAGE], 2, frames);
    expect(FreeUserPhysicalPages(process, SELF, { value: 2 }, frames)).toBe(true);
    expect(faults(process, window + 6 * PAGE)).toBe(true);
    expect(faults(process, window + PAGE)).toBe(true);
    expect(memoryStatus(machine).availPhys).toBe(before.availPhys + 2 * PAGE);
    userPhysicalPagesOf(process)?.validate();
  });

  it('VirtualFree(MEM_RELEASE) of the window unmaps but does not free: the data moves to a new window', () => {
    const { machine, process, frames, window } = withFrames(2);
    MapUserPhysicalPages(process, window, 2, frames);
    process.mem.setFloat64(window + PAGE, Math.PI);
    const before = memoryStatus(machine);
    expect(VirtualFree(process, window, 0, MEM_RELEASE)).toBe(true);
    expect(memoryStatus(machine)).toEqual(before);
    const state = userPhysicalPagesOf(process);
    expect(state?.mappedAddress(frames[1] as number)).toBe(-1);
    state?.validate();
    const next = reserveWindow(process, 1);
    expect(MapUserPhysicalPages(process, next, 1, [frames[1] as number])).toBe(true);
    expect(process.mem.getFloat64(next)).toBe(Math.PI);
  });
});

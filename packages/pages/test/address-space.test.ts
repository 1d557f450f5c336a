import { describe, expect, it } from 'vitest';
import {
  ERROR_COMMITMENT_LIMIT,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  ERROR_NOT_ENOUGH_MEMORY,
  ERROR_NOT_LOCKED,
  ERROR_WORKING_SET_QUOTA,
  MEM_COMMIT,
  MEM_FREE,
  MEM_MAPPED,
  MEM_PRIVATE,
  MEM_RESERVE,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_GUARD,
  PAGE_NOACCESS,
  PAGE_NOCACHE,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOMBINE,
  PAGE_WRITECOPY,
  STATUS_GUARD_PAGE_VIOLATION,
  createMachine,
  normalizeProtection,
} from '../src/index';
import { expectCode } from './helpers';

const MiB = 1024 * 1024;

function setup(geometry: 'x86' | 'x64' = 'x64', physicalMemory = 64 * MiB, pagingFile = 64 * MiB) {
  const machine = createMachine({ geometry, physicalMemory, pagingFile });
  const process = machine.createProcess();
  return { machine, process, space: process.addressSpace, physical: machine.physical };
}

describe('normalizeProtection', () => {
  it('accepts the six private protections with compatible modifiers', () => {
    for (const base of [0x01, 0x02, 0x04, 0x10, 0x20, 0x40]) expect(normalizeProtection(base, false)).toBe(base);
    expect(normalizeProtection(PAGE_READWRITE | PAGE_GUARD, false)).toBe(0x104);
    expect(normalizeProtection(PAGE_READWRITE | PAGE_NOCACHE, false)).toBe(0x204);
    expect(normalizeProtection(PAGE_READWRITE | PAGE_WRITECOMBINE, false)).toBe(0x404);
  });

  it('refuses 0, two base protections, WRITECOPY for private memory and bad modifier mixes (P-005)', () => {
    for (const bad of [0, 0x03, 0x05, 0x06, 0x07, 0x09, 0x0f, 0x30, 0x50, 0x60, 0x70, 0x90, 0xf0]) {
      expect(normalizeProtection(bad, true)).toBe(-1);
    }
    expect(normalizeProtection(PAGE_WRITECOPY, false)).toBe(-1);
    expect(normalizeProtection(PAGE_EXECUTE_WRITECOPY, false)).toBe(-1);
    expect(normalizeProtection(PAGE_WRITECOPY, true)).toBe(PAGE_WRITECOPY);
    expect(normalizeProtection(PAGE_NOACCESS | PAGE_GUARD, false)).toBe(-1);
    expect(normalizeProtection(PAGE_READWRITE | PAGE_GUARD | PAGE_NOCACHE, false)).toBe(-1);
    expect(normalizeProtection(PAGE_READWRITE | PAGE_NOCACHE | PAGE_WRITECOMBINE, false)).toBe(-1);
    expect(normalizeProtection(PAGE_READWRITE | 0x800, false)).toBe(-1);
    expect(normalizeProtection(-4, false)).toBe(-1);
  });
});

describe('reserve', () => {
  it('places bottom-up at 64 KiB multiples, deterministically', () => {
    const { space } = setup();
    const first = space.reserve(0, 0x1000);
    const second = space.reserve(0, 0x1000);
    expect(first).toBe(0x10000);
    expect(second).toBe(0x20000);
    expect(space.reservedBytes).toBe(0x2000);
    expect(space.query(first).regionSize).toBe(0x1000);
    // the rest of the granule is unusable but free
    const free = space.query(first + 0x1000);
    expect(free.state).toBe(MEM_FREE);
    expect(free.regionSize).toBe(0xf000);
  });

  it('places top-down below the highest user address', () => {
    const { space, process } = setup('x86');
    const base = space.reserve(0, 0x20000, { topDown: true });
    expect(base).toBe(0x7ffe0000 - 0x10000);
    expect(base + 0x20000 - 1).toBeLessThanOrEqual(process.geometry.highestUserAddress);
    const next = space.reserve(0, 0x1000, { topDown: true });
    expect(next).toBe(base - 0x10000);
  });

  it('reserves at a given address, rounding the base down to 64 KiB and the end up to a page', () => {
    const { space } = setup();
    const base = space.reserve(0x123456, 0x100);
    expect(base).toBe(0x120000);
    expect(space.query(base).regionSize).toBe(0x4000);
  });

  it('fails with ERROR_INVALID_ADDRESS on a taken or out-of-range address', () => {
    const { space } = setup('x86');
    space.reserve(0x100000, 0x10000);
    expectCode(() => space.reserve(0x108000, 0x1000), ERROR_INVALID_ADDRESS);
    expectCode(() => space.reserve(0xf0000, 0x20000), ERROR_INVALID_ADDRESS);
    expectCode(() => space.reserve(0x1000, 0x1000), ERROR_INVALID_ADDRESS);
    // above the user space: an invalid parameter, as NtAllocateVirtualMemory says
    expectCode(() => space.reserve(0x7fff0000, 0x1000), ERROR_INVALID_PARAMETER);
    expectCode(() => space.reserve(0x7ffe0000, 0x20000), ERROR_INVALID_PARAMETER);
    expect(space.allocationCount).toBe(1);
  });

  it('fails with ERROR_NOT_ENOUGH_MEMORY when no free range is large enough', () => {
    const { space } = setup('x86');
    expectCode(() => space.reserve(0, 0x80000000), ERROR_INVALID_PARAMETER);
    space.reserve(0, 0x40000000);
    expectCode(() => space.reserve(0, 0x40000000), ERROR_NOT_ENOUGH_MEMORY);
    expect(space.allocationCount).toBe(1);
  });

  it('rejects size 0, negative numbers and bad protections', () => {
    const { space } = setup();
    expectCode(() => space.reserve(0, 0), ERROR_INVALID_PARAMETER);
    expectCode(() => space.reserve(-1, 0x1000), ERROR_INVALID_PARAMETER);
    expectCode(() => space.reserve(0, 0x1000, { protect: PAGE_WRITECOPY }), ERROR_INVALID_PARAMETER);
    expectCode(() => space.reserve(0, 0x1000, { protect: 0 }), ERROR_INVALID_PARAMETER);
    expect(space.allocationCount).toBe(0);
  });

  it('reserving 64 TiB on x64 costs one allocation record', () => {
    const { space } = setup();
    const base = space.reserve(0, 64 * 2 ** 40);
    expect(space.reservedBytes).toBe(64 * 2 ** 40);
    expect(space.pageTable.leafCount).toBe(0);
    expect(space.query(base + 2 ** 44).allocationBase).toBe(base);
  });
});

describe('commit and decommit', () => {
  it('commits pages of a reservation (V-006) and charges commit', () => {
    const { space, physical } = setup();
    const base = space.reserve(0, 0x10000, { protect: PAGE_NOACCESS });
    expect(space.commit(base + 0x10, 0x1000, PAGE_NOACCESS)).toBe(base);
    const region = space.query(base);
    expect(region).toEqual({
      baseAddress: base,
      allocationBase: base,
      allocationProtect: PAGE_NOACCESS,
      regionSize: 0x2000,
      state: MEM_COMMIT,
      protect: PAGE_NOACCESS,
      type: MEM_PRIVATE,
    });
    const rest = space.query(base + 0x2000);
    expect(rest.state).toBe(MEM_RESERVE);
    expect(rest.protect).toBe(0);
    expect(rest.regionSize).toBe(0xe000);
    expect(space.privateBytes).toBe(0x2000);
    expect(physical.commitChargePages).toBe(2);
    space.validate();
  });

  it('re-committing committed pages succeeds, changes protection and charges nothing more', () => {
    const { space, physical } = setup();
    const base = space.reserve(0, 0x10000);
    space.commit(base, 0x4000, PAGE_READWRITE);
    expect(physical.commitChargePages).toBe(4);
    space.commit(base, 0x8000, PAGE_READONLY);
    expect(space.query(base).protect).toBe(PAGE_READONLY);
    expect(space.query(base).regionSize).toBe(0x8000);
    expect(physical.commitChargePages).toBe(8);
    space.validate();
  });

  it('fails outside one reservation with ERROR_INVALID_ADDRESS (V-012)', () => {
    const { space } = setup();
    const base = space.reserve(0, 0x10000);
    expectCode(() => space.commit(base + 0xf000, 0x2000, PAGE_READWRITE), ERROR_INVALID_ADDRESS);
    expectCode(() => space.commit(0x7000_0000, 0x1000, PAGE_READWRITE), ERROR_INVALID_ADDRESS);
    expect(space.committedPages).toBe(0);
  });

  it('refuses WRITECOPY and invalid protections for private memory', () => {
    const { space } = setup();
    const base = space.reserve(0, 0x10000);
    expectCode(() => space.commit(base, 0x1000, PAGE_WRITECOPY), ERROR_INVALID_PARAMETER);
    expectCode(() => space.commit(base, 0x1000, 0x06), ERROR_INVALID_PARAMETER);
    expectCode(() => space.commit(base, 0, PAGE_READWRITE), ERROR_INVALID_PARAMETER);
    expect(space.committedPages).toBe(0);
  });

  it('fails beyond the commit limit with ERROR_COMMITMENT_LIMIT and changes nothing', () => {
    const { space, physical } = setup('x64', 4 * MiB, 4 * MiB);
    const base = space.reserve(0, 16 * MiB);
    space.commit(base, 6 * MiB);
    expectCode(() => space.commit(base + 6 * MiB, 4 * MiB), ERROR_COMMITMENT_LIMIT);
    expect(physical.commitChargePages).toBe(1536);
    expect(space.query(base + 6 * MiB).state).toBe(MEM_RESERVE);
    expectCode(() => space.allocate(0, 4 * MiB), ERROR_COMMITMENT_LIMIT);
    expect(space.allocationCount).toBe(1);
    space.validate();
  });

  it('decommits one page in the middle into three regions (F-013) and releases its frame', () => {
    const { space, process, physical } = setup();
    const base = space.allocate(0, 0x3000);
    process.mem.setUint32(base + 0x1000, 7);
    expect(space.workingSetPages).toBe(1);
    space.decommit(base + 0x1000, 0x1000);
    expect(space.query(base).regionSize).toBe(0x1000);
    expect(space.query(base + 0x1000).state).toBe(MEM_RESERVE);
    expect(space.query(base + 0x2000).state).toBe(MEM_COMMIT);
    expect(space.workingSetPages).toBe(0);
    expect(physical.framesInUse).toBe(0);
    expect(physical.commitChargePages).toBe(2);
    space.commit(base + 0x1000, 0x1000);
    expect(process.mem.getUint32(base + 0x1000)).toBe(0);
    space.validate();
  });

  it('decommit rounds to every page touched (F-005) and size 0 runs to the end of the allocation', () => {
    const { space } = setup();
    const base = space.allocate(0, 0x10000);
    space.decommit(base + 0x1fff, 2);
    expect(space.query(base + 0x1000).regionSize).toBe(0x2000);
    space.decommit(base + 0x8000, 0);
    expect(space.query(base + 0x8000).regionSize).toBe(0x8000);
    expect(space.query(base + 0x8000).state).toBe(MEM_RESERVE);
    expect(space.committedPages).toBe(6);
  });

  it('decommit errors: free address, range past the allocation', () => {
    const { space } = setup();
    const base = space.allocate(0, 0x2000);
    expectCode(() => space.decommit(base + 0x10000, 0x1000), ERROR_INVALID_ADDRESS);
    expectCode(() => space.decommit(base, 0x3000), ERROR_INVALID_PARAMETER);
    expect(space.committedPages).toBe(2);
  });
});

describe('release', () => {
  it('needs the allocation base', () => {
    const { space, physical } = setup();
    const base = space.allocate(0, 0x2000);
    expectCode(() => space.release(base + 0x1000), ERROR_INVALID_ADDRESS);
    expectCode(() => space.release(base + 0x100000), ERROR_INVALID_ADDRESS);
    space.release(base);
    expect(space.query(base)).toMatchObject({ state: MEM_FREE, allocationBase: 0, allocationProtect: 0, protect: PAGE_NOACCESS, type: 0 });
    expect(physical.commitChargePages).toBe(0);
    expect(space.reservedBytes).toBe(0);
    // V-005: the same address can be had again
    expect(space.allocate(base, 0x1000)).toBe(base);
    space.validate();
  });
});

describe('protect', () => {
  it('returns the old protection, splits and merges regions (P-003, P-008)', () => {
    const { space } = setup();
    const base = space.allocate(0, 0x4000, PAGE_NOACCESS);
    expect(space.protect(base, 0x1000, PAGE_READONLY)).toBe(PAGE_NOACCESS);
    expect(space.protect(base, 0x1000, PAGE_READWRITE)).toBe(PAGE_READONLY);
    expect(space.query(base)).toMatchObject({ regionSize: 0x1000, protect: PAGE_READWRITE, allocationProtect: PAGE_NOACCESS });
    space.protect(base, 0x1000, PAGE_NOACCESS);
    expect(space.query(base).regionSize).toBe(0x4000);
  });

  it('rounds to every page touched (P-007)', () => {
    const { space } = setup();
    const base = space.allocate(0, 0x4000);
    space.protect(base + 0xfff, 2, PAGE_READONLY);
    expect(space.query(base)).toMatchObject({ regionSize: 0x2000, protect: PAGE_READONLY });
    expect(space.query(base + 0x2000)).toMatchObject({ regionSize: 0x2000, protect: PAGE_READWRITE });
    space.protect(base + 0x3000, 0, PAGE_NOACCESS);
    expect(space.query(base + 0x3000)).toMatchObject({ regionSize: 0x1000, protect: PAGE_NOACCESS });
  });

  it('fails on reserved pages, across allocations and for bad protections, changing nothing', () => {
    const { space } = setup();
    const base = space.reserve(0, 0x10000);
    space.commit(base, 0x1000);
    expectCode(() => space.protect(base, 0xfffc, PAGE_READONLY), ERROR_INVALID_ADDRESS);
    expect(space.query(base).protect).toBe(PAGE_READWRITE);
    const second = space.allocate(base + 0x10000, 0x10000);
    space.commit(base, 0x10000);
    expectCode(() => space.protect(base + 0xf000, 0x2000, PAGE_READONLY), ERROR_INVALID_ADDRESS);
    expect(space.query(second).protect).toBe(PAGE_READWRITE);
    expectCode(() => space.protect(base, 0x1000, PAGE_WRITECOPY), ERROR_INVALID_PARAMETER);
    expectCode(() => space.protect(base, 0x1000, 0), ERROR_INVALID_PARAMETER);
    expectCode(() => space.protect(0x7000_0000, 0x1000, PAGE_READONLY), ERROR_INVALID_ADDRESS);
  });

  it('keeps NOCACHE sticky per allocation and never adds it later (V-018)', () => {
    const { space } = setup();
    const cached = space.allocate(0, 0x2000, PAGE_READWRITE | PAGE_NOCACHE);
    expect(space.query(cached)).toMatchObject({ protect: 0x204, allocationProtect: 0x204, regionSize: 0x2000 });
    expect(space.protect(cached, 0x1000, PAGE_READWRITE)).toBe(0x204);
    expect(space.query(cached)).toMatchObject({ protect: 0x204, regionSize: 0x2000 });
    expect(space.protect(cached, 0x1000, PAGE_READONLY)).toBe(0x204);
    expect(space.query(cached)).toMatchObject({ protect: 0x202, regionSize: 0x1000 });
    const plain = space.allocate(0, 0x1000, PAGE_READWRITE);
    expect(space.protect(plain, 0x1000, PAGE_READONLY | PAGE_NOCACHE)).toBe(PAGE_READWRITE);
    expect(space.query(plain).protect).toBe(PAGE_READONLY);
  });
});

describe('query', () => {
  it('reports free space up to the next allocation and fails above the user range (Q-002, Q-003)', () => {
    const { space, process } = setup('x86');
    const base = space.reserve(0x200000, 0x10000);
    expect(space.query(0)).toMatchObject({ baseAddress: 0, regionSize: 0x200000, state: MEM_FREE, protect: PAGE_NOACCESS });
    expect(space.query(0x1234)).toMatchObject({ baseAddress: 0x1000, regionSize: 0x1ff000 });
    expect(space.query(base + 0x10000)).toMatchObject({ regionSize: process.geometry.highestUserAddress + 1 - base - 0x10000 });
    expectCode(() => space.query(0x7fff0000), ERROR_INVALID_PARAMETER);
    expectCode(() => space.query(-1), ERROR_INVALID_PARAMETER);
  });

  it('walks contiguous regions from 0 to the top', () => {
    const { space, process } = setup('x86');
    space.allocate(0, 0x3000);
    space.reserve(0, 0x20000, { topDown: true });
    const regions = space.regions();
    let address = 0;
    for (const region of regions) {
      expect(region.baseAddress).toBe(address);
      address += region.regionSize;
    }
    expect(address).toBe(process.geometry.highestUserAddress + 1);
  });
});

describe('lock and unlock', () => {
  it('locks committed pages up to the allowance (working-set minimum minus overhead)', () => {
    const { space } = setup();
    expect(space.lockablePages).toBe(30);
    const base = space.allocate(0, 0x40000);
    space.lock(base, 30 * 0x1000);
    expect(space.lockedPages).toBe(30);
    expect(space.workingSetPages).toBe(30);
    // no lock count: locking again costs nothing
    space.lock(base, 0x1000);
    expect(space.lockedPages).toBe(30);
    expectCode(() => space.lock(base + 30 * 0x1000, 0x1000), ERROR_WORKING_SET_QUOTA);
    space.unlock(base, 30 * 0x1000);
    expect(space.lockedPages).toBe(0);
    expectCode(() => space.unlock(base, 0x1000), ERROR_NOT_LOCKED);
    space.setWorkingSetSize(200, 400);
    space.lock(base, 0x40000);
    expect(space.lockedPages).toBe(64);
    space.validate();
  });

  it('refuses reserved and NOACCESS pages', () => {
    const { space } = setup();
    const base = space.reserve(0, 0x10000);
    expectCode(() => space.lock(base, 0x1000), ERROR_INVALID_ADDRESS);
    space.commit(base, 0x1000, PAGE_NOACCESS);
    expectCode(() => space.lock(base, 0x1000), ERROR_NOACCESS);
    expect(space.lockedPages).toBe(0);
  });

  it('a guard page fails the first lock with STATUS_GUARD_PAGE_VIOLATION and clears the guard', () => {
    const { space } = setup();
    const base = space.allocate(0, 0x1000, PAGE_READWRITE | PAGE_GUARD);
    expectCode(() => space.lock(base, 0x1000), STATUS_GUARD_PAGE_VIOLATION);
    expect(space.query(base).protect).toBe(PAGE_READWRITE);
    space.lock(base, 0x1000);
    expect(space.lockedPages).toBe(1);
  });

  it('decommit unlocks', () => {
    const { space } = setup();
    const base = space.allocate(0, 0x2000);
    space.lock(base, 0x2000);
    space.decommit(base, 0x1000);
    expect(space.lockedPages).toBe(1);
    space.validate();
  });
});

describe('write watch', () => {
  it('reports written pages in order, resets on request (W-003..W-006)', () => {
    const { space, process } = setup();
    const base = space.allocate(0, 0x10000, PAGE_READWRITE, { writeWatch: true });
    expect(space.getWriteWatch(base, 0x10000)).toEqual([]);
    process.mem.setUint8(base + 0x1001, 0x44);
    expect(space.getWriteWatch(base, 0x10000)).toEqual([base + 0x1000]);
    expect(space.getWriteWatch(base, 0x10000, true)).toEqual([base + 0x1000]);
    expect(space.getWriteWatch(base, 0x10000)).toEqual([]);
    process.mem.setUint8(base + 0x2003, 1);
    process.mem.setUint8(base + 0x4008, 1);
    expect(space.getWriteWatch(base + 0x3000, 0x2000)).toEqual([base + 0x4000]);
    space.resetWriteWatch(base, 0x3000);
    expect(space.getWriteWatch(base, 0x10000)).toEqual([base + 0x4000]);
    // W-007: a straddling store marks both pages
    process.mem.setUint32(base + 0x2000 - 2, 0xdeadbeef);
    expect(space.getWriteWatch(base, 0x10000)).toEqual([base + 0x1000, base + 0x2000, base + 0x4000]);
    expect(space.getWriteWatch(base, 0x10000, true, 1)).toEqual([base + 0x1000]);
    expect(space.getWriteWatch(base, 0x10000)).toEqual([base + 0x2000, base + 0x4000]);
  });

  it('is not changed by VirtualProtect (W-009) and is cleared by decommit (F-012)', () => {
    const { space, process } = setup();
    const base = space.allocate(0, 0x10000, PAGE_READWRITE, { writeWatch: true });
    process.mem.setUint8(base + 0x2000, 1);
    space.protect(base, 0x3000, PAGE_READONLY);
    space.protect(base, 0x3000, PAGE_READWRITE);
    expect(space.getWriteWatch(base, 0x10000)).toEqual([base + 0x2000]);
    space.decommit(base, 0x10000);
    space.commit(base, 0x10000);
    expect(space.getWriteWatch(base, 0x10000)).toEqual([]);
  });

  it('refuses allocations without MEM_WRITE_WATCH and ranges beyond the allocation (W-002)', () => {
    const { space } = setup();
    const plain = space.allocate(0, 0x1000);
    const watched = space.allocate(0, 0x10000, PAGE_READWRITE, { writeWatch: true });
    expectCode(() => space.getWriteWatch(plain, 0x1000), ERROR_INVALID_PARAMETER);
    expectCode(() => space.resetWriteWatch(plain, 0x1000), ERROR_INVALID_PARAMETER);
    expectCode(() => space.getWriteWatch(watched, 0x20000), ERROR_INVALID_PARAMETER);
    expectCode(() => space.getWriteWatch(watched + 0xf000, 0x1001), ERROR_INVALID_PARAMETER);
    expectCode(() => space.getWriteWatch(watched, 0), ERROR_INVALID_PARAMETER);
    expectCode(() => space.getWriteWatch(0, 0x1000), ERROR_INVALID_PARAMETER);
  });
});

describe('reset', () => {
  it('keeps state and data, accepts reserved pages and refuses ranges past the allocation', () => {
    const { space, process } = setup();
    const base = space.reserve(0, 0x10000);
    space.commit(base, 0x1000);
    process.mem.setUint32(base, 0x55555555);
    expect(space.reset(base, 0x1000)).toBe(base);
    expect(process.mem.getUint32(base)).toBe(0x55555555);
    expect(space.query(base)).toMatchObject({ state: MEM_COMMIT, protect: PAGE_READWRITE, regionSize: 0x1000 });
    expect(space.reset(base + 0x1000, 0x1000)).toBe(base + 0x1000);
    expect(space.query(base + 0x1000).state).toBe(MEM_RESERVE);
    expectCode(() => space.reset(base + 0xf000, 0x2000), ERROR_INVALID_ADDRESS);
    expect(space.resetUndo(base, 0x1000)).toBe(base);
  });
});

describe('owned allocations (hooks for mapping and AWE)', () => {
  it('asks the owner for frames on first touch and shares them', () => {
    const machine = createMachine({ geometry: 'x64', physicalMemory: 16 * MiB, pagingFile: 0 });
    const physical = machine.physical;
    const sectionFrame = physical.allocateFrame();
    physical.bytesOf(sectionFrame)[0] = 0x5a;
    const released: number[] = [];
    const owner = {
      resolveFrame: () => sectionFrame,
      protectionFor: (_allocation: unknown, requested: number) => (requested === PAGE_EXECUTE_READWRITE ? -1 : requested),
      released: (allocation: { base: number }) => released.push(allocation.base),
    };
    const processes = [machine.createProcess(), machine.createProcess()];
    const views = processes.map((process) => {
      const space = process.addressSpace;
      const view = space.insertAllocation({ size: 0x1000, allocationProtect: PAGE_READWRITE, type: MEM_MAPPED, owner });
      expect(space.setCommitted(view, view.base, 0x1000, PAGE_READWRITE)).toBe(true);
      return view;
    });
    // sections pay their own commit
    expect(physical.commitChargePages).toBe(0);
    expect(processes[0]?.mem.getUint8(views[0]?.base as number)).toBe(0x5a);
    processes[1]?.mem.setUint8((views[1]?.base as number) + 1, 0x77);
    expect(processes[0]?.mem.getUint8((views[0]?.base as number) + 1)).toBe(0x77);
    expect(physical.refCount(sectionFrame)).toBe(3);
    expect(processes[0]?.addressSpace.query(views[0]?.base as number).type).toBe(MEM_MAPPED);
    expectCode(() => processes[0]?.addressSpace.protect(views[0]?.base as number, 0x1000, PAGE_EXECUTE_READWRITE), ERROR_INVALID_PARAMETER);
    expectCode(() => processes[0]?.addressSpace.release(views[0]?.base as number), ERROR_INVALID_PARAMETER); // a view: unmapped, never released
    processes[0]?.addressSpace.removeAllocation(views[0] as never);
    expect(released).toEqual([views[0]?.base]);
    expect(physical.refCount(sectionFrame)).toBe(2);
    processes[1]?.addressSpace.validate();
  });

  it('WRITECOPY views give a private copy on the first store', () => {
    const machine = createMachine({ geometry: 'x86', physicalMemory: 16 * MiB, pagingFile: 0 });
    const physical = machine.physical;
    const shared = physical.allocateFrame();
    physical.bytesOf(shared).fill(0x11);
    const process = machine.createProcess();
    const space = process.addressSpace;
    const view = space.insertAllocation({
      size: 0x2000,
      allocationProtect: PAGE_WRITECOPY,
      type: MEM_MAPPED,
      owner: { resolveFrame: () => shared },
    });
    space.setCommitted(view, view.base, 0x2000, PAGE_WRITECOPY);
    expect(process.mem.getUint8(view.base)).toBe(0x11);
    process.mem.setUint8(view.base + 5, 0x99);
    expect(process.mem.getUint8(view.base + 5)).toBe(0x99);
    expect(process.mem.getUint8(view.base + 6)).toBe(0x11);
    expect(physical.bytesOf(shared)[5]).toBe(0x11);
    expect(space.query(view.base)).toMatchObject({ protect: PAGE_READWRITE, regionSize: 0x1000, type: MEM_MAPPED });
    expect(space.query(view.base + 0x1000).protect).toBe(PAGE_WRITECOPY);
    space.validate();
  });

  it('setPageFrame maps and unmaps frames directly', () => {
    const { space, physical, process } = setup();
    const window = space.insertAllocation({ size: 0x2000, allocationProtect: PAGE_READWRITE, type: MEM_PRIVATE, owner: { resolveFrame: () => -1 } });
    space.setCommitted(window, window.base, 0x2000, PAGE_READWRITE);
    const frame = physical.allocateFrame();
    physical.bytesOf(frame)[0] = 42;
    space.setPageFrame(window.base, frame);
    expect(process.mem.getUint8(window.base)).toBe(42);
    expect(physical.refCount(frame)).toBe(2);
    space.setPageFrame(window.base, -1);
    expect(physical.refCount(frame)).toBe(1);
    expectCode(() => space.setPageFrame(window.base + 0x10000, frame), ERROR_INVALID_ADDRESS);
    space.validate();
  });
});

// Property test: random reserve / commit / decommit / protect / release / access sequences on x86 and
// x64, checked after every step against a per-page reference model — the whole VirtualQuery walk
// from 0 to the top, the counters, and every structure's validate().
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AccessViolation,
  GuardPageViolation,
  MEM_COMMIT,
  MEM_FREE,
  MEM_PRIVATE,
  MEM_RESERVE,
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_GUARD,
  PAGE_NOACCESS,
  PAGE_NOCACHE,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOPY,
  type RegionInfo,
  createMachine,
  isMemError,
} from '../src/index';

const PAGE = 0x1000;
const GRANULE = 0x10000;
/** Explicit addresses fall in a window of 24 granules from here (bottom-up placement lands there too). */
const WINDOW = 0x100000;
const COMMIT_LIMIT_PAGES = 192;

interface ModelAllocation {
  base: number;
  size: number;
  protect: number;
}

/** The reference: allocations, and the protection of each committed page (absent = reserved). */
class Model {
  allocations: ModelAllocation[] = [];
  committed = new Map<number, number>();
  /** Byte values written, by address. */
  contents = new Map<number, number>();
  locked = new Set<number>();
  constructor(
    readonly lowest: number,
    readonly highest: number,
  ) {}

  allocationAt(address: number): ModelAllocation | undefined {
    return this.allocations.find((a) => address >= a.base && address < a.base + a.size);
  }
  overlaps(start: number, end: number): boolean {
    return this.allocations.some((a) => a.base < end && start < a.base + a.size);
  }
  pagesOf(address: number, size: number): [number, number] {
    return [Math.floor(address / PAGE), Math.ceil((address + Math.max(size, 1)) / PAGE)];
  }
  dropPages(first: number, end: number): number {
    let dropped = 0;
    for (let page = first; page < end; page++) {
      if (this.committed.delete(page)) dropped++;
      this.locked.delete(page);
    }
    for (const address of [...this.contents.keys()]) {
      if (address >= first * PAGE && address < end * PAGE) this.contents.delete(address);
    }
    return dropped;
  }
  /** The regions a VirtualQuery walk reports. */
  regions(): RegionInfo[] {
    const sorted = [...this.allocations].sort((a, b) => a.base - b.base);
    const result: RegionInfo[] = [];
    let cursor = 0;
    const free = (end: number) => {
      if (end > cursor) {
        result.push({ baseAddress: cursor, allocationBase: 0, allocationProtect: 0, regionSize: end - cursor, state: MEM_FREE, protect: PAGE_NOACCESS, type: 0 });
      }
    };
    for (const allocation of sorted) {
      free(allocation.base);
      let runStart = allocation.base;
      let runProtect = this.committed.get(allocation.base / PAGE) ?? 0;
      const end = allocation.base + allocation.size;
      for (let address = allocation.base + PAGE; address <= end; address += PAGE) {
        const protect = address < end ? (this.committed.get(address / PAGE) ?? 0) : -1;
        if (protect === runProtect) continue;
        result.push({
          baseAddress: runStart,
          allocationBase: allocation.base,
          allocationProtect: allocation.protect,
          regionSize: address - runStart,
          state: runProtect === 0 ? MEM_RESERVE : MEM_COMMIT,
          protect: runProtect,
          type: MEM_PRIVATE,
        });
        runStart = address;
        runProtect = protect;
      }
      cursor = end;
    }
    free(this.highest + 1);
    return result;
  }
}

type Command =
  | { kind: 'reserve'; granule: number; offset: number; size: number; protect: number; topDown: boolean; anywhere: boolean }
  | { kind: 'commit'; granule: number; offset: number; size: number; protect: number }
  | { kind: 'decommit'; granule: number; offset: number; size: number }
  | { kind: 'protect'; granule: number; offset: number; size: number; protect: number }
  | { kind: 'release'; granule: number; offset: number }
  | { kind: 'access'; granule: number; offset: number; write: boolean; value: number; width: 1 | 4 }
  | { kind: 'lock'; granule: number; offset: number; size: number; unlock: boolean };

const protections = fc.constantFrom(
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_READWRITE,
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_READWRITE | PAGE_GUARD,
  PAGE_READONLY | PAGE_NOCACHE,
  PAGE_WRITECOPY, // invalid for private memory
  0x06, // two base protections: invalid
);
const granule = fc.integer({ min: 0, max: 23 });
const offset = fc.integer({ min: 0, max: GRANULE - 1 }).map((value) => (value % 4 === 0 ? value - (value % PAGE) : value));
const size = fc.oneof(fc.integer({ min: 0, max: 3 * PAGE }), fc.integer({ min: 1, max: 3 * GRANULE }));

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('reserve' as const), granule, offset, size, protect: protections, topDown: fc.boolean(), anywhere: fc.boolean() }),
  fc.record({ kind: fc.constant('commit' as const), granule, offset, size, protect: protections }),
  fc.record({ kind: fc.constant('decommit' as const), granule, offset, size }),
  fc.record({ kind: fc.constant('protect' as const), granule, offset, size, protect: protections }),
  fc.record({ kind: fc.constant('release' as const), granule, offset: fc.constantFrom(0, 0, 0, PAGE) }),
  fc.record({
    kind: fc.constant('access' as const),
    granule,
    // near page ends often, so 4-byte accesses straddle pages
    offset: fc.oneof(offset, fc.integer({ min: 1, max: 15 }).map((page) => page * PAGE - 2)),
    write: fc.boolean(),
    value: fc.integer({ min: 1, max: 0xffffffff }),
    width: fc.constantFrom(1 as const, 4 as const),
  }),
  fc.record({ kind: fc.constant('lock' as const), granule, offset, size: fc.integer({ min: 0, max: 40 * PAGE }), unlock: fc.boolean() }),
);

function isValidPrivate(protect: number): boolean {
  return protect !== PAGE_WRITECOPY && protect !== 0x06;
}

/** What the model says the operation does: an error code, or a thrown kind, or nothing. */
function runOnModel(model: Model, c: Command, charged: { pages: number }, topAddress: (size: number, topDown: boolean) => number): { code?: number; fault?: 'av' | 'guard'; value?: number } {
  const address = WINDOW + c.granule * GRANULE + c.offset;
  switch (c.kind) {
    case 'reserve': {
      if (c.size === 0 || !isValidPrivate(c.protect)) return { code: 87 };
      if (c.anywhere) {
        const rounded = Math.ceil(c.size / PAGE) * PAGE;
        const base = topAddress(rounded, c.topDown);
        if (base < 0) return { code: 8 };
        model.allocations.push({ base, size: rounded, protect: c.protect });
        return { value: base };
      }
      const base = Math.floor(address / GRANULE) * GRANULE;
      const end = Math.ceil((address + c.size) / PAGE) * PAGE;
      if (model.overlaps(base, end)) return { code: 487 };
      model.allocations.push({ base, size: end - base, protect: c.protect });
      return { value: base };
    }
    case 'commit': {
      // syntax first (two base protections), then the range, then what private memory allows
      if (c.size === 0 || c.protect === 0x06) return { code: 87 };
      const [first, end] = model.pagesOf(address, c.size);
      const allocation = model.allocationAt(first * PAGE);
      if (!allocation || end * PAGE > allocation.base + allocation.size) return { code: 487 };
      if (!isValidPrivate(c.protect)) return { code: 87 };
      let fresh = 0;
      for (let page = first; page < end; page++) if (!model.committed.has(page)) fresh++;
      if (charged.pages + fresh > COMMIT_LIMIT_PAGES) return { code: 1455 };
      charged.pages += fresh;
      const stored = (c.protect & ~PAGE_NOCACHE) | (allocation.protect & PAGE_NOCACHE);
      for (let page = first; page < end; page++) model.committed.set(page, stored);
      return { value: first * PAGE };
    }
    case 'decommit': {
      const allocation = model.allocationAt(Math.floor(address / PAGE) * PAGE);
      if (!allocation) return { code: 487 };
      const first = Math.floor(address / PAGE);
      const end = c.size === 0 ? (allocation.base + allocation.size) / PAGE : Math.ceil((address + c.size) / PAGE);
      if (end * PAGE > allocation.base + allocation.size) return { code: 87 };
      charged.pages -= model.dropPages(first, end);
      return {};
    }
    case 'protect': {
      if (c.protect === 0x06) return { code: 87 };
      const [first, end] = model.pagesOf(address, c.size);
      const allocation = model.allocationAt(first * PAGE);
      if (!allocation || end * PAGE > allocation.base + allocation.size) return { code: 487 };
      if (!isValidPrivate(c.protect)) return { code: 87 };
      for (let page = first; page < end; page++) if (!model.committed.has(page)) return { code: 487 };
      const old = model.committed.get(first) as number;
      const stored = (c.protect & ~PAGE_NOCACHE) | (allocation.protect & PAGE_NOCACHE);
      for (let page = first; page < end; page++) model.committed.set(page, stored);
      return { value: old };
    }
    case 'release': {
      const allocation = model.allocationAt(address);
      if (!allocation || allocation.base !== address) return { code: 487 };
      charged.pages -= model.dropPages(allocation.base / PAGE, (allocation.base + allocation.size) / PAGE);
      model.allocations.splice(model.allocations.indexOf(allocation), 1);
      return {};
    }
    case 'access': {
      // every page of the access is checked, in order, before anything is stored
      const first = Math.floor(address / PAGE);
      const last = Math.floor((address + c.width - 1) / PAGE);
      for (let page = first; page <= last; page++) {
        const protect = model.committed.get(page);
        if (protect === undefined) return { fault: 'av' };
        if ((protect & PAGE_GUARD) !== 0) {
          model.committed.set(page, protect & ~PAGE_GUARD);
          return { fault: 'guard' };
        }
        const base = protect & 0xff;
        if (base === PAGE_NOACCESS) return { fault: 'av' };
        if (c.write && base !== PAGE_READWRITE && base !== PAGE_EXECUTE_READWRITE) return { fault: 'av' };
      }
      if (c.write) {
        for (let i = 0; i < c.width; i++) model.contents.set(address + i, Math.floor(c.value / 256 ** i) % 256);
        return {};
      }
      let value = 0;
      for (let i = 0; i < c.width; i++) value += (model.contents.get(address + i) ?? 0) * 256 ** i;
      return { value };
    }
    case 'lock': {
      const [first, end] = model.pagesOf(address, c.size);
      const allocation = model.allocationAt(first * PAGE);
      if (!allocation || end * PAGE > allocation.base + allocation.size) return { code: 487 };
      for (let page = first; page < end; page++) if (!model.committed.has(page)) return { code: 487 };
      if (c.unlock) {
        let missing = false;
        for (let page = first; page < end; page++) if (!model.locked.delete(page)) missing = true;
        return missing ? { code: 158 } : {};
      }
      let fresh = 0;
      for (let page = first; page < end; page++) {
        if (((model.committed.get(page) as number) & 0xff) === PAGE_NOACCESS) return { code: 998 };
        if (!model.locked.has(page)) fresh++;
      }
      for (let page = first; page < end; page++) {
        const protect = model.committed.get(page) as number;
        if ((protect & PAGE_GUARD) !== 0) {
          model.committed.set(page, protect & ~PAGE_GUARD);
          return { code: 0x80000001 };
        }
      }
      if (model.locked.size + fresh > 30) return { code: 1453 };
      for (let page = first; page < end; page++) model.locked.add(page);
      return {};
    }
  }
}

function runSequence(geometryName: 'x86' | 'x64', commands: Command[]): void {
  const machine = createMachine({ geometry: geometryName, physicalMemory: COMMIT_LIMIT_PAGES * PAGE / 2, pagingFile: COMMIT_LIMIT_PAGES * PAGE / 2 });
  const process = machine.createProcess();
  const space = process.addressSpace;
  const { lowestUserAddress, highestUserAddress } = process.geometry;
  const model = new Model(lowestUserAddress, highestUserAddress);
  const charged = { pages: 0 };
  // placement reference: first fit by granules, scanning up from the bottom or down from the top
  const place = (rounded: number, topDown: boolean): number => {
    if (!topDown) {
      for (let base = lowestUserAddress; base + rounded - 1 <= highestUserAddress; base += GRANULE) {
        if (!model.overlaps(base, base + rounded)) return base;
      }
      return -1;
    }
    for (let base = Math.floor((highestUserAddress + 1 - rounded) / GRANULE) * GRANULE; base >= lowestUserAddress; base -= GRANULE) {
      if (!model.overlaps(base, base + rounded)) return base;
    }
    return -1;
  };
  for (const c of commands) {
    const expected = runOnModel(model, c, charged, place);
    const address = WINDOW + c.granule * GRANULE + c.offset;
    let actual: { code?: number; fault?: 'av' | 'guard'; value?: number } = {};
    try {
      switch (c.kind) {
        case 'reserve':
          actual = { value: space.reserve(c.anywhere ? 0 : address, c.size, { protect: c.protect, topDown: c.topDown }) };
          break;
        case 'commit':
          actual = { value: space.commit(address, c.size, c.protect) };
          break;
        case 'decommit':
          space.decommit(address, c.size);
          break;
        case 'protect':
          actual = { value: space.protect(address, c.size, c.protect) };
          break;
        case 'release':
          space.release(address);
          break;
        case 'access':
          if (c.width === 1) {
            if (c.write) process.mem.setUint8(address, c.value % 256);
            else actual = { value: process.mem.getUint8(address) };
          } else if (c.write) process.mem.setUint32(address, c.value);
          else actual = { value: process.mem.getUint32(address) };
          break;
        case 'lock':
          if (c.unlock) space.unlock(address, c.size);
          else space.lock(address, c.size);
          break;
      }
    } catch (error) {
      if (isMemError(error)) actual = { code: error.code };
      else if (error instanceof GuardPageViolation) actual = { fault: 'guard' };
      else if (error instanceof AccessViolation) actual = { fault: 'av' };
      else throw error;
    }
    expect(actual, JSON.stringify(c)).toEqual(expected);
    expect(space.regions()).toEqual(model.regions());
    expect(space.committedPages).toBe(model.committed.size);
    expect(space.privateBytes).toBe(model.committed.size * PAGE);
    expect(machine.physical.commitChargePages).toBe(charged.pages);
    expect(space.workingSetPages).toBeLessThanOrEqual(model.committed.size);
    expect(machine.physical.framesInUse).toBe(space.workingSetPages);
    expect(space.lockedPages).toBe(model.locked.size);
    space.validate();
    machine.physical.validate();
  }
}

describe.each(['x86', 'x64'] as const)('address space against a per-page model on %s', (geometryName) => {
  it('agrees after every step of random sequences', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 40 }), (commands) => runSequence(geometryName, commands)),
      { numRuns: 300 },
    );
  });
});

// Property test: random sequences of VirtualAlloc (reserve / commit), VirtualFree (decommit /
// release) and VirtualProtect on a small arena, checked after every step against a page-state
// reference model: return value, last error, every VirtualQuery region of the arena, commit charge.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_PARAMETER,
  type Kernel32,
  MEM_COMMIT,
  MEM_DECOMMIT,
  MEM_FREE,
  MEM_PRIVATE,
  MEM_RELEASE,
  MEM_RESERVE,
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_GUARD,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
} from '../src/index';
import { SENTINEL, commitCharge, kernel, query } from './support';

const GRANULE = 0x10000;
const GRANULES = 6;
const PROTECTIONS = [PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE, PAGE_EXECUTE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_READWRITE | PAGE_GUARD];

type Op =
  | { kind: 'reserve'; granule: number; granules: number; protect: number; commit: boolean }
  | { kind: 'commit'; page: number; pages: number; protect: number }
  | { kind: 'decommit'; page: number; pages: number }
  | { kind: 'release'; page: number }
  | { kind: 'protect'; page: number; pages: number; protect: number }
  | { kind: 'read'; page: number }
  | { kind: 'write'; page: number; value: number };

/** What a load or store through k.mem gives: a value, or the fault's status code. */
type Access = { value: number } | { fault: number };

/** One page of the model: -1 allocation = free. */
interface PageModel {
  allocation: number;
  state: number;
  protect: number;
  /** The first byte of the page (0 when committed fresh). */
  byte: number;
}

class Model {
  readonly pages: PageModel[];
  /** allocation id → [first page, end page, allocation protect] */
  readonly allocations = new Map<number, [number, number, number]>();
  private nextId = 1;

  constructor(readonly pageCount: number) {
    this.pages = Array.from({ length: pageCount }, () => ({ allocation: -1, state: MEM_FREE, protect: PAGE_NOACCESS, byte: 0 }));
  }

  get committedPages(): number {
    return this.pages.filter((p) => p.state === MEM_COMMIT).length;
  }

  /** Allocation id holding [first, end) entirely, or -1. */
  private owner(first: number, end: number): number {
    const id = this.pages[first]?.allocation ?? -1;
    if (id < 0) return -1;
    const [, allocationEnd] = this.allocations.get(id) as [number, number, number];
    return end <= allocationEnd ? id : -2;
  }

  /** A load (value === undefined) or store of the first byte of `page` by the process's code. */
  access(page: number, value: number | undefined): Access {
    const here = this.pages[page] as PageModel;
    if (here.state !== MEM_COMMIT) return { fault: 0xc0000005 };
    if ((here.protect & PAGE_GUARD) !== 0) {
      here.protect &= ~PAGE_GUARD; // one-shot
      return { fault: 0x80000001 };
    }
    const readable = here.protect === PAGE_READONLY || here.protect === PAGE_READWRITE || here.protect === PAGE_EXECUTE_READ || here.protect === PAGE_EXECUTE_READWRITE;
    const writable = here.protect === PAGE_READWRITE || here.protect === PAGE_EXECUTE_READWRITE;
    if (value === undefined) return readable ? { value: here.byte } : { fault: 0xc0000005 };
    if (!writable) return { fault: 0xc0000005 };
    here.byte = value;
    return { value };
  }

  /** Returns [success, error]. */
  apply(op: Exclude<Op, { kind: 'read' | 'write' }>, pagesPerGranule: number): [boolean, number] {
    if (op.kind === 'reserve') {
      const first = op.granule * pagesPerGranule;
      const end = Math.min(this.pageCount, first + op.granules * pagesPerGranule);
      for (let page = first; page < end; page++) if (this.pages[page]?.allocation !== -1) return [false, ERROR_INVALID_ADDRESS];
      const id = this.nextId++;
      this.allocations.set(id, [first, end, op.protect]);
      for (let page = first; page < end; page++) {
        this.pages[page] = { allocation: id, state: op.commit ? MEM_COMMIT : MEM_RESERVE, protect: op.commit ? op.protect : 0, byte: 0 };
      }
      return [true, 0];
    }
    if (op.kind === 'release') {
      const id = this.pages[op.page]?.allocation ?? -1;
      if (id < 0) return [false, ERROR_INVALID_ADDRESS];
      const [first, end] = this.allocations.get(id) as [number, number, number];
      if (first !== op.page) return [false, ERROR_INVALID_ADDRESS];
      for (let page = first; page < end; page++) this.pages[page] = { allocation: -1, state: MEM_FREE, protect: PAGE_NOACCESS, byte: 0 };
      this.allocations.delete(id);
      return [true, 0];
    }
    // not clamped to the arena: a range running past it runs past the allocation too
    const end = op.page + op.pages;
    const id = this.owner(op.page, end);
    if (op.kind === 'commit') {
      if (id < 0) return [false, ERROR_INVALID_ADDRESS];
      for (let page = op.page; page < end; page++) {
        const current = this.pages[page] as PageModel;
        // committing keeps the contents of pages already committed
        this.pages[page] = { allocation: id, state: MEM_COMMIT, protect: op.protect, byte: current.state === MEM_COMMIT ? current.byte : 0 };
      }
      return [true, 0];
    }
    if (op.kind === 'decommit') {
      if (id === -1) return [false, ERROR_INVALID_ADDRESS];
      if (id === -2) return [false, ERROR_INVALID_PARAMETER];
      for (let page = op.page; page < end; page++) this.pages[page] = { allocation: id, state: MEM_RESERVE, protect: 0, byte: 0 };
      return [true, 0];
    }
    // protect
    if (id < 0) return [false, ERROR_INVALID_ADDRESS];
    for (let page = op.page; page < end; page++) if (this.pages[page]?.state !== MEM_COMMIT) return [false, ERROR_INVALID_ADDRESS];
    for (let page = op.page; page < end; page++) (this.pages[page] as PageModel).protect = op.protect;
    return [true, 0];
  }
}

function touch(k: Kernel32, address: number, value: number | undefined): Access {
  try {
    if (value === undefined) return { value: k.mem.getUint8(address) };
    k.mem.setUint8(address, value);
    return { value };
  } catch (error) {
    return { fault: (error as { code: number }).code };
  }
}

function call(k: Kernel32, base: number, pageSize: number, op: Exclude<Op, { kind: 'read' | 'write' }>): [boolean, number] {
  k.SetLastError(SENTINEL);
  let ok: boolean;
  if (op.kind === 'reserve') {
    const type = op.commit ? MEM_RESERVE | MEM_COMMIT : MEM_RESERVE;
    const address = base + op.granule * GRANULE;
    const size = Math.min(op.granules, GRANULES - op.granule) * GRANULE;
    ok = k.VirtualAlloc(address, size, type, op.protect) === address;
  } else if (op.kind === 'commit') {
    const address = base + op.page * pageSize;
    ok = k.VirtualAlloc(address, op.pages * pageSize, MEM_COMMIT, op.protect) === address;
  } else if (op.kind === 'decommit') {
    ok = k.VirtualFree(base + op.page * pageSize, op.pages * pageSize, MEM_DECOMMIT);
  } else if (op.kind === 'release') {
    ok = k.VirtualFree(base + op.page * pageSize, 0, MEM_RELEASE);
  } else {
    ok = k.VirtualProtect(base + op.page * pageSize, op.pages * pageSize, op.protect, { value: 0 });
  }
  return [ok, ok ? 0 : k.GetLastError()];
}

/** Compares every region of the arena with the model. */
function checkRegions(k: Kernel32, base: number, pageSize: number, model: Model): void {
  let page = 0;
  while (page < model.pageCount) {
    const here = model.pages[page] as PageModel;
    let end = page + 1;
    while (end < model.pageCount) {
      const next = model.pages[end] as PageModel;
      if (next.allocation !== here.allocation || next.state !== here.state || next.protect !== here.protect) break;
      end++;
    }
    const mbi = query(k, base + page * pageSize);
    const expectedSize = (end - page) * pageSize;
    expect(mbi.BaseAddress).toBe(base + page * pageSize);
    expect(mbi.State).toBe(here.state);
    if (here.allocation < 0) {
      // a free run at the arena's end may continue beyond it
      expect(end === model.pageCount ? mbi.RegionSize >= expectedSize : mbi.RegionSize === expectedSize).toBe(true);
      expect(mbi.Type).toBe(0);
      expect(mbi.AllocationBase).toBe(0);
    } else {
      const [first, , allocationProtect] = model.allocations.get(here.allocation) as [number, number, number];
      expect(mbi.RegionSize).toBe(expectedSize);
      expect(mbi.Protect).toBe(here.protect);
      expect(mbi.AllocationBase).toBe(base + first * pageSize);
      expect(mbi.AllocationProtect).toBe(allocationProtect);
      expect(mbi.Type).toBe(MEM_PRIVATE);
    }
    page = end;
  }
}

function opArbitrary(pageCount: number): fc.Arbitrary<Op> {
  const page = fc.integer({ min: 0, max: pageCount - 1 });
  const pages = fc.integer({ min: 1, max: 24 });
  const protect = fc.constantFrom(...PROTECTIONS);
  return fc.oneof(
    fc.record({
      kind: fc.constant('reserve' as const),
      granule: fc.integer({ min: 0, max: GRANULES - 1 }),
      granules: fc.integer({ min: 1, max: 3 }),
      protect,
      commit: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('commit' as const), page, pages, protect }),
    fc.record({ kind: fc.constant('decommit' as const), page, pages }),
    fc.record({ kind: fc.constant('release' as const), page }),
    fc.record({ kind: fc.constant('protect' as const), page, pages, protect }),
    fc.record({ kind: fc.constant('read' as const), page }),
    fc.record({ kind: fc.constant('write' as const), page, value: fc.integer({ min: 1, max: 255 }) }),
  );
}

describe.each(['x64', 'ia64'] as const)('Virtual* against a reference model on %s', (geometry) => {
  it('every step matches: result, last error, regions, commit charge', () => {
    const probe = kernel(geometry);
    const pageSize = probe.process.geometry.pageSize;
    const pagesPerGranule = GRANULE / pageSize;
    const pageCount = GRANULES * pagesPerGranule;
    fc.assert(
      fc.property(fc.array(opArbitrary(pageCount), { minLength: 1, maxLength: 40 }), (ops) => {
        const k = kernel(geometry);
        const base = k.VirtualAlloc(0, GRANULES * GRANULE, MEM_RESERVE, PAGE_NOACCESS);
        expect(k.VirtualFree(base, 0, MEM_RELEASE)).toBe(true);
        const charge = commitCharge(k);
        const model = new Model(pageCount);
        for (const op of ops) {
          if (op.kind === 'read' || op.kind === 'write') {
            // PAGE_EXECUTE pages: whether data reads fault is hardware-specific, so they are not touched
            if ((model.pages[op.page] as PageModel).protect === PAGE_EXECUTE) continue;
            const value = op.kind === 'write' ? op.value : undefined;
            const expected = model.access(op.page, value);
            expect(touch(k, base + op.page * pageSize, value), JSON.stringify(op)).toEqual(expected);
            checkRegions(k, base, pageSize, model);
            continue;
          }
          const expected = model.apply(op as Exclude<Op, { kind: 'read' | 'write' }>, pagesPerGranule);
          expect(call(k, base, pageSize, op), JSON.stringify(op)).toEqual(expected);
          checkRegions(k, base, pageSize, model);
          expect(commitCharge(k)).toBe(charge + model.committedPages * pageSize);
        }
      }),
      { numRuns: 80 },
    );
  });
});

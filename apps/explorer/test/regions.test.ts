// Region classification: the rows equal the VirtualQuery walk (allocated regions one to one, free
// regions split into Unusable slack and Free), kinds follow who made each allocation.
import fc from 'fast-check';
import { MEM_COMMIT, MEM_FREE, MEM_RELEASE, MEM_RESERVE, PAGE_READWRITE, PROCESS_HEAP_REGION } from '@mem/kernel32';
import { describe, expect, it } from 'vitest';
import { classifyRegions, diffKinds, queryRegions, summarizeKinds, type ExplorerRegion } from '../src/regions';
import { SCENARIOS, Simulation } from '../src/simulation';

const GRANULE = 0x10000;

function run(sim: Simulation, ...ids: string[]): void {
  for (const id of ids) SCENARIOS.find((s) => s.id === id)!.run(sim);
}

/** The rows tile [0, top] and their allocated rows are exactly VirtualQuery's allocated regions. */
function checkAgainstWalk(sim: Simulation, rows: ExplorerRegion[]): void {
  const walk = queryRegions(sim.k);
  let end = 0;
  for (const row of rows) {
    expect(row.base).toBe(end);
    expect(row.size).toBeGreaterThan(0);
    end = row.base + row.size;
  }
  const last = walk.at(-1)!;
  expect(end).toBe(last.BaseAddress + last.RegionSize);
  const allocated = walk.filter((r) => r.State !== MEM_FREE);
  expect(rows.filter((r) => r.state !== 'free').map((r) => [r.base, r.size, r.allocationBase, r.type])).toEqual(
    allocated.map((r) => [r.BaseAddress, r.RegionSize, r.AllocationBase, r.Type]),
  );
  // an unusable row always starts a free region and ends at or before the next 64 KiB boundary
  rows.forEach((row, index) => {
    if (row.kind !== 'unusable') return;
    expect(row.base % GRANULE).not.toBe(0);
    expect(rows[index - 1]?.state).not.toBe('free');
    expect(Math.ceil(row.base / GRANULE) * GRANULE).toBeGreaterThanOrEqual(row.base + row.size);
  });
}

describe('classifyRegions', () => {
  it('splits off the slack after a reservation that is not a multiple of 64 KiB', () => {
    const sim = new Simulation();
    run(sim, 'reserve');
    const base = sim.reservations[0]!;
    const rows = classifyRegions(sim.k);
    const reservation = rows.filter((r) => r.allocationBase === base);
    expect(reservation.map((r) => [r.state, r.kind, r.size])).toEqual([['reserve', 'private', 0x101000]]);
    const slack = rows.find((r) => r.base === base + 0x101000)!;
    expect(slack).toMatchObject({ kind: 'unusable', state: 'free', size: 0xf000 });
    checkAgainstWalk(sim, rows);
  });

  it('shows a 4 KiB allocation followed by 60 KiB of unusable space, as VMMap does', () => {
    const sim = new Simulation();
    run(sim, 'small-allocs');
    const rows = classifyRegions(sim.k);
    for (const base of sim.reservations) {
      const index = rows.findIndex((r) => r.base === base);
      expect(rows[index]).toMatchObject({ kind: 'private', state: 'commit', size: 0x1000 });
      expect(rows[index + 1]).toMatchObject({ kind: 'unusable', size: 0xf000 });
    }
    expect(summarizeKinds(rows).get('unusable')).toMatchObject({ blocks: 4, size: 4 * 0xf000 });
    checkAgainstWalk(sim, rows);
  });

  it('names heaps (every HeapWalk region), views, AWE windows and private data by their owner', () => {
    const sim = new Simulation();
    run(sim, 'heap-allocs', 'large-block', 'map-view', 'awe', 'commit', 'protect', 'global');
    const rows = classifyRegions(sim.k);
    checkAgainstWalk(sim, rows);
    const kindAt = (address: number) => rows.find((r) => address >= r.base && address < r.base + r.size)?.kind;
    const heapBases = new Set<number>();
    const heaps: number[] = [];
    sim.k.GetProcessHeaps(sim.k.GetProcessHeaps(0, undefined), heaps);
    for (const heap of heaps) {
      const entry = { lpData: 0 } as { lpData: number; wFlags: number };
      while (sim.k.HeapWalk(heap, entry)) if (entry.wFlags & PROCESS_HEAP_REGION) heapBases.add(entry.lpData);
    }
    expect(heapBases.size).toBeGreaterThan(0);
    for (const base of heapBases) expect(kindAt(base)).toBe('heap');
    // the 2 MiB large block lives in its own reservation, still owned by the heap
    expect(kindAt(sim.heapBlocks.at(-1)!)).toBe('heap');
    expect(kindAt(sim.views[0]!)).toBe('shareable');
    const awe = rows.filter((r) => r.kind === 'awe');
    expect(awe.length).toBeGreaterThan(0);
    expect(new Set(awe.map((r) => r.allocationBase)).size).toBe(1);
    expect(kindAt(sim.reserved)).toBe('private');
    // every allocated byte has a kind other than Free/Unusable, and only those are free
    for (const row of rows) expect(row.state === 'free').toBe(row.kind === 'free' || row.kind === 'unusable');
  });

  it('matches the walk on x86 too, with 32-bit addresses', () => {
    const sim = new Simulation('x86');
    run(sim, 'reserve', 'small-allocs', 'heap-allocs', 'map-view');
    const rows = classifyRegions(sim.k);
    expect(rows.at(-1)!.base + rows.at(-1)!.size).toBe(0x7fff0000);
    checkAgainstWalk(sim, rows);
  });

  it('gives every reservation size its slack: alignUp(size, 64 KiB) − size (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 0x40000 }), { minLength: 1, maxLength: 6 }), fc.array(fc.boolean(), { maxLength: 6 }), (sizes, releases) => {
        const sim = new Simulation();
        const bases = sizes.map((size) => sim.k.VirtualAlloc(0, size, MEM_RESERVE, PAGE_READWRITE));
        bases.forEach((base, index) => {
          if (releases[index] === true) sim.k.VirtualFree(base, 0, MEM_RELEASE);
        });
        if (bases[0] !== 0) sim.k.VirtualAlloc(bases[0]!, 1, MEM_COMMIT, PAGE_READWRITE);
        const rows = classifyRegions(sim.k);
        checkAgainstWalk(sim, rows);
        bases.forEach((base, index) => {
          if (releases[index] === true) return;
          const size = Math.ceil(sizes[index]! / 0x1000) * 0x1000;
          const slack = Math.ceil(size / GRANULE) * GRANULE - size;
          const after = rows.find((r) => r.base === base + size);
          if (slack === 0) expect(after?.kind).not.toBe('unusable');
          else expect(after).toMatchObject({ kind: 'unusable', size: slack });
        });
        const summary = summarizeKinds(rows);
        const total = [...summary.values()].reduce((sum, s) => sum + s.size, 0);
        expect(total).toBe(rows.at(-1)!.base + rows.at(-1)!.size);
      }),
      { numRuns: 40 },
    );
  });

  it('compares two snapshots by type: what grew and what shrank', () => {
    const sim = new Simulation();
    run(sim, 'reserve', 'commit');
    const before = summarizeKinds(classifyRegions(sim.k));
    run(sim, 'map-view', 'release');
    const after = summarizeKinds(classifyRegions(sim.k));
    const changes = diffKinds(before, after);
    expect(changes.get('shareable')).toEqual({ size: 0x40000, committed: 0x40000, blocks: 1 });
    expect(changes.get('private')!.committed).toBe(-0x10000);
    expect(changes.get('private')!.size).toBe(-0x101000);
    expect(changes.get('unusable')!.size).toBe(-0xf000);
    // sizes move between types, the whole range stays the same
    expect([...changes.values()].reduce((sum, c) => sum + c.size, 0)).toBe(0);
  });
});

// Heap strips: the blocks the explorer draws are the blocks HeapWalk reports, segments are tiled
// without gaps, figures agree with HeapSummary, LFH buckets appear once the LFH serves a size, and an
// overflow shows as the blocks HeapValidate refuses.
import { HEAP_ZERO_MEMORY, PROCESS_HEAP_ENTRY_BUSY, PROCESS_HEAP_REGION, PROCESS_HEAP_UNCOMMITTED_RANGE } from '@mem/kernel32';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeHeap, describeHeaps, type HeapView } from '../src/heap-view';
import { segmentScale } from '../src/render/heap-panel';
import { SCENARIOS, Simulation } from '../src/simulation';

interface WalkEntry {
  lpData: number;
  cbData: number;
  wFlags: number;
}

/** HeapWalk's entries (an LFH subsegment is listed with wFlags 0, its chunks as busy entries). */
function win32Walk(sim: Simulation, heap: number): WalkEntry[] {
  const entries: WalkEntry[] = [];
  const entry = { lpData: 0 } as WalkEntry;
  while (sim.k.HeapWalk(heap, entry)) entries.push({ lpData: entry.lpData, cbData: entry.cbData, wFlags: entry.wFlags });
  return entries;
}

/** The strip's blocks against HeapWalk and HeapSummary; each segment's blocks tile it in order. */
function checkHeap(sim: Simulation, view: HeapView): void {
  const walk = win32Walk(sim, view.handle);
  const busy = walk.filter((e) => e.wFlags & PROCESS_HEAP_ENTRY_BUSY).map((e) => [e.lpData, e.cbData]);
  const drawnBusy = [...view.segments.flatMap((s) => s.blocks), ...view.largeBlocks]
    .filter((b) => b.kind === 'busy' || b.kind === 'lfh-busy')
    .map((b) => [b.address, b.size]);
  expect(drawnBusy.sort((a, b) => a[0]! - b[0]!)).toEqual(busy.sort((a, b) => a[0]! - b[0]!));
  expect(view.segments.map((s) => s.base)).toEqual(walk.filter((e) => e.wFlags & PROCESS_HEAP_REGION).map((e) => e.lpData));
  expect(view.segments.flatMap((s) => s.blocks.filter((b) => b.kind === 'uncommitted')).length).toBe(
    walk.filter((e) => e.wFlags & PROCESS_HEAP_UNCOMMITTED_RANGE).length,
  );
  for (const segment of view.segments) {
    let end = segment.base;
    let subsegmentEnd = 0;
    for (const block of segment.blocks) {
      expect(block.end).toBeGreaterThan(block.start);
      if (block.kind === 'lfh-busy' || block.kind === 'lfh-free') {
        expect(block.end).toBeLessThanOrEqual(subsegmentEnd); // chunks lie inside their subsegment
        continue;
      }
      expect(block.start).toBe(end);
      end = block.end;
      if (block.kind === 'subsegment') subsegmentEnd = block.end;
    }
    expect(end).toBe(segment.end);
  }
  const summary = { cb: sim.k.process.geometry.pointerSize === 8 ? 40 : 20 } as { cb: number; cbAllocated: number; cbCommitted: number; cbReserved: number };
  expect(sim.k.HeapSummary(view.handle, 0, summary)).toBe(true);
  expect(view.figures.liveBytes).toBe(summary.cbAllocated);
  expect(view.figures.committedBytes).toBe(summary.cbCommitted);
  expect(view.figures.reservedBytes).toBe(summary.cbReserved);
  expect(view.figures.largestFreeBlock).toBeLessThanOrEqual(view.figures.freeBytes);
}

describe('describeHeap', () => {
  it('draws what HeapWalk and HeapSummary report, after allocations, frees and a large block', () => {
    const sim = new Simulation();
    for (const id of ['heap-allocs', 'heap-frees', 'large-block', 'global']) {
      SCENARIOS.find((s) => s.id === id)!.run(sim);
      for (const view of describeHeaps(sim.k, sim.heapWalks)) {
        expect(view.valid).toBe(true);
        checkHeap(sim, view);
      }
    }
    const processHeap = describeHeap(sim.k, sim.k.GetProcessHeap());
    expect(processHeap.isProcessHeap).toBe(true);
    expect(processHeap.largeBlocks.map((b) => b.size)).toContain(2 * 1024 * 1024);
    // LFH: 100 blocks of 48 bytes made the front end serve that size
    expect(processHeap.compatibility).toBe(2);
    expect(processHeap.buckets.length).toBeGreaterThan(0);
    for (const bucket of processHeap.buckets) {
      expect(bucket.busyChunks).toBeLessThanOrEqual(bucket.chunks);
      expect(bucket.subsegments).toBeGreaterThan(0);
    }
  });

  it('keeps matching HeapWalk under random allocations, reallocations and frees (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('alloc', 'free', 'realloc'), fc.integer({ min: 0, max: 9000 }), fc.nat()), { maxLength: 80 }),
        fc.constantFrom('x64' as const, 'x86' as const),
        (steps, geometry) => {
          const sim = new Simulation(geometry);
          const heap = sim.k.HeapCreate(0, 0, 0);
          const live: number[] = [];
          for (const [op, size, pick] of steps) {
            if (op === 'alloc' || live.length === 0) {
              const block = sim.k.HeapAlloc(heap, HEAP_ZERO_MEMORY, size);
              if (block !== 0) live.push(block);
            } else if (op === 'free') {
              expect(sim.k.HeapFree(heap, 0, live.splice(pick % live.length, 1)[0]!)).toBe(true);
            } else {
              const index = pick % live.length;
              const block = sim.k.HeapReAlloc(heap, 0, live[index]!, size);
              if (block !== 0) live[index] = block;
            }
          }
          const view = describeHeap(sim.k, heap);
          expect(view.valid).toBe(true);
          expect(view.figures.liveBlocks).toBe(live.length);
          checkHeap(sim, view);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('marks the blocks HeapValidate refuses after an overflow, from the walk taken before it', () => {
    const sim = new Simulation();
    SCENARIOS.find((s) => s.id === 'overflow')!.run(sim);
    const heaps = describeHeaps(sim.k, sim.heapWalks);
    const corrupted = heaps.filter((h) => !h.valid);
    expect(corrupted).toHaveLength(1);
    const view = corrupted[0]!;
    expect(view.corruptBlocks.length).toBeGreaterThan(0);
    const blocks = view.segments.flatMap((s) => s.blocks).filter((b) => b.kind === 'busy');
    expect(blocks).toHaveLength(4);
    for (const block of blocks) expect(block.corrupt).toBe(!sim.k.HeapValidate(view.handle, 0, block.address));
    // the block written past its end's neighbour has its header destroyed
    expect(view.corruptBlocks).toContain(blocks[2]!.address);
    // the other heaps are untouched
    for (const heap of heaps) if (heap !== view) expect(heap.corruptBlocks).toEqual([]);
  });
});

describe('segmentScale', () => {
  it('maps a segment onto the strip in address order, giving a small committed part three quarters', () => {
    const sim = new Simulation();
    const heap = sim.k.HeapCreate(0, 0, 0);
    sim.k.HeapAlloc(heap, 0, 100);
    const segment = describeHeap(sim.k, heap).segments[0]!;
    const tail = segment.blocks.find((b) => b.kind === 'uncommitted')!;
    const x = segmentScale(segment, 1000);
    expect(x(segment.base)).toBe(0);
    expect(x(segment.end)).toBeCloseTo(1000, 9);
    expect(x(tail.start)).toBeCloseTo(750, 9);
    let previous = -1;
    for (const block of segment.blocks) {
      expect(x(block.start)).toBeGreaterThanOrEqual(previous);
      expect(x(block.end)).toBeGreaterThan(x(block.start));
      previous = x(block.start);
    }
  });
});

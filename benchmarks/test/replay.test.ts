// The replayer: figures on a correct allocator, content errors on broken ones, budget and
// out-of-memory stops reported as incomplete.
import { describe, expect, it } from 'vitest';
import { cfrac, createBenchAllocator, larson, measure, replay } from '../src/index';
import { forgetfulAllocator, overlappingAllocator, realAllocator, smallTrace, wrap } from './support';

describe('replaying through a correct allocator', () => {
  it('completes with no errors and figures that agree with the trace', () => {
    const trace = smallTrace();
    for (const check of ['touch', 'prefix', 'full'] as const) {
      const result = replay(trace, realAllocator(), { check });
      expect(result.errors).toEqual([]);
      expect(result.complete).toBe(true);
      expect(result.completedEvents).toBe(trace.events);
      expect(result.peakLiveBytes).toBe(trace.peakLiveBytes);
      expect(result.peakCommittedBytes).toBeGreaterThanOrEqual(result.peakLiveBytes);
      expect(result.footprint).toBeCloseTo(result.peakCommittedBytes / result.peakLiveBytes, 12);
      expect(result.nsPerEvent).toBeGreaterThan(0);
    }
  });

  it('runs every synthetic workload through the thi.ng/malloc peer and a heap strategy', () => {
    for (const strategy of ['thi.ng/malloc', 'lfh']) {
      const trace = cfrac.generate({ events: 5000 });
      const result = replay(trace, realAllocator(strategy), { check: 'full' });
      expect(result.errorCount).toBe(0);
      expect(result.complete).toBe(true);
    }
  });

  it('samples live and committed bytes along the run', () => {
    const trace = larson.generate({ events: 10_000 });
    const result = replay(trace, realAllocator(), { sampleEvery: 1000 });
    const samples = result.samples!;
    expect(samples.event[0]).toBe(0);
    expect(samples.event.at(-1)).toBe(trace.events);
    expect(samples.event.length).toBeGreaterThanOrEqual(11);
    expect(Math.max(...samples.liveBytes)).toBeLessThanOrEqual(result.peakLiveBytes);
    expect(Math.max(...samples.committedBytes)).toBeLessThanOrEqual(result.peakCommittedBytes);
  });
});

describe('catching broken allocators', () => {
  it('reports blocks that overlap', () => {
    const result = replay(smallTrace(), overlappingAllocator(realAllocator()), { check: 'prefix' });
    expect(result.errorCount).toBeGreaterThan(0);
    expect(result.errors.some((error) => error.kind === 'corrupted')).toBe(true);
    expect(result.errors[0]!.message).toMatch(/does not hold its pattern/);
  });

  it('reports a realloc that loses the data', () => {
    const result = replay(smallTrace(), forgetfulAllocator(realAllocator()), { check: 'prefix' });
    expect(result.errors.some((error) => error.message.includes('data lost by realloc'))).toBe(true);
  });

  it('reports a block that is not aligned as asked', () => {
    const inner = realAllocator();
    const misaligned = wrap(inner, { alloc: (size, alignment) => inner.alloc(size + 64) + (alignment ? 8 : 0) });
    const result = replay(smallTrace(), misaligned, { check: 'none' });
    expect(result.errors.some((error) => error.kind === 'misaligned')).toBe(true);
  });

  it('reports an allocator that throws, and stops there', () => {
    const inner = realAllocator();
    let frees = 0;
    const throwing = wrap(inner, {
      free(pointer) {
        if (++frees === 10) throw new Error('boom');
        inner.free(pointer);
      },
    });
    const result = replay(smallTrace(), throwing);
    expect(result.complete).toBe(false);
    expect(result.stopReason).toBe('threw');
    expect(result.errors[0]!.message).toMatch(/boom/);
  });
});

describe('stopping early', () => {
  it('stops at the time budget and reports the events completed', () => {
    const trace = larson.generate({ events: 60_000 });
    const slow = realAllocator();
    const sluggish = wrap(slow, {
      alloc(size, alignment) {
        const until = performance.now() + 0.02;
        while (performance.now() < until) {
          // burn time so the budget runs out
        }
        return slow.alloc(size, alignment);
      },
    });
    const result = replay(trace, sluggish, { budgetSeconds: 0.05 });
    expect(result.complete).toBe(false);
    expect(result.stopReason).toBe('budget');
    expect(result.completedEvents).toBeGreaterThan(0);
    expect(result.completedEvents).toBeLessThan(trace.events);
    expect(result.completedEvents % 4096).toBe(0);
  });

  it('stops when the allocator runs out of memory', () => {
    const trace = larson.generate({ events: 20_000 });
    const tiny = createBenchAllocator({ strategy: 'bump', geometry: 'x64', backend: 'buffer', memoryBytes: 2 ** 20 });
    const result = replay(trace, tiny);
    expect(result.complete).toBe(false);
    expect(result.stopReason).toBe('out-of-memory');
    expect(result.errorCount).toBe(0);
    expect(result.stopMessage).toMatch(/returned 0/);
  });

  it('measure: median of the timed runs (not the checked one), peaks from the checked run', () => {
    const trace = cfrac.generate({ events: 3000 });
    const spec = { strategy: 'tlsf', geometry: 'x86', backend: 'buffer', memoryBytes: 2 ** 24 } as const;
    const m = measure(trace, spec, { runs: 4, check: 'prefix', budgetSeconds: 30 });
    expect(m.nsPerEventRuns).toHaveLength(4);
    const timed = m.nsPerEventRuns.slice(1).sort((a, b) => a - b);
    expect(m.nsPerEvent).toBe(timed[1]);
    expect(m.peakLiveBytes).toBe(trace.peakLiveBytes);
    expect(m.geometry).toBe('x86');
    // one run: the checked run is the figure
    const single = measure(trace, spec, { runs: 1, check: 'prefix', budgetSeconds: 30 });
    expect(single.nsPerEventRuns).toHaveLength(1);
    expect(single.nsPerEvent).toBe(single.nsPerEventRuns[0]);
  });

  it('measure: a strategy that cannot be set up is reported, not thrown', () => {
    const trace = cfrac.generate({ events: 1000 });
    const m = measure(trace, { strategy: 'no-such', geometry: 'x64', backend: 'buffer', memoryBytes: 2 ** 20 }, { runs: 1, check: 'prefix', budgetSeconds: 1 });
    expect(m.complete).toBe(false);
    expect(m.stopReason).toBe('threw');
    expect(m.errorCount).toBe(1);
    expect(m.stopMessage).toMatch(/unknown strategy "no-such"/);
  });
});

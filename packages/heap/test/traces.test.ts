// Real programs' allocation traces (benchmarks/traces, mtrace v1) replayed through every strategy over
// an ArrayBuffer: id-derived bytes stamped at the start and end of each block are checked on every
// resize and free, and the heap validated at the end. Tests replay the first PREFIX events of each
// trace to keep the suite quick; `pnpm --filter @mem/heap bench` replays them whole.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAllocator } from '../src/createAllocator';
import { readTrace, replay, TRACE_NAMES, type Trace } from './support/traces';

const PREFIX = 250_000;

describe.each(TRACE_NAMES)('trace %s (first 250k events)', (name) => {
  let trace: Trace;
  beforeAll(async () => {
    trace = await readTrace(name, PREFIX);
  });

  it.each(['segregated', 'lfh', 'tlsf', 'bump'])('replays through %s with every block intact', (strategy) => {
    expect(trace.count).toBe(PREFIX);
    const allocator = createAllocator({ strategy, memory: new ArrayBuffer(512 << 20) });
    const result = replay(allocator, trace, true);
    expect(result.failed).toBe(0);
    allocator.validate();
    expect(result.peakCommittedBytes).toBeGreaterThanOrEqual(result.peakLiveBytes);
    // Every live block the walk reports is one the trace still holds.
    let walked = 0;
    allocator.walk((entry) => {
      if (entry.kind === 'busy' || entry.kind === 'large') walked += entry.size;
    });
    expect(walked).toBe(allocator.stats().liveBytes);
  });
});

// Real programs' allocation traces (benchmarks/traces, mtrace v1) replayed through every strategy over
// an ArrayBuffer: id-derived bytes stamped at the start and end of each block are checked on every
// resize and free, and the heap validated at the end. The NT-style strategies replay every trace whole;
// `bump` (which reuses only the top of its arena) the first PREFIX events.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAllocator } from '../src/createAllocator';
import { readTrace, replay, TRACE_NAMES, type Trace } from './support/traces';

const PREFIX = 250_000;
/** Event counts from the traces' headers (../shared/traces/README.md). */
const EVENTS: Record<string, number> = { sqlite3: 1_575_042, 'python3-json': 2_975_258, 'jq-transform': 1_063_509 };

describe.each(TRACE_NAMES)('trace %s', (name) => {
  let whole: Trace;
  let prefix: Trace;
  beforeAll(async () => {
    whole = await readTrace(name);
    prefix = { ...whole, count: PREFIX };
  });

  it.each(['segregated', 'lfh', 'tlsf', 'bump'])('replays through %s with every block intact', (strategy) => {
    const trace = strategy === 'bump' ? prefix : whole;
    expect(trace.count).toBe(strategy === 'bump' ? PREFIX : EVENTS[name]);
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

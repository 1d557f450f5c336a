// tinybench suites for the heap strategies over an ArrayBuffer (x64 layout):
// 1. micro: a batch of 1,000 small allocations then 1,000 frees (ns per alloc+free pair);
// 2. churn: a steady live set of 4,096 blocks, each step frees one at random and allocates another;
// 3. traces: each real trace of benchmarks/traces replayed whole (BENCH_TRACE_EVENTS=n for a
//    prefix), one byte written per block as the native figures were taken: ns per event and footprint
//    (peak committed / peak of the live requested bytes), and @thi.ng/malloc's MemPool on the same
//    replay (its own copy of the loop, so that neither's call sites see the other's objects).
//    Trace replays are timed in CPU time (process.cpuUsage), which shared, loaded machines disturb less
//    than wall time; the tinybench suites report wall time.
// Run: pnpm --filter @mem/heap bench   (BENCH_SKIP_TRACES=1 for the micro suites only)
import { MemPool } from '@thi.ng/malloc';
import { Bench } from 'tinybench';
import type { Allocator } from '../src/api';
import { createAllocator } from '../src/index';
import { EVENT_ALLOC, EVENT_RESIZE, readTrace, TRACE_NAMES, type Trace } from '../test/support/traces';

const STRATEGIES = ['segregated', 'lfh', 'tlsf', 'bump'];

/**
 * Replays a trace writing one byte per block, as the native figures were taken (no other per-event work:
 * typed arrays, no objects). Returns the number of failed allocations.
 */
function touchReplay(allocator: Allocator, trace: Trace): number {
  const bytes = allocator.bytes as Uint8Array;
  const pointers = new Float64Array(trace.maxId + 1);
  const kinds = trace.kind;
  const ids = trace.id;
  const sizes = trace.size;
  const alignments = trace.alignment;
  let failed = 0;
  for (let event = 0; event < trace.count; event++) {
    const id = ids[event] as number;
    const kind = kinds[event];
    if (kind === EVENT_ALLOC) {
      const size = sizes[event] as number;
      const pointer = allocator.alloc(size, alignments[event] as number);
      if (pointer === 0) failed++;
      else if (size > 0) bytes[pointer] = id;
      pointers[id] = pointer;
    } else if (kind === EVENT_RESIZE) {
      const old = pointers[id] as number;
      if (old === 0) continue;
      const size = sizes[event] as number;
      const pointer = allocator.realloc(old, size);
      if (pointer === 0) {
        failed++;
        continue;
      }
      if (size > 0) bytes[pointer] = id;
      pointers[id] = pointer;
    } else {
      const pointer = pointers[id] as number;
      if (pointer === 0) continue;
      allocator.free(pointer);
      pointers[id] = 0;
    }
  }
  return failed;
}

/** MemPool's free walks its list of used blocks: a run stops after this much CPU time (a prefix, then). */
const PEER_BUDGET_MS = Number(process.env.BENCH_PEER_BUDGET_MS ?? 20_000);

/**
 * touchReplay for @thi.ng/malloc's MemPool (16-byte alignment, as x64): CPU ns per event and the events
 * replayed, fewer than the trace's when the budget ran out (MemPool gets slower as blocks pile up, so a
 * prefix's figure is a lower bound).
 */
function peerReplay(trace: Trace): { ns: number; events: number } {
  const buffer = new ArrayBuffer(1 << 30);
  const pool = new MemPool({ buf: buffer, align: 16 });
  const bytes = new Uint8Array(buffer);
  const pointers = new Float64Array(trace.maxId + 1);
  const start = process.cpuUsage();
  let event = 0;
  for (; event < trace.count; event++) {
    if ((event & 4095) === 0 && event > 0) {
      const used = process.cpuUsage(start);
      if ((used.user + used.system) / 1000 > PEER_BUDGET_MS) break;
    }
    const id = trace.id[event] as number;
    const kind = trace.kind[event];
    if (kind === EVENT_ALLOC) {
      const size = trace.size[event] as number;
      const pointer = pool.malloc(size);
      if (pointer === 0) throw new Error(`thi.ng/malloc on ${trace.name}: malloc(${size}) failed`);
      if (size > 0) bytes[pointer] = id;
      pointers[id] = pointer;
    } else if (kind === EVENT_RESIZE) {
      const old = pointers[id] as number;
      if (old === 0) continue;
      const size = trace.size[event] as number;
      const pointer = pool.realloc(old, size);
      if (pointer === 0) throw new Error(`thi.ng/malloc on ${trace.name}: realloc(${size}) failed`);
      if (size > 0) bytes[pointer] = id;
      pointers[id] = pointer;
    } else {
      const pointer = pointers[id] as number;
      if (pointer === 0) continue;
      pool.free(pointer);
      pointers[id] = 0;
    }
  }
  const used = process.cpuUsage(start);
  return { ns: ((used.user + used.system) * 1000) / event, events: event };
}

/** Peak of the sum of live requested sizes over a trace (the footprint's denominator). */
function peakLiveBytes(trace: Trace): number {
  const sizes = new Float64Array(trace.maxId + 1);
  let live = 0;
  let peak = 0;
  for (let event = 0; event < trace.count; event++) {
    const id = trace.id[event] as number;
    const kind = trace.kind[event];
    const size = kind === EVENT_ALLOC || kind === EVENT_RESIZE ? (trace.size[event] as number) : 0;
    live += size - (sizes[id] as number);
    sizes[id] = size;
    if (live > peak) peak = live;
  }
  return peak;
}
const BATCH = 1000;

function table(bench: Bench, operationsPerRun: number, unit: string): void {
  console.log(bench.name);
  console.table(
    bench.tasks.map((task) => {
      if (task.result.state !== 'completed') return { strategy: task.name, [unit]: task.result.state };
      return { strategy: task.name, [unit]: ((task.result.latency.mean * 1e6) / operationsPerRun).toFixed(1) };
    }),
  );
}

const micro = new Bench({ name: `micro: ${BATCH} allocations of 16..272 bytes, then ${BATCH} frees`, time: 500 });
for (const strategy of STRATEGIES) {
  const allocator = createAllocator({ strategy, memory: new ArrayBuffer(64 << 20) });
  const pointers = new Float64Array(BATCH);
  micro.add(strategy, () => {
    for (let i = 0; i < BATCH; i++) pointers[i] = allocator.alloc(16 + ((i * 37) % 257));
    for (let i = 0; i < BATCH; i++) allocator.free(pointers[i] as number);
  });
}
await micro.run();
table(micro, BATCH, 'ns per alloc+free');

const LIVE = 4096;
const churn = new Bench({ name: `churn: ${LIVE} live blocks of 8..4104 bytes, ${BATCH} free+alloc steps`, time: 500 });
for (const strategy of STRATEGIES) {
  const allocator = createAllocator({ strategy, memory: new ArrayBuffer(256 << 20) });
  const pointers = new Float64Array(LIVE);
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed;
  };
  for (let i = 0; i < LIVE; i++) pointers[i] = allocator.alloc(8 + (next() % 4097));
  churn.add(strategy, () => {
    for (let step = 0; step < BATCH; step++) {
      const slot = next() % LIVE;
      allocator.free(pointers[slot] as number);
      pointers[slot] = allocator.alloc(8 + (next() % 4097));
    }
  });
}
await churn.run();
table(churn, BATCH, 'ns per free+alloc');

if (process.env.BENCH_SKIP_TRACES === undefined) {
  const limit = Number(process.env.BENCH_TRACE_EVENTS ?? Number.POSITIVE_INFINITY);
  const rows: Record<string, string | number>[] = [];
  for (const name of TRACE_NAMES) {
    const trace = await readTrace(name, limit);
    let fastest = Number.POSITIVE_INFINITY;
    for (const strategy of STRATEGIES) {
      // One warm-up replay, then the best of three timed ones. A byte count as memory: a new buffer the
      // source knows is zero, as a native heap's fresh pages are.
      let best = Number.POSITIVE_INFINITY;
      let footprint = 0;
      for (let run = 0; run < 4; run++) {
        const allocator = createAllocator({ strategy, memory: 1 << 30 });
        const start = process.cpuUsage();
        const failed = touchReplay(allocator, trace);
        const used = process.cpuUsage(start);
        const elapsed = (used.user + used.system) / 1000;
        if (failed > 0) throw new Error(`${strategy} on ${name}: ${failed} allocations failed`);
        if (run > 0) best = Math.min(best, elapsed);
        const stats = allocator.stats();
        footprint = stats.peakCommittedBytes / peakLiveBytes(trace);
      }
      const ns = (best * 1e6) / trace.count;
      if (strategy !== 'bump') fastest = Math.min(fastest, ns);
      rows.push({
        trace: name,
        events: trace.count,
        strategy,
        'ns per event': ns.toFixed(0),
        'peak committed / peak live': footprint.toFixed(3),
      });
    }
    // The peer: the same, unless a run spends the budget (then that one run's prefix is the figure).
    let peer = Number.POSITIVE_INFINITY;
    let events = trace.count;
    for (let run = 0; run < 4 && events === trace.count; run++) {
      const result = peerReplay(trace);
      events = result.events;
      if (run > 0 || events < trace.count) peer = Math.min(peer, result.ns);
    }
    const prefix = events < trace.count ? '≥ ' : '';
    rows.push({
      trace: name,
      events: events < trace.count ? `${events} (budget)` : trace.count,
      strategy: `thi.ng/malloc (${prefix}${(peer / fastest).toFixed(1)}x the best of lfh/segregated/tlsf)`,
      'ns per event': `${prefix}${peer.toFixed(0)}`,
      'peak committed / peak live': '',
    });
  }
  console.log('traces: whole replays over a new 1-GiB buffer each, x64 layout (CPU time, best of 3 after a warm-up)');
  console.table(rows);
}

// tinybench suites for the heap strategies over an ArrayBuffer (x64 layout):
// 1. micro: a batch of 1,000 small allocations then 1,000 frees (ns per alloc+free pair);
// 2. churn: a steady live set of 4,096 blocks, each step frees one at random and allocates another;
// 3. traces: each real trace of benchmarks/traces replayed whole (BENCH_TRACE_EVENTS=n for a
//    prefix), one byte written per block: ns per event and footprint (peak committed / peak live).
//    Trace replays are timed in CPU time (process.cpuUsage), which shared, loaded machines disturb less
//    than wall time; the tinybench suites report wall time.
// Run: pnpm --filter @mem/heap bench   (BENCH_SKIP_TRACES=1 for the micro suites only)
import { Bench } from 'tinybench';
import { createAllocator } from '../src/index';
import { readTrace, replay, TRACE_NAMES } from '../test/support/traces';

const STRATEGIES = ['segregated', 'lfh', 'tlsf', 'bump'];
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
    for (const strategy of STRATEGIES) {
      // One warm-up replay, then the best of three timed ones.
      let best = Number.POSITIVE_INFINITY;
      let footprint = 0;
      for (let run = 0; run < 4; run++) {
        const allocator = createAllocator({ strategy, memory: new ArrayBuffer(1 << 30) });
        const start = process.cpuUsage();
        const result = replay(allocator, trace, false);
        const used = process.cpuUsage(start);
        const elapsed = (used.user + used.system) / 1000;
        if (result.failed > 0) throw new Error(`${strategy} on ${name}: ${result.failed} allocations failed`);
        if (run > 0) best = Math.min(best, elapsed);
        footprint = result.peakCommittedBytes / result.peakLiveBytes;
      }
      rows.push({
        trace: name,
        events: trace.count,
        strategy,
        'ns per event': ((best * 1e6) / trace.count).toFixed(0),
        'peak committed / peak live': footprint.toFixed(3),
      });
    }
  }
  console.log('traces: whole replays over a 1-GiB ArrayBuffer, x64 layout (CPU time, best of 3 after a warm-up)');
  console.table(rows);
}

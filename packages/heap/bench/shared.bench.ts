// Throughput of the shared heap with 1, 2 and 4 worker threads against one worker with a private
// (non-shared) lfh heap over an ArrayBuffer. Each run posts OPERATIONS alloc+free pairs to every
// worker at once and waits for all of them (tinybench times the whole round, wall clock); the table
// reports million alloc+free pairs per second over all workers. Workers are started once per case,
// outside the timing. Cases "+ cross frees" hand every 8th block to the next worker, which frees it.
// Run: pnpm --filter @mem/heap bench:shared   (BENCH_OPERATIONS=n to change the per-worker count)
import { Worker } from 'node:worker_threads';
import { Bench } from 'tinybench';
import { createSharedAllocator } from '../src/shared/index';

const OPERATIONS = Number(process.env.BENCH_OPERATIONS ?? 200_000);
const RING_WORDS = 1024 + 2;

interface Case {
  name: string;
  kind: 'private' | 'shared';
  workers: number;
  crossFrees: boolean;
}

const CASES: Case[] = [
  { name: 'private lfh heap, 1 worker', kind: 'private', workers: 1, crossFrees: false },
  { name: 'shared heap, 1 worker', kind: 'shared', workers: 1, crossFrees: false },
  { name: 'shared heap, 2 workers', kind: 'shared', workers: 2, crossFrees: false },
  { name: 'shared heap, 4 workers', kind: 'shared', workers: 4, crossFrees: false },
  { name: 'shared heap, 2 workers + cross frees', kind: 'shared', workers: 2, crossFrees: true },
  { name: 'shared heap, 4 workers + cross frees', kind: 'shared', workers: 4, crossFrees: true },
];

function growable(byteLength: number, maxByteLength: number): SharedArrayBuffer {
  const Growable = SharedArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => SharedArrayBuffer;
  return new Growable(byteLength, { maxByteLength });
}

function roundTrip(workers: Worker[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending = workers.length;
    for (const worker of workers) {
      const onError = (error: Error) => reject(error);
      worker.once('error', onError);
      worker.once('message', () => {
        worker.off('error', onError);
        if (--pending === 0) resolve();
      });
      worker.postMessage({ operations: OPERATIONS });
    }
  });
}

const bench = new Bench({ name: `shared heap: ${OPERATIONS} alloc+free pairs per worker per run`, time: 3000, iterations: 8 });
const started: Worker[][] = [];
for (const c of CASES) {
  const shared = c.kind === 'shared' ? createSharedAllocator({ memory: growable(1 << 20, 512 << 20) }) : undefined;
  const rings = new SharedArrayBuffer(c.workers * RING_WORDS * 4);
  const workers: Worker[] = [];
  for (let id = 0; id < c.workers; id++) {
    workers.push(
      new Worker(new URL('./shared.worker.mjs', import.meta.url), {
        workerData: { kind: c.kind, handle: shared?.handle(), rings, id, workers: c.workers, crossFrees: c.crossFrees },
        execArgv: ['--conditions=@mem/source'],
      }),
    );
  }
  started.push(workers);
  await roundTrip(workers); // warm-up: loads the code, fills the caches
  bench.add(c.name, () => roundTrip(workers));
}
await bench.run();

console.log(bench.name);
const baseline = bench.tasks[0]?.result.state === 'completed' ? bench.tasks[0].result.latency.mean : Number.NaN;
console.table(
  bench.tasks.map((task, index) => {
    const c = CASES[index] as Case;
    if (task.result.state !== 'completed') return { case: task.name, 'M pairs/s': task.result.state };
    const seconds = task.result.latency.mean / 1000;
    const pairs = OPERATIONS * c.workers;
    return {
      case: task.name,
      'M pairs/s': (pairs / seconds / 1e6).toFixed(2),
      'ns per pair per worker': ((seconds * 1e9) / OPERATIONS).toFixed(0),
      'vs private, total': ((pairs / seconds) / (OPERATIONS / (baseline / 1000))).toFixed(2),
    };
  }),
);
for (const workers of started) for (const worker of workers) worker.postMessage('stop');

// tinybench suite for Win32 heaps in a simulated x64 process: what the Heap* door and the Heap object add to
// a strategy. A batch of 1,000 HeapAlloc (16..272 bytes) then 1,000 HeapFree, through
//   - the strategy of the process heap directly (the floor),
//   - the idiomatic Heap object (heap.alloc / heap.free),
//   - the Win32 door (HeapAlloc / HeapFree with the Process first, as Kernel32 calls them),
// for the 'lfh' and 'segregated' process strategies.
// Run: pnpm exec tsx --conditions=@mem/source bench/win32.bench.ts   (from packages/heap)
import { createMachine } from '@mem/pages';
import { Bench } from 'tinybench';
import { createProcessHeap } from '../src/index';
import { HeapAlloc, HeapFree } from '../src/win32';

const BATCH = 1000;
const bench = new Bench({ name: `Win32 heaps: ${BATCH} allocations of 16..272 bytes, then ${BATCH} frees`, time: 500 });

for (const strategyName of ['lfh', 'segregated']) {
  const layers = ['strategy', 'Heap object', 'Win32 door'] as const;
  for (const layer of layers) {
    const process = createMachine({ geometry: 'x64' }).createProcess();
    const heap = createProcessHeap(process, strategyName);
    const strategy = heap.strategy;
    const handle = heap.handle;
    const pointers = new Float64Array(BATCH);
    const name = `${strategyName} / ${layer}`;
    if (layer === 'strategy') {
      bench.add(name, () => {
        for (let i = 0; i < BATCH; i++) pointers[i] = strategy.allocate(16 + ((i * 37) % 257));
        for (let i = 0; i < BATCH; i++) strategy.free(pointers[i] as number);
      });
    } else if (layer === 'Heap object') {
      bench.add(name, () => {
        for (let i = 0; i < BATCH; i++) pointers[i] = heap.alloc(16 + ((i * 37) % 257));
        for (let i = 0; i < BATCH; i++) heap.free(pointers[i] as number);
      });
    } else {
      bench.add(name, () => {
        for (let i = 0; i < BATCH; i++) pointers[i] = HeapAlloc(process, handle, 0, 16 + ((i * 37) % 257));
        for (let i = 0; i < BATCH; i++) HeapFree(process, handle, 0, pointers[i] as number);
      });
    }
  }
}

await bench.run();
console.log(bench.name);
console.table(
  bench.tasks.map((task) => {
    if (task.result.state !== 'completed') return { layer: task.name, 'ns per alloc+free': task.result.state };
    return { layer: task.name, 'ns per alloc+free': ((task.result.latency.mean * 1e6) / BATCH).toFixed(1) };
  }),
);

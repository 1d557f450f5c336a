// Benchmark of @mem/global-local: the cost of GlobalLock/GlobalUnlock pairs, of GlobalReAlloc that moves
// an unlocked block (grow) and that stays in place (shrink back), of GlobalAlloc/GlobalFree of moveable
// and fixed blocks, and of the idiomatic MovableHandle lock/unlock — next to HeapAlloc/HeapFree of the
// same process heap as the baseline.
// Run: pnpm --filter @mem/global-local bench
import { createProcessHeap, getProcessHeap } from '@mem/heap';
import { createMachine, type Process } from '@mem/pages';
import { Bench } from 'tinybench';
import { GMEM_FIXED, GMEM_MOVEABLE } from '../src/constants';
import { Movable } from '../src/movable';
import { GlobalAlloc, GlobalFree, GlobalLock, GlobalReAlloc, GlobalUnlock } from '../src/win32';

function newProcess(): Process {
  const process = createMachine({ geometry: 'x64' }).createProcess();
  createProcessHeap(process, 'lfh');
  return process;
}

const process = newProcess();
const heap = getProcessHeap(process);
// Keep some live handles around so the table is not trivially small.
for (let i = 0; i < 1000; i++) GlobalAlloc(process, GMEM_MOVEABLE, 32 + (i % 64));

const lockHandle = GlobalAlloc(process, GMEM_MOVEABLE, 256);
const reallocHandle = GlobalAlloc(process, GMEM_MOVEABLE, 64);
const movableBlock = Movable.of(process).alloc(256);
let grow = true;

// What one grow / shrink round does to the block's address (printed with the table).
const before = GlobalLock(process, reallocHandle);
GlobalUnlock(process, reallocHandle);
GlobalReAlloc(process, reallocHandle, 4096, GMEM_MOVEABLE);
const grown = GlobalLock(process, reallocHandle);
GlobalUnlock(process, reallocHandle);
GlobalReAlloc(process, reallocHandle, 64, GMEM_MOVEABLE);
const shrunk = GlobalLock(process, reallocHandle);
GlobalUnlock(process, reallocHandle);
console.log(`realloc round: grow ${grown === before ? 'in place' : 'moved'}, shrink ${shrunk === grown ? 'in place' : 'moved'}`);

const bench = new Bench({ time: 500, warmupTime: 100 });
bench
  .add('GlobalLock + GlobalUnlock (moveable)', () => {
    GlobalLock(process, lockHandle);
    GlobalUnlock(process, lockHandle);
  })
  .add('MovableHandle.lock + unlock', () => {
    movableBlock.lock();
    movableBlock.unlock();
  })
  .add('GlobalReAlloc 64 ↔ 4096 bytes (unlocked)', () => {
    GlobalReAlloc(process, reallocHandle, grow ? 4096 : 64, GMEM_MOVEABLE);
    grow = !grow;
  })
  .add('GlobalAlloc + GlobalFree (moveable, 64 bytes)', () => {
    GlobalFree(process, GlobalAlloc(process, GMEM_MOVEABLE, 64));
  })
  .add('GlobalAlloc + GlobalFree (fixed, 64 bytes)', () => {
    GlobalFree(process, GlobalAlloc(process, GMEM_FIXED, 64));
  })
  .add('baseline: heap.alloc + heap.free (64 bytes)', () => {
    heap.free(heap.alloc(64));
  });

await bench.run();
console.table(
  bench.tasks.map((task) => {
    const result = task.result as { latency?: { mean: number; p50?: number } } | undefined;
    const mean = (result?.latency?.mean ?? 0) * 1e6;
    return { task: task.name, 'ns/op (mean)': Math.round(mean), 'ns/op (p50)': Math.round((result?.latency?.p50 ?? 0) * 1e6) };
  }),
);

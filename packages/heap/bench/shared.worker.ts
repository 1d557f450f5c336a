// A benchmark worker: on each { operations } message, runs that many alloc+free pairs (sizes 16..527,
// a live window of 256 blocks, one word written per block; every 8th block freed by the next worker
// through a ring when `crossFrees`) on a private lfh heap or on the shared heap, then replies.
import { parentPort, workerData } from 'node:worker_threads';
import type { Allocator } from '../src/api';
import { createAllocator } from '../src/createAllocator';
import { attachSharedAllocator } from '../src/shared/index';
import type { SharedAllocatorHandle } from '../src/shared/index';

interface BenchWorkerData {
  kind: 'private' | 'shared';
  handle?: SharedAllocatorHandle;
  /** Rings for handing blocks to the next worker: per worker [head, tail, RING entries]. */
  rings?: SharedArrayBuffer;
  id: number;
  workers: number;
  crossFrees: boolean;
}

const RING = 1024;
const WINDOW = 256;
const task = workerData as BenchWorkerData;
const heap: Allocator =
  task.kind === 'shared' ? attachSharedAllocator(task.handle as SharedAllocatorHandle) : createAllocator({ strategy: 'lfh', memory: new ArrayBuffer(64 << 20) });
const rings = task.rings ? new Int32Array(task.rings) : new Int32Array(0);
const window = new Float64Array(WINDOW);
const sizes = new Uint16Array(4096);
for (let i = 0; i < sizes.length; i++) sizes[i] = 16 + ((i * 2654435761) >>> 0) % 512;
const inbox = task.id * (RING + 2);
const outbox = ((task.id + 1) % task.workers) * (RING + 2);

function drainInbox(): void {
  let head = Atomics.load(rings, inbox);
  const tail = Atomics.load(rings, inbox + 1);
  while (head !== tail) {
    heap.free(rings[inbox + 2 + (head % RING)]!);
    head++;
  }
  Atomics.store(rings, inbox, head);
}

function run(operations: number): void {
  let next = 0;
  const cross = task.crossFrees && task.workers > 1;
  for (let i = 0; i < operations; i++) {
    const pointer = heap.alloc(sizes[i & 4095]!);
    heap.memory.setUint32(pointer, i);
    const old = window[next]!;
    window[next] = pointer;
    next = (next + 1) & (WINDOW - 1);
    if (old === 0) continue;
    if (cross && (i & 7) === 0) {
      const head = Atomics.load(rings, outbox);
      const tail = Atomics.load(rings, outbox + 1);
      if (tail - head < RING) {
        rings[outbox + 2 + (tail % RING)] = old;
        Atomics.store(rings, outbox + 1, tail + 1);
        continue;
      }
    }
    heap.free(old);
    if (cross && (i & 63) === 0) drainInbox();
  }
  if (cross) drainInbox();
}

parentPort?.on('message', (message: { operations: number } | 'stop') => {
  if (message === 'stop') {
    parentPort?.close();
    return;
  }
  run(message.operations);
  parentPort?.postMessage('done');
});

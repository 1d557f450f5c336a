// Worker side of the shared-heap tests (run with tsx's loader: see spawnWorker in support.ts).
// Roles: 'readme' (the README's worker), 'stress' (random alloc/free/realloc, blocks handed to other workers through SPSC rings in a
// second SharedArrayBuffer, HeapLock taken now and then, every block stamped with its writer's id and a sequence number and checked
// before it is freed or after it moved), 'locker' (HeapLock until told to unlock) and 'allocator'
// (one allocation of a given size, flags around it so the main thread can see where it is).
import { parentPort, workerData } from 'node:worker_threads';
import { attachSharedAllocator } from '../../src/shared/index';
import type { SharedAllocatorHandle } from '../../src/shared/index';
import { CONTROL, RING_CAPACITY, ringIndex, ringWords } from './protocol';

interface StressData {
  role: 'stress';
  handle: SharedAllocatorHandle;
  rings: SharedArrayBuffer;
  id: number;
  workers: number;
  operations: number;
  seed: number;
}

interface LockerData {
  role: 'locker';
  handle: SharedAllocatorHandle;
  control: SharedArrayBuffer;
}

interface AllocatorData {
  role: 'allocator';
  handle: SharedAllocatorHandle;
  control: SharedArrayBuffer;
  /** Bytes to allocate while the lock is held elsewhere. */
  size: number;
  /** Allocate and free this size first, so that the thread's cache holds a block of it. */
  prime: number;
}

interface ReadmeData {
  role: 'readme';
  handle: SharedAllocatorHandle;
}

const data = workerData as StressData | LockerData | AllocatorData | ReadmeData;

function waitFor(control: Int32Array, index: number, value: number): void {
  for (;;) {
    const seen = Atomics.load(control, index);
    if (seen === value) return;
    Atomics.wait(control, index, seen, 50);
  }
}

function signal(control: Int32Array, index: number, value: number): void {
  Atomics.store(control, index, value);
  Atomics.notify(control, index);
}

if (data.role === 'readme') {
  // README.md's worker.mjs, as written.
  const heap = attachSharedAllocator(data.handle);
  const p = heap.alloc(100);
  heap.memory.setUint32(p, 42);
  parentPort?.postMessage(p);
} else if (data.role === 'locker') {
  const heap = attachSharedAllocator(data.handle);
  const control = new Int32Array(data.control);
  heap.lock();
  heap.lock(); // recursive
  signal(control, CONTROL.locked, 1);
  waitFor(control, CONTROL.release, 1);
  heap.unlock();
  heap.unlock();
  signal(control, CONTROL.locked, 2);
  parentPort?.postMessage({ threadId: heap.threadId });
} else if (data.role === 'allocator') {
  const heap = attachSharedAllocator(data.handle);
  const control = new Int32Array(data.control);
  if (data.prime > 0) heap.free(heap.alloc(data.prime));
  signal(control, CONTROL.ready, 1);
  waitFor(control, CONTROL.go, 1);
  signal(control, CONTROL.allocating, 1);
  const pointer = heap.alloc(data.size);
  signal(control, CONTROL.allocated, 1);
  parentPort?.postMessage({ pointer, lockOwnerSeen: heap.lockOwner() });
} else {
  runStress(data);
}

function runStress(task: StressData): void {
  const heap = attachSharedAllocator(task.handle);
  const rings = new Int32Array(task.rings);
  const memory = heap.memory;
  const me = task.id;
  let state = task.seed >>> 0 || 1;
  const random = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
  const limit = 600;
  const pointers = new Float64Array(limit);
  const sizes = new Float64Array(limit);
  let live = 0;
  let sequence = 0;
  let allocations = 0;
  let frees = 0;
  let reallocs = 0;
  let sent = 0;
  let received = 0;
  let failures = 0;

  const pickSize = (): number => {
    const r = random();
    if (r < 0.8) return 8 + Math.floor(random() * 248);
    if (r < 0.97) return 256 + Math.floor(random() * 3840);
    return 4096 + Math.floor(random() * 60000);
  };
  // Every block starts with (writer id, sequence) and ends with the sequence's low byte.
  const stamp = (pointer: number, size: number): void => {
    sequence++;
    memory.setUint32(pointer, me);
    memory.setUint32(pointer + 4, sequence);
    memory.setUint8(pointer + size - 1, sequence & 0xff);
  };
  const check = (pointer: number, size: number, where: string): void => {
    const writer = memory.getUint32(pointer);
    const seq = memory.getUint32(pointer + 4);
    const tail = memory.getUint8(pointer + size - 1);
    if (writer < 1 || writer > task.workers || (seq & 0xff) !== tail || heap.sizeOf(pointer) !== size) {
      throw new Error(`worker ${me}: block 0x${pointer.toString(16)} of ${size} bytes corrupted (${where}): writer ${writer} seq ${seq} tail ${tail}`);
    }
  };
  const drain = (): void => {
    for (let from = 1; from <= task.workers; from++) {
      if (from === me) continue;
      const base = ringIndex(from, me, task.workers);
      let head = Atomics.load(rings, base);
      const tail = Atomics.load(rings, base + 1);
      while (head !== tail) {
        const slot = base + 2 + (head % RING_CAPACITY) * 2;
        const pointer = rings[slot]!;
        const size = rings[slot + 1]!;
        check(pointer, size, 'received');
        if (live < limit && random() < 0.3) {
          // Adopt it: resize it (maybe moving it) and keep it.
          const newSize = pickSize();
          const writer = memory.getUint32(pointer);
          const seq = memory.getUint32(pointer + 4);
          const moved = heap.realloc(pointer, newSize);
          if (moved === 0) {
            failures++;
            heap.free(pointer);
          } else {
            if (memory.getUint32(moved) !== writer || memory.getUint32(moved + 4) !== seq) {
              throw new Error(`worker ${me}: realloc of a received block lost the contents`);
            }
            stamp(moved, newSize);
            pointers[live] = moved;
            sizes[live] = newSize;
            live++;
          }
        } else {
          heap.free(pointer); // a cross-thread free
          frees++;
        }
        received++;
        head++;
        Atomics.store(rings, base, head);
      }
    }
  };

  let locks = 0;
  for (let op = 0; op < task.operations; op++) {
    if ((op & 15) === 0) drain();
    // Now and then HeapLock around a few steps (recursively): other workers' back-end calls wait meanwhile.
    if ((op & 4095) === 0) {
      heap.lock();
      heap.lock();
      locks++;
    } else if ((op & 4095) === 8) {
      heap.unlock();
      heap.unlock();
    }
    const r = random();
    if (live < 8 || (r < 0.45 && live < limit)) {
      const size = pickSize();
      const pointer = heap.alloc(size);
      if (pointer === 0) {
        failures++;
        continue;
      }
      stamp(pointer, size);
      pointers[live] = pointer;
      sizes[live] = size;
      live++;
      allocations++;
      continue;
    }
    const index = Math.floor(random() * live);
    const pointer = pointers[index]!;
    const size = sizes[index]!;
    check(pointer, size, 'before use');
    if (r < 0.8) {
      heap.free(pointer);
      frees++;
      live--;
      pointers[index] = pointers[live]!;
      sizes[index] = sizes[live]!;
    } else if (r < 0.9) {
      const newSize = pickSize();
      const writer = memory.getUint32(pointer);
      const seq = memory.getUint32(pointer + 4);
      const moved = heap.realloc(pointer, newSize);
      if (moved === 0) {
        failures++;
        continue;
      }
      // The first min(old, new) bytes must have come along.
      if (memory.getUint32(moved) !== writer || memory.getUint32(moved + 4) !== seq) {
        throw new Error(`worker ${me}: realloc 0x${pointer.toString(16)} -> 0x${moved.toString(16)} lost the contents`);
      }
      stamp(moved, newSize);
      pointers[index] = moved;
      sizes[index] = newSize;
      reallocs++;
    } else {
      // Hand it to another worker, when its ring has room.
      const to = 1 + ((me + Math.floor(random() * (task.workers - 1))) % task.workers);
      const base = ringIndex(me, to, task.workers);
      const head = Atomics.load(rings, base);
      const tail = Atomics.load(rings, base + 1);
      if (tail - head >= RING_CAPACITY) continue;
      const slot = base + 2 + (tail % RING_CAPACITY) * 2;
      rings[slot] = pointer;
      rings[slot + 1] = size;
      Atomics.store(rings, base + 1, tail + 1);
      sent++;
      live--;
      pointers[index] = pointers[live]!;
      sizes[index] = sizes[live]!;
    }
  }
  if (heap.lockOwner() === heap.threadId) {
    heap.unlock();
    heap.unlock();
  }
  // Done sending; keep draining until every worker is done and the rings are empty.
  Atomics.add(rings, ringWords(task.workers), 1);
  for (;;) {
    const finished = Atomics.load(rings, ringWords(task.workers)) === task.workers;
    drain();
    if (finished) {
      drain();
      break;
    }
    Atomics.wait(rings, ringWords(task.workers), Atomics.load(rings, ringWords(task.workers)), 1);
  }
  for (let i = 0; i < live; i++) check(pointers[i]!, sizes[i]!, 'at the end');
  const blocks: number[] = [];
  for (let i = 0; i < live; i++) blocks.push(pointers[i]!, sizes[i]!);
  heap.detach();
  parentPort?.postMessage({ id: me, threadId: heap.threadId, locks, allocations, frees, reallocs, sent, received, failures, blocks });
}

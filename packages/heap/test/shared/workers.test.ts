// A shared heap used by real worker threads: a 4-worker stress run with cross-worker frees and content
// checks, HeapLock blocking another thread's back-end allocation until HeapUnlock (H-033), cached
// front-end allocations not blocked (H-035), and HEAP_NO_SERIALIZE serializing nothing (H-034).
import { afterEach, describe, expect, it } from 'vitest';
import { HEAP_NO_SERIALIZE } from '../../src/constants';
import { createSharedAllocator } from '../../src/shared/index';
import { CONTROL, CONTROL_WORDS, ringWords } from './protocol';
import { eventually, growableBuffer, resultOf, spawnWorker, terminateWorkers } from './support';

afterEach(terminateWorkers);

interface StressResult {
  id: number;
  threadId: number;
  locks: number;
  allocations: number;
  frees: number;
  reallocs: number;
  sent: number;
  received: number;
  failures: number;
  blocks: number[];
}

const WORKERS = 4;
/** Per worker: 4 × 1 000 000 = 4 million loop steps (about 3.9 million allocs, frees, reallocs and hand-overs). */
const OPERATIONS = 1_000_000;

describe('shared heap across worker threads', () => {
  it.each([
    { frontEnd: true, operations: OPERATIONS, atLeast: 3_500_000 },
    // Every call on the back end, under the lock: the futex under contention.
    { frontEnd: false, operations: OPERATIONS / 5, atLeast: 700_000 },
  ])('survives 4 workers doing random alloc/free/realloc with cross-worker frees, contents intact (front end: $frontEnd)', async ({ frontEnd, operations: perWorker, atLeast }) => {
    const initial = 1 << 20;
    const memory = growableBuffer(initial, 256 << 20);
    const shared = createSharedAllocator({ memory, frontEnd });
    const rings = new SharedArrayBuffer((ringWords(WORKERS) + 1) * 4);
    const workers = [];
    for (let id = 1; id <= WORKERS; id++) {
      workers.push(spawnWorker({ role: 'stress', handle: shared.handle(), rings, id, workers: WORKERS, operations: perWorker, seed: 0x9e3779b9 * id }));
    }
    const results = await Promise.all(workers.map((worker) => resultOf<StressResult>(worker)));

    // Every worker had its own thread id (and slot); blocks crossed between all of them.
    expect(new Set(results.map((r) => r.threadId)).size).toBe(WORKERS);
    expect(shared.lockState()).toBe('free');
    expect(results.every((r) => r.locks > 0)).toBe(true);
    const sent = results.reduce((sum, r) => sum + r.sent, 0);
    const received = results.reduce((sum, r) => sum + r.received, 0);
    expect(sent).toBe(received);
    expect(sent).toBeGreaterThan(10_000);
    expect(results.every((r) => r.failures === 0)).toBe(true);
    const operations = results.reduce((sum, r) => sum + r.allocations + r.frees + r.reallocs + r.sent, 0);
    expect(operations).toBeGreaterThan(atLeast);

    // The heap grew its buffer from a worker, and this thread sees the new length.
    expect(memory.byteLength).toBeGreaterThan(initial);
    shared.validate();

    // Every block still alive holds what its last writer stamped; this thread frees them all.
    let liveBlocks = 0;
    let liveBytes = 0;
    for (const result of results) {
      for (let i = 0; i < result.blocks.length; i += 2) {
        const pointer = result.blocks[i]!;
        const size = result.blocks[i + 1]!;
        const writer = shared.memory.getUint32(pointer);
        const sequence = shared.memory.getUint32(pointer + 4);
        expect(writer).toBe(result.id);
        expect(shared.memory.getUint8(pointer + size - 1)).toBe(sequence & 0xff);
        expect(shared.sizeOf(pointer)).toBe(size);
        liveBlocks++;
        liveBytes += size;
      }
    }
    const stats = shared.stats();
    expect(stats.liveBlocks).toBe(liveBlocks);
    expect(stats.liveBytes).toBe(liveBytes);
    for (const result of results) for (let i = 0; i < result.blocks.length; i += 2) shared.free(result.blocks[i]!);
    shared.validate();
    expect(shared.stats().liveBlocks).toBe(0);
    expect(shared.stats().liveBytes).toBe(0);
  }, 60_000);

  async function lockScenario(options: { flags: number; size: number; prime: number }) {
    const memory = growableBuffer(1 << 20, 16 << 20);
    const shared = createSharedAllocator({ memory, flags: options.flags });
    const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
    const allocator = spawnWorker({ role: 'allocator', handle: shared.handle(), control: control.buffer, size: options.size, prime: options.prime });
    const allocatorDone = resultOf<{ pointer: number }>(allocator);
    await eventually(() => Atomics.load(control, CONTROL.ready) === 1, 'the allocator is ready');
    const locker = spawnWorker({ role: 'locker', handle: shared.handle(), control: control.buffer });
    const lockerDone = resultOf<{ threadId: number }>(locker);
    await eventually(() => Atomics.load(control, CONTROL.locked) === 1, 'the locker holds the lock');
    Atomics.store(control, CONTROL.go, 1);
    Atomics.notify(control, CONTROL.go);
    await eventually(() => Atomics.load(control, CONTROL.allocating) === 1, 'the allocator calls alloc');
    return { shared, control, lockerDone, allocatorDone };
  }

  it('HeapLock in one worker blocks another worker’s back-end allocation until HeapUnlock (H-033)', async () => {
    const { shared, control, lockerDone, allocatorDone } = await lockScenario({ flags: 0, size: 100_000, prime: 0 });
    // The allocator is asleep on the lock word (the futex says so), and its alloc has not returned.
    await eventually(() => shared.lockState() === 'contended', 'the allocator waits on the lock');
    expect(Atomics.load(control, CONTROL.allocated)).toBe(0);
    expect(Atomics.load(control, CONTROL.locked)).toBe(1);
    expect(shared.lockOwner()).not.toBe(0);
    // Release: the allocation completes only now.
    Atomics.store(control, CONTROL.release, 1);
    Atomics.notify(control, CONTROL.release);
    const { threadId } = await lockerDone;
    const { pointer } = await allocatorDone;
    expect(threadId).toBeGreaterThan(0);
    expect(Atomics.load(control, CONTROL.locked)).toBe(2);
    expect(pointer).not.toBe(0);
    expect(shared.sizeOf(pointer)).toBe(100_000);
    expect(shared.lockState()).toBe('free');
    shared.validate();
  }, 30_000);

  it('an allocation served from the thread’s front-end cache is not blocked by HeapLock (H-035)', async () => {
    const { shared, control, lockerDone, allocatorDone } = await lockScenario({ flags: 0, size: 64, prime: 64 });
    await eventually(() => Atomics.load(control, CONTROL.allocated) === 1, 'the cached allocation returns');
    expect(Atomics.load(control, CONTROL.locked)).toBe(1); // still held
    Atomics.store(control, CONTROL.release, 1);
    Atomics.notify(control, CONTROL.release);
    await lockerDone;
    const { pointer } = await allocatorDone;
    expect(shared.sizeOf(pointer)).toBe(64);
    shared.validate();
  }, 30_000);

  it('on a HEAP_NO_SERIALIZE heap HeapLock serializes nothing: another worker allocates meanwhile (H-034)', async () => {
    const { shared, control, lockerDone, allocatorDone } = await lockScenario({ flags: HEAP_NO_SERIALIZE, size: 100_000, prime: 0 });
    await eventually(() => Atomics.load(control, CONTROL.allocated) === 1, 'the allocation returns');
    expect(Atomics.load(control, CONTROL.locked)).toBe(1);
    expect(shared.lockState()).toBe('free');
    Atomics.store(control, CONTROL.release, 1);
    Atomics.notify(control, CONTROL.release);
    await lockerDone;
    const { pointer } = await allocatorDone;
    expect(shared.sizeOf(pointer)).toBe(100_000);
    shared.validate();
  }, 30_000);
});

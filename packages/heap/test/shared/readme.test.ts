// README.md's "Sharing a heap between workers" example, run as written (the worker is the 'readme'
// role of worker.ts; console.log replaced by expectations).
import { once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import { createSharedAllocator } from '../../src/shared/index';
import { growableBuffer, spawnWorker, terminateWorkers } from './support';

afterEach(terminateWorkers);

it('README: a block allocated in a worker, read and freed in the main thread', async () => {
  const memory = growableBuffer(1 << 20, 256 << 20);
  const heap = createSharedAllocator({ memory });
  const worker = spawnWorker({ role: 'readme', handle: heap.handle() });
  const [pointer] = (await once(worker, 'message')) as [number];
  expect(heap.memory.getUint32(pointer)).toBe(42);
  expect(heap.stats().liveBlocks).toBe(1);
  heap.free(pointer);
  heap.validate();
  expect(heap.stats().liveBlocks).toBe(0);
  await once(worker, 'exit');
});

// xmalloc-test-like producer/consumer (mimalloc-bench `xmalloc-test`): producers allocate batches of
// small objects, consumers free whole batches later, oldest first, in allocation order.
import { DEFAULT_SEED, type Workload, WorkloadBuilder, type WorkloadOptions } from './workload';

const BATCH = 120;
const QUEUED_BATCHES = 40;

export const xmalloc: Workload = {
  name: 'xmalloc',
  modelledOn: 'mimalloc-bench xmalloc-test (Lever & Boreham)',
  stresses: 'FIFO frees far from their allocation: reuse of blocks freed in bulk, free-list ordering',
  generate({ events, seed = DEFAULT_SEED }: WorkloadOptions) {
    const w = new WorkloadBuilder(events, seed);
    const queue: number[][] = [];
    while (!w.full) {
      const batch: number[] = [];
      const size = w.random.int(1, 16) * 8;
      for (let index = 0; index < BATCH; index++) batch.push(w.alloc(w.random.chance(0.8) ? size : w.random.int(1, 128)));
      queue.push(batch);
      if (queue.length > QUEUED_BATCHES) for (const id of queue.shift()!) w.free(id);
    }
    return w.finish('xmalloc');
  },
};

// realloc growth (string builders and vectors, as in mimalloc-bench's `rptest`/glibc `realloc` tests):
// buffers grow by 1.5x from 16 bytes up to 1 MiB while small allocations land between them.
import { DEFAULT_SEED, type Workload, WorkloadBuilder, type WorkloadOptions } from './workload';

const BUFFERS = 16;

export const reallocGrowth: Workload = {
  name: 'realloc-growth',
  modelledOn: 'vector/string-builder growth (glibc realloc tests, mimalloc-bench rptest)',
  stresses: 'realloc: growing in place versus moving and copying, large blocks, pinned neighbours',
  generate({ events, seed = DEFAULT_SEED }: WorkloadOptions) {
    const w = new WorkloadBuilder(events, seed);
    const buffers: number[] = [];
    const targets: number[] = [];
    const pins: number[] = [];
    while (!w.full) {
      if (buffers.length < BUFFERS) {
        buffers.push(w.alloc(16));
        targets.push(2 ** w.random.int(10, 20));
        continue;
      }
      const index = w.random.int(0, BUFFERS - 1);
      const id = buffers[index]!;
      const size = w.trace.sizeOf(id);
      if (size >= targets[index]!) {
        w.free(id);
        buffers.splice(index, 1);
        targets.splice(index, 1);
        continue;
      }
      w.realloc(id, Math.ceil(size * 1.5));
      // Small allocations between growth steps pin the space behind the buffer.
      if (w.random.chance(0.5)) pins.push(w.alloc(w.random.int(8, 96)));
      if (pins.length > 400) w.free(pins.splice(w.random.int(0, pins.length - 1), 1)[0]!);
    }
    return w.finish('realloc-growth');
  },
};

// glibc-simple (glibc's bench-malloc-simple, in mimalloc-bench): bursts that allocate many blocks of
// one size and free them all, cycling through sizes 16 to 4096.
import { DEFAULT_SEED, type Workload, WorkloadBuilder, type WorkloadOptions } from './workload';

const SIZES = [16, 32, 64, 128, 256, 512, 1024, 4096];

export const glibcSimple: Workload = {
  name: 'glibc-simple',
  modelledOn: 'glibc bench-malloc-simple (mimalloc-bench glibc-simple)',
  stresses: 'allocation bursts of one size and bulk frees: size-class throughput, returning memory',
  generate({ events, seed = DEFAULT_SEED }: WorkloadOptions) {
    const w = new WorkloadBuilder(events, seed);
    let round = 0;
    while (!w.full) {
      const size = SIZES[round % SIZES.length]!;
      const count = w.random.int(100, 1000);
      const ids: number[] = [];
      for (let index = 0; index < count; index++) ids.push(w.alloc(size));
      // Alternate the free order: forward, then backward.
      if (round % 2 === 0) for (const id of ids) w.free(id);
      else for (let index = ids.length - 1; index >= 0; index--) w.free(ids[index]!);
      round++;
    }
    return w.finish('glibc-simple');
  },
};

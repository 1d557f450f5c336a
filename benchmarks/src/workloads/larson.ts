// larson-like server churn (mimalloc-bench `larson`: threads replace random slots of their arrays and
// hand the arrays to other threads): a stable live set whose blocks die in random order.
import { DEFAULT_SEED, type Workload, WorkloadBuilder, type WorkloadOptions } from './workload';

const THREADS = 4;
const SLOTS = 1000;
const MIN_SIZE = 8;
const MAX_SIZE = 1000;

export const larson: Workload = {
  name: 'larson',
  modelledOn: 'mimalloc-bench larson (Larson & Krishnan server benchmark)',
  stresses: 'random lifetimes over a steady live set: fragmentation, coalescing, free-list search',
  generate({ events, seed = DEFAULT_SEED }: WorkloadOptions) {
    const w = new WorkloadBuilder(events, seed);
    const slots: number[][] = [];
    for (let thread = 0; thread < THREADS; thread++) {
      const array: number[] = [];
      for (let slot = 0; slot < SLOTS; slot++) array.push(w.alloc(w.random.int(MIN_SIZE, MAX_SIZE)));
      slots.push(array);
    }
    let round = 0;
    while (!w.full) {
      const array = slots[round % THREADS]!;
      // One thread's turn: replace a burst of random slots, then hand its array on.
      for (let step = 0; step < 200 && !w.full; step++) {
        const slot = w.random.int(0, SLOTS - 1);
        w.free(array[slot]!);
        array[slot] = w.alloc(w.random.int(MIN_SIZE, MAX_SIZE));
      }
      round++;
      if (round % THREADS === 0) slots.push(slots.shift()!);
    }
    return w.finish('larson');
  },
};

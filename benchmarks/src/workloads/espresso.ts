// espresso-like mixed sizes (the logic minimiser used by Johnstone & Wilson and mimalloc-bench):
// mostly small blocks with some medium and rare large ones, lifetimes from very short to long,
// and occasional reallocs of growing sets.
import { DEFAULT_SEED, type Workload, WorkloadBuilder, type WorkloadOptions } from './workload';

/** Draws a size: 70 % small, 25 % medium, 5 % large. */
function mixedSize(w: WorkloadBuilder): number {
  const r = w.random.next();
  if (r < 0.7) return w.random.int(1, 48);
  if (r < 0.95) return w.random.int(49, 1024);
  return w.random.int(1025, 32768);
}

export const espresso: Workload = {
  name: 'espresso',
  modelledOn: 'espresso (Johnstone & Wilson; mimalloc-bench espresso)',
  stresses: 'many size classes at once, mixed lifetimes, splitting and coalescing across sizes',
  generate({ events, seed = DEFAULT_SEED }: WorkloadOptions) {
    const w = new WorkloadBuilder(events, seed);
    // Blocks die at a step drawn when they are born: a min-heap on death step.
    const deathStep: number[] = [];
    const deathId: number[] = [];
    const push = (step: number, id: number) => {
      let index = deathStep.length;
      deathStep.push(step);
      deathId.push(id);
      while (index > 0) {
        const parent = Math.floor((index - 1) / 2);
        if (deathStep[parent]! <= step) break;
        deathStep[index] = deathStep[parent]!;
        deathId[index] = deathId[parent]!;
        index = parent;
      }
      deathStep[index] = step;
      deathId[index] = id;
    };
    const pop = (): number => {
      const id = deathId[0]!;
      const lastStep = deathStep.pop()!;
      const lastId = deathId.pop()!;
      if (deathStep.length > 0) {
        let index = 0;
        for (;;) {
          const left = 2 * index + 1;
          if (left >= deathStep.length) break;
          const right = left + 1;
          const child = right < deathStep.length && deathStep[right]! < deathStep[left]! ? right : left;
          if (deathStep[child]! >= lastStep) break;
          deathStep[index] = deathStep[child]!;
          deathId[index] = deathId[child]!;
          index = child;
        }
        deathStep[index] = lastStep;
        deathId[index] = lastId;
      }
      return id;
    };
    let step = 0;
    while (!w.full) {
      step++;
      while (deathStep.length > 0 && deathStep[0]! <= step) w.free(pop());
      const id = w.alloc(mixedSize(w));
      const r = w.random.next();
      const lifetime = r < 0.6 ? w.random.exponential(8) : r < 0.95 ? w.random.exponential(400) : w.random.exponential(20000);
      if (w.random.chance(0.03)) w.realloc(id, Math.min(65536, w.trace.sizeOf(id) * 2 + 8));
      push(step + lifetime, id);
    }
    return w.finish('espresso');
  },
};

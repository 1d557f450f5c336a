// cfrac-like small churn (mimalloc-bench `cfrac`: continued-fraction factoring with a bignum library):
// short-lived 8-64-byte numbers allocated and freed in nearly stack order, a few kept longer.
import { DEFAULT_SEED, type Workload, WorkloadBuilder, type WorkloadOptions } from './workload';

export const cfrac: Workload = {
  name: 'cfrac',
  modelledOn: 'mimalloc-bench cfrac',
  stresses: 'small size classes and the alloc/free fast path, LIFO reuse of just-freed blocks',
  generate({ events, seed = DEFAULT_SEED }: WorkloadOptions) {
    const w = new WorkloadBuilder(events, seed);
    const stack: number[] = [];
    const kept: number[] = [];
    while (!w.full) {
      const depth = stack.length;
      if (depth < 4 || (depth < 64 && w.random.chance(0.52))) {
        // Bignum sizes: a header plus a few 32-bit digits.
        stack.push(w.alloc(8 + 4 * w.random.int(1, 14)));
      } else if (w.random.chance(0.04)) {
        kept.push(stack.pop()!);
        if (kept.length > 256) w.free(kept.splice(w.random.int(0, kept.length - 1), 1)[0]!);
      } else {
        w.free(stack.pop()!);
      }
    }
    return w.finish('cfrac');
  },
};

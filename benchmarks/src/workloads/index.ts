// The registry of synthetic workloads, in report order.
import { cfrac } from './cfrac';
import { espresso } from './espresso';
import { glibcSimple } from './glibcSimple';
import { larson } from './larson';
import { reallocGrowth } from './reallocGrowth';
import type { Workload } from './workload';
import { xmalloc } from './xmalloc';

export const workloads: readonly Workload[] = [cfrac, larson, xmalloc, espresso, glibcSimple, reallocGrowth];

export function findWorkload(name: string): Workload | undefined {
  return workloads.find((workload) => workload.name === name);
}

export { cfrac, espresso, glibcSimple, larson, reallocGrowth, xmalloc };
export { DEFAULT_SEED, type Workload, WorkloadBuilder, type WorkloadOptions } from './workload';

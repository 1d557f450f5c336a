// What a synthetic workload is: a named, seeded generator of an event stream that the replayer runs
// like a recorded trace, with what it models and what it stresses (for the README and the report).
import { IdPool } from '../idPool';
import { Prng } from '../prng';
import { type Trace, TraceBuilder } from '../trace';

export interface WorkloadOptions {
  /** About how many events to generate (the generator stops at the first step past it). */
  events: number;
  seed?: number;
}

export interface Workload {
  name: string;
  /** The known benchmark it is modelled on. */
  modelledOn: string;
  stresses: string;
  generate(options: WorkloadOptions): Trace;
}

export const DEFAULT_SEED = 0x5eed;

/** A builder with an id pool and a PRNG: the common kit of every generator. */
export class WorkloadBuilder {
  readonly trace = new TraceBuilder();
  readonly ids = new IdPool();
  readonly random: Prng;
  constructor(
    readonly limit: number,
    seed: number,
  ) {
    this.random = new Prng(seed);
  }
  get full(): boolean {
    return this.trace.events >= this.limit;
  }
  alloc(size: number, align = 0): number {
    const id = this.ids.take();
    this.trace.alloc(id, size, align);
    return id;
  }
  realloc(id: number, size: number): void {
    this.trace.realloc(id, size);
  }
  free(id: number): void {
    this.trace.free(id);
    this.ids.give(id);
  }
  finish(name: string): Trace {
    return this.trace.toTrace(name);
  }
}

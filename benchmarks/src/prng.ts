// A seeded pseudo-random generator (mulberry32) so synthetic workloads are the same on every run.
// Its state is a 32-bit integer by design, so 32-bit integer operations are exact here.

export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** An integer near `mean`, exponentially distributed, at least 1. */
  exponential(mean: number): number {
    return 1 + Math.floor(-Math.log(1 - this.next()) * mean);
  }
}

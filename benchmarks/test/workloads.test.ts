// Synthetic workloads: deterministic per seed, valid event streams, the shapes they claim.
import { describe, expect, it } from 'vitest';
import { OP_ALLOC, OP_REALLOC, type Trace, TraceBuilder, workloads } from '../src/index';

function events(trace: Trace): number[] {
  const flat: number[] = [];
  for (const chunk of trace.chunks) {
    for (let index = 0; index < chunk.count; index++) flat.push(chunk.op[index]!, chunk.id[index]!, chunk.size[index]!);
  }
  return flat;
}

/** Rebuilds the trace through a TraceBuilder, which throws on any event the format forbids. */
function revalidate(trace: Trace): TraceBuilder {
  const builder = new TraceBuilder();
  for (const chunk of trace.chunks) {
    for (let index = 0; index < chunk.count; index++) {
      const id = chunk.id[index]!;
      if (chunk.op[index] === OP_ALLOC) builder.alloc(id, chunk.size[index]!, chunk.align[index]!);
      else if (chunk.op[index] === OP_REALLOC) builder.realloc(id, chunk.size[index]!);
      else builder.free(id);
    }
  }
  return builder;
}

describe.each(workloads.map((w) => [w.name, w] as const))('workload %s', (_, workload) => {
  it('is the same for the same seed and differs for another', () => {
    const first = workload.generate({ events: 4000, seed: 1 });
    const again = workload.generate({ events: 4000, seed: 1 });
    const other = workload.generate({ events: 4000, seed: 2 });
    expect(events(again)).toEqual(events(first));
    expect(events(other)).not.toEqual(events(first));
  });

  it('produces a valid stream of about the requested length', () => {
    const trace = workload.generate({ events: 5000 });
    expect(trace.events).toBeGreaterThanOrEqual(5000);
    expect(trace.events).toBeLessThan(5000 + 2100);
    const rebuilt = revalidate(trace);
    expect(rebuilt.peakLiveBytes).toBe(trace.peakLiveBytes);
    expect(trace.header.events).toBe(trace.events);
    expect(trace.name).toBe(workload.name);
  });
});

describe('workload shapes', () => {
  const find = (name: string) => workloads.find((w) => w.name === name)!;
  const opCount = (trace: Trace, op: number) => trace.chunks.reduce((n, c) => n + c.op.subarray(0, c.count).filter((o) => o === op).length, 0);

  it('realloc-growth is mostly reallocs; cfrac has none', () => {
    const growth = find('realloc-growth').generate({ events: 5000 });
    expect(opCount(growth, OP_REALLOC) / growth.events).toBeGreaterThan(0.4);
    expect(opCount(find('cfrac').generate({ events: 5000 }), OP_REALLOC)).toBe(0);
  });

  it('cfrac allocates only small blocks; espresso also large ones', () => {
    const max = (trace: Trace) => Math.max(...trace.chunks.map((c) => Math.max(...c.size.subarray(0, c.count))));
    expect(max(find('cfrac').generate({ events: 5000 }))).toBeLessThanOrEqual(64);
    expect(max(find('espresso').generate({ events: 20000 }))).toBeGreaterThan(4096);
  });

  it('larson keeps a steady live set of 4000 blocks', () => {
    const trace = find('larson').generate({ events: 10000 });
    expect(trace.idCount).toBeGreaterThanOrEqual(4000);
    expect(trace.idCount).toBeLessThanOrEqual(4001);
  });
});

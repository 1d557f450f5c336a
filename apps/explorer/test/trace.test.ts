// The page's mtrace reader and sliced replay: lines split anywhere across chunks parse the same, and a
// replay of the real sqlite3 trace (gunzipped by DecompressionStream, as in the browser) leaves the
// heap with exactly the live bytes the trace says.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeHeap } from '../src/heap-view';
import { replayInSlices } from '../src/replay-driver';
import { Simulation } from '../src/simulation';
import { MtraceParser, OP_ALLOC, OP_FREE, OP_REALLOC, traceBytes } from '../src/trace';

const SAMPLE = '# mtrace v1\n# program: sample\n# events: 5\n# peak-live-bytes: 300\na 0 100\na 1 200 64\nr 0 150\nf 1\r\nf 0';

function parseAll(chunks: Uint8Array[]): { ops: number[]; ids: number[]; sizes: number[]; program: string; events: number | undefined } {
  const parser = new MtraceParser();
  for (const chunk of chunks) parser.feed(chunk);
  parser.end();
  const p = parser.pending;
  return { ops: [...p.ops.subarray(0, p.count)], ids: [...p.ids.subarray(0, p.count)], sizes: [...p.sizes.subarray(0, p.count)], program: parser.header.program, events: parser.header.events };
}

const traceFile = fileURLToPath(new URL('../../../benchmarks/traces/sqlite3.mtrace.gz', import.meta.url));

describe('MtraceParser', () => {
  it('parses header and events, whatever the chunk boundaries (property)', () => {
    const bytes = new TextEncoder().encode(SAMPLE);
    const whole = parseAll([bytes]);
    expect(whole).toEqual({
      ops: [OP_ALLOC, OP_ALLOC, OP_REALLOC, OP_FREE, OP_FREE],
      ids: [0, 1, 0, 1, 0],
      sizes: [100, 200, 150, 0, 0],
      program: 'sample',
      events: 5,
    });
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
        const chunks = points.slice(1).map((end, index) => bytes.slice(points[index], end));
        expect(parseAll(chunks)).toEqual(whole);
      }),
    );
  });

  it('refuses what is not an mtrace v1 file and names the bad line', () => {
    expect(() => parseAll([new TextEncoder().encode('hello\n')])).toThrow(/mtrace/);
    expect(() => parseAll([new TextEncoder().encode('# mtrace v1\na 1\n')])).toThrow(/line 2/);
    expect(() => parseAll([new TextEncoder().encode('# mtrace v1\nx 1 2\n')])).toThrow(/line 2/);
  });
});

describe('replayInSlices', () => {
  it('replays a prefix of sqlite3 through HeapAlloc/HeapReAlloc/HeapFree in slices', async () => {
    const sim = new Simulation();
    const heap = sim.k.GetProcessHeap();
    const before = describeHeap(sim.k, heap).figures.liveBytes;
    const body = Readable.toWeb(createReadStream(traceFile)) as unknown as ReadableStream<Uint8Array>;
    const seen: number[] = [];
    let yields = 0;
    const progress = await replayInSlices(sim.k, traceBytes(body), {
      sliceMs: 2,
      limit: 60_000,
      onUpdate: (p) => seen.push(p.events),
      yieldToPage: async () => {
        yields++;
      },
    });
    expect(progress.header.program).toBe('sqlite3');
    expect(progress.header.events).toBe(1_575_042);
    expect(progress.events).toBe(60_000);
    expect(progress.failures).toBe(0);
    expect(progress.done).toBe(true);
    expect(yields).toBeGreaterThan(0);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]!);
    const after = describeHeap(sim.k, heap);
    expect(after.valid).toBe(true);
    expect(after.figures.liveBytes - before).toBe(progress.liveBytes);
    expect(progress.peakLiveBytes).toBeGreaterThanOrEqual(progress.liveBytes);
  });
});

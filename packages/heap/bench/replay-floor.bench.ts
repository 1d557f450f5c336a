// The floor under any JavaScript allocator on the real traces: the replay loop alone, with a bump
// pointer instead of an allocator (no headers, no free lists), writing one byte per block as the native
// figures were taken, into a 1 MiB arena that wraps around and so stays in cache (a lower bound). An allocator's ns per event can only be this plus its own cost; the native
// figures in ../shared/traces/README.md (fastest: 3.9 / 5.6 / 7.0 ns) are shown beside it.
// Run: pnpm --filter @mem/heap bench:floor
import { EVENT_ALLOC, EVENT_RESIZE, readTrace, TRACE_NAMES, type Trace } from '../test/support/traces';

const FASTEST_NATIVE: Record<string, number> = { sqlite3: 3.9, 'python3-json': 5.6, 'jq-transform': 7.0 };
const ARENA = 1 << 20;

/** One replay with a bump pointer over `bytes`; returns CPU nanoseconds per event. */
function bumpReplay(trace: Trace, bytes: Uint8Array): number {
  const pointers = new Float64Array(trace.maxId + 1);
  const kinds = trace.kind;
  const ids = trace.id;
  const sizes = trace.size;
  let top = 16;
  const start = process.cpuUsage();
  for (let event = 0; event < trace.count; event++) {
    const kind = kinds[event] as number;
    const id = ids[event] as number;
    if (kind === EVENT_ALLOC || kind === EVENT_RESIZE) {
      const pointer = top;
      top = (top + (sizes[event] as number) + 31) & ~15;
      if (top > ARENA) top = 16;
      pointers[id] = pointer;
      bytes[pointer] = id;
    } else {
      pointers[id] = 0;
    }
  }
  const used = process.cpuUsage(start);
  if (pointers.length === 0) throw new Error('unreachable: keeps the table alive');
  return ((used.user + used.system) * 1000) / trace.count;
}

const rows: Record<string, string>[] = [];
const bytes = new Uint8Array(ARENA + 1);
for (const name of TRACE_NAMES) {
  const trace = await readTrace(name);
  let best = Number.POSITIVE_INFINITY;
  // the first run pays the host's page faults on the arena; the best of the next five is the floor
  for (let run = 0; run < 6; run++) {
    const ns = bumpReplay(trace, bytes);
    if (run > 0) best = Math.min(best, ns);
  }
  const native = FASTEST_NATIVE[name] as number;
  rows.push({
    trace: name,
    'replay loop alone (ns/event)': best.toFixed(1),
    'fastest native': native.toFixed(1),
    '2x fastest native': (2 * native).toFixed(1),
    'left for an allocator': (2 * native - best).toFixed(1),
  });
}
console.log('The replay loop with a bump pointer and one byte written per block (CPU time, best of 5 after a warm-up)');
console.table(rows);

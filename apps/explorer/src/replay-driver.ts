// Runs a trace replay in slices: parse what the decompressor produced, replay events for at most
// `sliceMs`, let the page draw, yield, repeat. Every synchronous stretch it runs (parsing a chunk, one
// slice with its update) is timed, and the longest is reported: the page's responsiveness figure.
import type { Kernel32 } from '@mem/kernel32';
import { HeapReplayer, MtraceParser, type TraceHeader } from './trace';

export interface ReplayProgress {
  header: TraceHeader;
  events: number;
  liveBytes: number;
  peakLiveBytes: number;
  failures: number;
  done: boolean;
  /** Synchronous stretches run so far (parses and slices). */
  updates: number;
  /** Longest synchronous stretch, ms (a slice's replay plus the page update it triggered). */
  maxUpdateMs: number;
  /** Longest stretch spent parsing one decompressed chunk, ms (included in maxUpdateMs). */
  maxParseMs: number;
  /** The five longest stretches: what ran ('parse' or 'slice'), how long (ms), events replayed by then. */
  longest: { kind: string; ms: number; events: number; updateMs: number }[];
}

export interface ReplayOptions {
  /** Replay work per slice before the page updates, ms. */
  sliceMs?: number;
  /** Called after each slice (and once at the end); the page redraws here. Its time counts in the slice. */
  onUpdate?: (progress: ReplayProgress) => void;
  /** Lets the page run (paint, input) between slices. */
  yieldToPage?: () => Promise<void>;
  now?: () => number;
  /** Stop after this many events. */
  limit?: number;
  /** Checked between slices: true stops the replay. */
  cancelled?: () => boolean;
}

/** Events between clock checks: small, since one event may copy a 16 MiB block (a realloc chain in sqlite3). */
const EVENTS_PER_CHECK = 16;
/** Bytes of trace text parsed in one stretch (about 8,000 events). */
const PARSE_BYTES = 64 * 1024;

export async function replayInSlices(k: Kernel32, bytes: AsyncIterable<Uint8Array>, options: ReplayOptions = {}): Promise<ReplayProgress> {
  const sliceMs = options.sliceMs ?? 12;
  const now = options.now ?? (() => performance.now());
  const yieldToPage = options.yieldToPage ?? (() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const parser = new MtraceParser();
  const replayer = new HeapReplayer(k);
  const progress: ReplayProgress = {
    header: parser.header,
    events: 0,
    liveBytes: 0,
    peakLiveBytes: 0,
    failures: 0,
    done: false,
    updates: 0,
    maxUpdateMs: 0,
    maxParseMs: 0,
    longest: [],
  };
  const record = (started: number, kind = 'parse', updateMs = 0) => {
    const ms = now() - started;
    progress.updates++;
    progress.maxUpdateMs = Math.max(progress.maxUpdateMs, ms);
    const longest = progress.longest;
    if (longest.length < 5 || ms > longest[4]!.ms) {
      longest.push({ kind, ms, events: progress.events, updateMs });
      longest.sort((a, b) => b.ms - a.ms);
      if (longest.length > 5) longest.pop();
    }
  };
  const iterator = bytes[Symbol.asyncIterator]();
  const pending = parser.pending;
  let cursor = 0;
  let streamDone = false;
  let buffer: Uint8Array = new Uint8Array(0);
  let offset = 0;
  for (;;) {
    if (options.cancelled?.() === true) break;
    if (cursor >= pending.count) {
      pending.count = 0;
      cursor = 0;
      // parse at most PARSE_BYTES per stretch: the decompressor may hand out large chunks
      while (pending.count === 0 && !streamDone) {
        if (offset >= buffer.length) {
          const next = await iterator.next();
          if (next.done === true) {
            const started = now();
            parser.end();
            streamDone = true;
            record(started);
            break;
          }
          buffer = next.value;
          offset = 0;
        }
        const started = now();
        const end = Math.min(buffer.length, offset + PARSE_BYTES);
        parser.feed(buffer.subarray(offset, end));
        offset = end;
        record(started);
        progress.maxParseMs = Math.max(progress.maxParseMs, now() - started);
      }
      if (pending.count === 0) break;
    }
    const started = now();
    do {
      const end = Math.min(pending.count, cursor + EVENTS_PER_CHECK, cursor + limit - replayer.events);
      cursor = replayer.run(pending, cursor, end);
    } while (cursor < pending.count && replayer.events < limit && now() - started < sliceMs);
    progress.events = replayer.events;
    progress.liveBytes = replayer.liveBytes;
    progress.peakLiveBytes = replayer.peakLiveBytes;
    progress.failures = replayer.failures;
    const updateStarted = now();
    options.onUpdate?.(progress);
    record(started, 'slice', now() - updateStarted);
    if (replayer.events >= limit) break;
    await yieldToPage();
  }
  progress.done = true;
  const started = now();
  options.onUpdate?.(progress);
  record(started);
  return progress;
}

// The replayer: runs a trace through any Allocator, checking block contents (see blockPattern.ts),
// timing the event loop only (the trace is already parsed into typed arrays), tracking peak live
// bytes itself and peak committed bytes from the allocator's stats, and stopping at a time budget.
import type { Allocator } from '@mem/heap';
import { BlockPattern, type CheckMode, patternSeed } from './blockPattern';
import { CLOCK_CHECK_EVENTS, MAX_REPORTED_ERRORS, OP_ALLOC, OP_REALLOC } from './constants';
import type { Trace } from './trace';

export interface ReplayOptions {
  /** Content checks (default `prefix`). */
  check?: CheckMode;
  /** Stop after this many seconds of replaying and report the events completed (default: none). */
  budgetSeconds?: number;
  /** Sample live and committed bytes every this many events (0: never). */
  sampleEvery?: number;
  /** Called with the number of events done, at each clock check. */
  onProgress?: (eventsDone: number) => void;
}

/** What counts as an error: the allocator broke a block, misaligned it, or threw. Running out of memory is a stop, not an error. */
export type ReplayErrorKind = 'corrupted' | 'misaligned' | 'threw';

export interface ReplayError {
  kind: ReplayErrorKind;
  /** Index of the event (0-based) at which it was found. */
  event: number;
  id: number;
  message: string;
}

export interface ReplaySamples {
  event: number[];
  liveBytes: number[];
  committedBytes: number[];
}

export type StopReason = 'budget' | 'out-of-memory' | 'threw';

export interface ReplayResult {
  trace: string;
  strategy: string;
  events: number;
  completedEvents: number;
  complete: boolean;
  stopReason: StopReason | undefined;
  /** Why the run stopped early, in words. */
  stopMessage: string | undefined;
  check: CheckMode;
  /** Wall time of the event loop. */
  elapsedMs: number;
  nsPerEvent: number;
  peakLiveBytes: number;
  peakCommittedBytes: number;
  /** peakCommittedBytes / peakLiveBytes. */
  footprint: number;
  errorCount: number;
  errors: ReplayError[];
  samples: ReplaySamples | undefined;
}

/** Per-run tables indexed by block id. */
interface BlockTable {
  pointer: Float64Array;
  size: Float64Array;
  generation: Uint32Array;
}

class ReplayStop extends Error {}

/** Replays `trace` through `allocator` once. The allocator should be fresh. */
export function replay(trace: Trace, allocator: Allocator, options: ReplayOptions = {}): ReplayResult {
  const check = options.check ?? 'prefix';
  const pattern = new BlockPattern(allocator, check);
  const blocks: BlockTable = {
    pointer: new Float64Array(trace.idCount),
    size: new Float64Array(trace.idCount),
    generation: new Uint32Array(trace.idCount),
  };
  const errors: ReplayError[] = [];
  let errorCount = 0;
  const report = (kind: ReplayErrorKind, event: number, id: number, message: string): void => {
    errorCount++;
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ kind, event, id, message });
  };
  const budgetMs = (options.budgetSeconds ?? Number.POSITIVE_INFINITY) * 1000;
  const sampleEvery = options.sampleEvery ?? 0;
  const samples: ReplaySamples | undefined =
    sampleEvery > 0 ? { event: [0], liveBytes: [0], committedBytes: [allocator.stats().committedBytes] } : undefined;
  const onProgress = options.onProgress;

  let done = 0;
  let liveBytes = 0;
  let peakLiveBytes = 0;
  let stopReason: StopReason | undefined;
  let stopMessage: string | undefined;
  let untilClock = CLOCK_CHECK_EVENTS;
  let untilSample = sampleEvery > 0 ? sampleEvery : Number.POSITIVE_INFINITY;
  const pointers = blocks.pointer;
  const sizes = blocks.size;
  const generations = blocks.generation;
  // Timed runs in `touch` mode over a flat buffer write their one byte straight into it, and `touch` and
  // `none` check nothing on resize and free: the loop then costs the allocator and little else.
  const touchBytes = check === 'touch' ? allocator.bytes : undefined;
  const verifies = check === 'prefix' || check === 'full';

  const start = performance.now();
  try {
    for (const chunk of trace.chunks) {
      const ops = chunk.op;
      const ids = chunk.id;
      const eventSizes = chunk.size;
      const aligns = chunk.align;
      const count = chunk.count;
      for (let index = 0; index < count; index++) {
        const op = ops[index]!;
        const id = ids[index]!;
        if (op === OP_ALLOC) {
          const size = eventSizes[index]!;
          const align = aligns[index]!;
          const pointer = align === 0 ? allocator.alloc(size) : allocator.alloc(size, align);
          if (pointer === 0 && size > 0) {
            stopMessage = `alloc(${size}) returned 0 with ${liveBytes} bytes live`;
            stopReason = 'out-of-memory';
            throw new ReplayStop();
          }
          if (align !== 0 && pointer % align !== 0) {
            report('misaligned', done, id, `alloc(${size}, ${align}) returned ${pointer}, not aligned to ${align}`);
          }
          const generation = generations[id]! + 1;
          generations[id] = generation;
          pointers[id] = pointer;
          sizes[id] = size;
          liveBytes += size;
          if (liveBytes > peakLiveBytes) peakLiveBytes = liveBytes;
          if (touchBytes === undefined) pattern.write(patternSeed(id, generation), pointer, size);
          else if (size !== 0) touchBytes[pointer] = generation;
        } else if (op === OP_REALLOC) {
          const size = eventSizes[index]!;
          const oldPointer = pointers[id]!;
          const oldSize = sizes[id]!;
          const seed = patternSeed(id, generations[id]!);
          let bad = verifies ? pattern.verify(seed, oldPointer, oldSize, oldSize) : -1;
          if (bad >= 0) report('corrupted', done, id, corruptMessage(id, oldPointer, bad, 'before resize'));
          const pointer = oldPointer === 0 ? allocator.alloc(size) : allocator.realloc(oldPointer, size);
          if (pointer === 0 && size > 0) {
            stopMessage = `realloc(${oldPointer}, ${size}) returned 0 with ${liveBytes} bytes live`;
            stopReason = 'out-of-memory';
            throw new ReplayStop();
          }
          bad = verifies ? pattern.verify(seed, pointer, oldSize, Math.min(size, oldSize)) : -1;
          if (bad >= 0) report('corrupted', done, id, corruptMessage(id, pointer, bad, 'data lost by realloc'));
          pointers[id] = pointer;
          sizes[id] = size;
          liveBytes += size - oldSize;
          if (liveBytes > peakLiveBytes) peakLiveBytes = liveBytes;
          pattern.write(seed, pointer, size);
        } else {
          const pointer = pointers[id]!;
          const size = sizes[id]!;
          if (verifies) {
            const bad = pattern.verify(patternSeed(id, generations[id]!), pointer, size, size);
            if (bad >= 0) report('corrupted', done, id, corruptMessage(id, pointer, bad, 'at free'));
          }
          if (pointer !== 0) allocator.free(pointer);
          pointers[id] = 0;
          liveBytes -= size;
        }
        done++;
        if (--untilSample === 0) {
          untilSample = sampleEvery;
          const stats = allocator.stats();
          samples!.event.push(done);
          samples!.liveBytes.push(liveBytes);
          samples!.committedBytes.push(stats.committedBytes);
        }
        if (--untilClock === 0) {
          untilClock = CLOCK_CHECK_EVENTS;
          if (onProgress !== undefined) onProgress(done);
          if (performance.now() - start > budgetMs) {
            stopReason = 'budget';
            stopMessage = `time budget of ${budgetMs / 1000} s spent after ${done} events`;
            throw new ReplayStop();
          }
        }
      }
    }
  } catch (error) {
    if (!(error instanceof ReplayStop)) {
      const message = error instanceof Error ? error.message : String(error);
      stopMessage = `allocator threw at event ${done}: ${message}`;
      report('threw', done, -1, stopMessage);
      stopReason = 'threw';
    }
  }
  const elapsedMs = performance.now() - start;

  // Untimed: every block still live must still hold its pattern.
  if (check === 'prefix' || check === 'full') {
    for (let id = 0; id < trace.idCount; id++) {
      const pointer = pointers[id]!;
      if (pointer === 0) continue;
      const bad = pattern.verify(patternSeed(id, generations[id]!), pointer, sizes[id]!, sizes[id]!);
      if (bad >= 0) report('corrupted', done, id, corruptMessage(id, pointer, bad, 'at the end of the run'));
    }
  }
  const stats = allocator.stats();
  if (samples !== undefined && samples.event[samples.event.length - 1] !== done) {
    samples.event.push(done);
    samples.liveBytes.push(liveBytes);
    samples.committedBytes.push(stats.committedBytes);
  }
  const peakCommittedBytes = stats.peakCommittedBytes;
  return {
    trace: trace.name,
    strategy: allocator.strategy,
    events: trace.events,
    completedEvents: done,
    complete: done === trace.events,
    stopReason,
    stopMessage,
    check,
    elapsedMs,
    nsPerEvent: done > 0 ? (elapsedMs * 1e6) / done : 0,
    peakLiveBytes,
    peakCommittedBytes,
    footprint: peakLiveBytes > 0 ? peakCommittedBytes / peakLiveBytes : 0,
    errorCount,
    errors,
    samples,
  };
}

function corruptMessage(id: number, pointer: number, offset: number, when: string): string {
  return `block ${id} at ${pointer}: byte ${offset} does not hold its pattern (${when})`;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

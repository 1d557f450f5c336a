// One measurement of a strategy on a trace: a checked run (content checks, samples of live and
// committed bytes, error count, peaks), then `runs - 1` timed runs that write one byte per block as
// the native figures were taken. ns per event is the median of the timed runs: the checked run's
// pattern writes and checks cost about as much as a fast allocator itself. With one run (or when the
// checked run found errors or stopped early) it is the checked run's.
import { type AllocatorSpec, createBenchAllocator } from './allocators';
import type { CheckMode } from './blockPattern';
import { median, type ReplayError, type ReplaySamples, replay, type StopReason } from './replay';
import type { Trace } from './trace';

export interface MeasureOptions {
  /** Runs (at least 1): the checked run and `runs - 1` timed ones, whose median is the figure. */
  runs: number;
  /** Content checks of the checked run. */
  check: CheckMode;
  /** Seconds each run may take before it stops (Infinity: none). */
  budgetSeconds: number;
  /** Samples of live and committed bytes during the checked run (0: none). */
  samples?: number;
  /** Called with events done so far in the current run. */
  onProgress?: (eventsDone: number) => void;
}

export interface Measurement {
  trace: string;
  strategy: string;
  geometry: AllocatorSpec['geometry'];
  backend: AllocatorSpec['backend'];
  events: number;
  completedEvents: number;
  complete: boolean;
  stopReason: StopReason | undefined;
  stopMessage: string | undefined;
  nsPerEvent: number;
  nsPerEventRuns: number[];
  peakLiveBytes: number;
  peakCommittedBytes: number;
  footprint: number;
  check: CheckMode;
  errorCount: number;
  errors: ReplayError[];
  samples: ReplaySamples | undefined;
}

export function measure(trace: Trace, spec: AllocatorSpec, options: MeasureOptions): Measurement {
  const budgetSeconds = options.budgetSeconds;
  const sampleEvery = options.samples ? Math.max(1, Math.ceil(trace.events / options.samples)) : 0;
  let first: ReturnType<typeof createBenchAllocator>;
  try {
    first = createBenchAllocator(spec);
  } catch (error) {
    return failedMeasurement(trace, spec, options.check, error);
  }
  const checked = replay(trace, first, {
    check: options.check,
    budgetSeconds,
    sampleEvery,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const timings: number[] = [checked.nsPerEvent];
  // A run that found errors or stopped early is not worth timing again.
  const healthy = checked.errorCount === 0 && checked.stopReason === undefined;
  while (healthy && timings.length < Math.max(1, options.runs)) {
    const timed = replay(trace, createBenchAllocator(spec), {
      check: 'touch',
      budgetSeconds,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    timings.push(timed.nsPerEvent);
  }
  return {
    trace: trace.name,
    strategy: spec.strategy,
    geometry: spec.geometry,
    backend: spec.backend,
    events: checked.events,
    completedEvents: checked.completedEvents,
    complete: checked.complete,
    stopReason: checked.stopReason,
    stopMessage: checked.stopMessage,
    nsPerEvent: timings.length > 1 ? median(timings.slice(1)) : (timings[0] as number),
    nsPerEventRuns: timings,
    peakLiveBytes: checked.peakLiveBytes,
    peakCommittedBytes: checked.peakCommittedBytes,
    footprint: checked.footprint,
    check: checked.check,
    errorCount: checked.errorCount,
    errors: checked.errors,
    samples: checked.samples,
  };
}

/** The measurement of a strategy that could not even be set up (reported, not thrown, so a compare goes on). */
function failedMeasurement(trace: Trace, spec: AllocatorSpec, check: CheckMode, error: unknown): Measurement {
  const message = `could not create the allocator: ${error instanceof Error ? error.message : String(error)}`;
  return {
    trace: trace.name,
    strategy: spec.strategy,
    geometry: spec.geometry,
    backend: spec.backend,
    events: trace.events,
    completedEvents: 0,
    complete: false,
    stopReason: 'threw',
    stopMessage: message,
    nsPerEvent: Number.NaN,
    nsPerEventRuns: [],
    peakLiveBytes: 0,
    peakCommittedBytes: 0,
    footprint: Number.NaN,
    check,
    errorCount: 1,
    errors: [{ kind: 'threw', event: 0, id: -1, message }],
    samples: undefined,
  };
}

// `mem-bench replay <trace>`: one strategy on one trace; with --json exactly one JSON object on stdout.
import {
  type Backend,
  type CheckMode,
  type Geometry,
  loadBackend,
  type Measurement,
  measure,
  strategyNames,
} from '@mem/benchmarks';
import { formatBytes, formatCount, formatNs, formatRatio } from './format';
import type { AppIO } from './io';
import { ProgressReporter } from './progress';
import { loadSource, resolveTraceSource } from './traceSources';

export interface ReplayCommandOptions {
  strategy: string;
  geometry: Geometry;
  backend: Backend;
  runs: number;
  budget: number;
  json: boolean;
  check: CheckMode;
  limit: number | undefined;
  events: number;
  memory: number | undefined;
  traces: string;
}

export interface ReplayReport extends Omit<Measurement, 'samples' | 'stopReason' | 'stopMessage'> {
  stopReason: Measurement['stopReason'] | null;
  stopMessage: string | null;
  runs: number;
  budgetSeconds: number;
  traceFile: string;
}

export async function replayCommand(traceArgument: string, options: ReplayCommandOptions, io: AppIO): Promise<number> {
  if (!strategyNames().includes(options.strategy)) {
    throw new Error(`unknown strategy "${options.strategy}" (known: ${strategyNames().join(', ')})`);
  }
  await loadBackend(options.backend);
  const source = resolveTraceSource(traceArgument, options.traces);
  const trace = await loadSource(source, { limit: options.limit, syntheticEvents: options.events });
  const progress = new ProgressReporter(io, !options.json);
  progress.start(trace.events * (options.runs + 1), `${options.strategy} on ${trace.name}`);
  let completedRuns = 0;
  let lastDone = 0;
  const measurement = measure(
    trace,
    {
      strategy: options.strategy,
      geometry: options.geometry,
      backend: options.backend,
      memoryBytes: options.memory ?? memoryFor(trace.peakLiveBytes),
    },
    {
      runs: options.runs,
      check: options.check,
      budgetSeconds: options.budget,
      onProgress: (done) => {
        if (done < lastDone) completedRuns++;
        lastDone = done;
        progress.update(completedRuns * trace.events + done);
      },
    },
  );
  progress.stop();
  const { samples: _samples, ...figures } = measurement;
  const report: ReplayReport = {
    ...figures,
    stopReason: figures.stopReason ?? null,
    stopMessage: figures.stopMessage ?? null,
    runs: options.runs,
    budgetSeconds: options.budget,
    traceFile: source.location,
  };
  if (options.json) {
    io.stdout(`${JSON.stringify(report)}\n`);
  } else {
    io.stdout(describe(report));
  }
  return report.errorCount > 0 ? 2 : 0;
}

/** Buffer size for a trace: 16 times its peak, at least 256 MiB (room for fragmenting peers), at most 1 GiB. */
export function memoryFor(peakLiveBytes: number): number {
  const wanted = Math.ceil((peakLiveBytes * 16) / 2 ** 20) * 2 ** 20;
  return Math.min(2 ** 30, Math.max(256 * 2 ** 20, wanted));
}

function describe(report: ReplayReport): string {
  const lines = [
    `trace        ${report.trace} (${formatCount(report.events)} events)`,
    `strategy     ${report.strategy} on ${report.geometry}, ${report.backend} backend`,
    `completed    ${formatCount(report.completedEvents)} events${report.complete ? '' : ` (incomplete: ${report.stopMessage})`}`,
    `ns per event ${formatNs(report.nsPerEvent)} (${timedRuns(report.nsPerEventRuns)})`,
    `peak live    ${formatBytes(report.peakLiveBytes)}`,
    `peak commit  ${formatBytes(report.peakCommittedBytes)}`,
    `footprint    ${formatRatio(report.footprint)} (peak committed / peak live)`,
    `checks       ${report.check}: ${report.errorCount} error(s)`,
    ...report.errors.map((error) => `  event ${error.event}: ${error.kind}: ${error.message}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** How the ns-per-event figure was taken: the timed runs' median, or the checked run alone. */
function timedRuns(runs: readonly number[]): string {
  if (runs.length <= 1) return 'the checked run alone';
  return `median of ${runs.length - 1} timed runs: ${runs.slice(1).map(formatNs).join(', ')}; checked run ${formatNs(runs[0] as number)}`;
}

// `mem-bench compare` (the default command): every strategy and the peer on every trace and synthetic
// workload under each geometry; prints the table and writes report/ (index.html, results.json,
// results.md).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type CheckMode,
  findWorkload,
  type Geometry,
  type Measurement,
  measure,
  type Trace,
  PEER_STRATEGY,
  strategyNames,
} from '@mem/benchmarks';
import type { CompareResults, TraceInfo } from './compareResults';
import { formatSeconds } from './format';
import type { AppIO } from './io';
import { machineInfo } from './machineInfo';
import { ProgressReporter } from './progress';
import { memoryFor } from './replayCommand';
import { renderHtml } from './reportHtml';
import { renderMarkdown } from './reportMarkdown';
import { renderTerminal, resultsTable, sideBySideTable } from './resultsTable';
import { listTraceFiles, loadSource, syntheticSources, type TraceSource } from './traceSources';

export interface CompareCommandOptions {
  quick: boolean;
  traces: string;
  out: string;
  runs: number | undefined;
  budget: number | undefined;
  peerBudget: number | undefined;
  limit: number | undefined;
  events: number | undefined;
  timeLimit: number | undefined;
  geometries: Geometry[];
  strategies: string[] | undefined;
  synthetic: boolean;
  check: CheckMode;
}

/** Defaults sized to finish under 5 minutes on 2 cores (and --quick under 1 minute). */
export const COMPARE_DEFAULTS = {
  full: { runs: 2, budget: 30, peerBudget: 2, limit: undefined, events: 200_000, timeLimit: 270 },
  quick: { runs: 1, budget: 4, peerBudget: 0.25, limit: 150_000, events: 40_000, timeLimit: 50 },
} as const;

/** Seconds a strategy's run gets at least, however late the plan runs. */
const MIN_RUN_BUDGET = 0.5;

/** Samples of live and committed bytes per replay, for the timeline charts. */
const TIMELINE_SAMPLES = 200;

export async function compareCommand(options: CompareCommandOptions, io: AppIO): Promise<CompareResults> {
  const started = performance.now();
  const defaults = options.quick ? COMPARE_DEFAULTS.quick : COMPARE_DEFAULTS.full;
  const runs = options.runs ?? defaults.runs;
  const budget = options.budget ?? defaults.budget;
  const peerBudget = options.peerBudget ?? defaults.peerBudget;
  const limit = options.limit ?? defaults.limit;
  const syntheticEvents = options.events ?? defaults.events;
  const deadline = started + (options.timeLimit ?? defaults.timeLimit) * 1000;
  const strategies = options.strategies ?? strategyNames();
  for (const strategy of strategies) {
    if (!strategyNames().includes(strategy)) {
      throw new Error(`unknown strategy "${strategy}" (known: ${strategyNames().join(', ')})`);
    }
  }
  const sources: TraceSource[] = [...listTraceFiles(options.traces), ...(options.synthetic ? syntheticSources() : [])];
  const total = sources.length * options.geometries.length * strategies.length;
  const progress = new ProgressReporter(io, true);
  progress.start(total, 'loading traces');
  const loaded: Trace[] = [];
  const traces: TraceInfo[] = [];
  for (const source of sources) {
    progress.update(0, `loading ${source.name}`);
    const trace = await loadSource(source, { limit, syntheticEvents });
    const workload = source.kind === 'synthetic' ? findWorkload(source.name) : undefined;
    loaded.push(trace);
    traces.push({
      name: trace.name,
      kind: source.kind,
      program: trace.header.program,
      events: trace.events,
      fileEvents: trace.header.events,
      peakLiveBytes: trace.peakLiveBytes,
      description: workload ? `${workload.modelledOn}: ${workload.stresses}` : `recorded run of ${trace.header.program}`,
    });
  }
  // The time plan: the peer gets its fixed budget; the strategies share what is left of the time
  // limit in proportion to their events, so a slow strategy is cut (and marked) instead of the run
  // overshooting. With fast strategies every budget exceeds what a run needs.
  const heapStrategyCount = strategies.filter((s) => s !== PEER_STRATEGY).length;
  const peerCount = strategies.length - heapStrategyCount;
  let remainingWeight = loaded.reduce((sum, trace) => sum + trace.events, 0) * options.geometries.length * heapStrategyCount;
  let remainingPeerRuns = loaded.length * options.geometries.length * peerCount;
  const results: Measurement[] = [];
  for (const trace of loaded) {
    for (const geometry of options.geometries) {
      for (const strategy of strategies) {
        progress.update(results.length, `${trace.name} ${geometry} ${strategy}`);
        let runBudget: number;
        if (strategy === PEER_STRATEGY) {
          runBudget = peerBudget;
          remainingPeerRuns--;
        } else {
          const left = (deadline - performance.now()) / 1000 - remainingPeerRuns * peerBudget * runs;
          const share = remainingWeight > 0 ? (left * trace.events) / remainingWeight : left;
          runBudget = Math.min(budget, Math.max(MIN_RUN_BUDGET, share / runs));
          remainingWeight -= trace.events;
        }
        results.push(
          measure(
            trace,
            { strategy, geometry, backend: 'buffer', memoryBytes: memoryFor(trace.peakLiveBytes) },
            { runs, check: options.check, budgetSeconds: runBudget, samples: TIMELINE_SAMPLES },
          ),
        );
      }
    }
  }
  progress.update(total, 'writing the report');
  progress.stop();
  const compare: CompareResults = {
    tool: 'mem-bench compare',
    machine: machineInfo(),
    settings: {
      quick: options.quick,
      runs,
      check: options.check,
      budgetSeconds: budget,
      timeLimitSeconds: options.timeLimit ?? defaults.timeLimit,
      peerBudgetSeconds: peerBudget,
      traceLimit: limit,
      syntheticEvents,
      geometries: options.geometries,
      strategies,
      tracesDir: options.traces,
    },
    durationMs: performance.now() - started,
    traces,
    results,
  };
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(compare, null, 1)}\n`);
  writeFileSync(join(out, 'results.md'), renderMarkdown(compare));
  writeFileSync(join(out, 'index.html'), renderHtml(compare));
  io.stdout(`${renderTerminal(resultsTable(compare))}\n\n`);
  io.stdout(`${renderTerminal(sideBySideTable(compare))}\n\n`);
  const errors = results.filter((m) => m.errorCount > 0);
  for (const m of errors) {
    io.stdout(`content errors: ${m.strategy} ${m.geometry} on ${m.trace}: ${m.errors[0]?.message ?? ''}\n`);
  }
  io.stdout(
    `* stopped early (budget or out of memory); ! content errors. Took ${formatSeconds(compare.durationMs)}. Report: ${join(out, 'index.html')}\n`,
  );
  return compare;
}

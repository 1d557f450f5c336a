// The data of a `compare` run: what was run, on what machine, and every measurement; the shape of
// results.json, from which the table, results.md and index.html are drawn.
import type { Geometry, Measurement } from '@mem/benchmarks';
import type { MachineInfo } from './machineInfo';

export interface CompareSettings {
  quick: boolean;
  runs: number;
  check: string;
  budgetSeconds: number;
  /** The whole compare aims to finish within this; strategies' budgets shrink to fit. */
  timeLimitSeconds: number;
  peerBudgetSeconds: number;
  traceLimit: number | undefined;
  syntheticEvents: number;
  geometries: Geometry[];
  strategies: string[];
  tracesDir: string;
}

export interface TraceInfo {
  name: string;
  kind: 'file' | 'synthetic';
  program: string;
  events: number;
  /** Events in the file (may exceed `events` when a prefix was replayed). */
  fileEvents: number | undefined;
  peakLiveBytes: number;
  description: string;
}

export interface CompareResults {
  tool: string;
  machine: MachineInfo;
  settings: CompareSettings;
  durationMs: number;
  traces: TraceInfo[];
  results: Measurement[];
}

export function findResult(
  results: CompareResults,
  trace: string,
  strategy: string,
  geometry: Geometry,
): Measurement | undefined {
  return results.results.find((m) => m.trace === trace && m.strategy === strategy && m.geometry === geometry);
}

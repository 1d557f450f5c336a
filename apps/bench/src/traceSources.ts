// Resolves what the app is asked to replay: a trace file, a trace name in the traces folder, or a
// synthetic workload; and lists a folder's traces for `compare`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findWorkload, loadTrace, type Trace, traceName, workloads } from '@mem/benchmarks';

export const TRACE_FILE_PATTERN = /\.mtrace(\.gz)?$/;

export interface TraceSource {
  name: string;
  kind: 'file' | 'synthetic';
  /** File path, or the workload name. */
  location: string;
}

export function listTraceFiles(directory: string): TraceSource[] {
  if (!existsSync(directory) || !statSync(directory).isDirectory()) throw new Error(`no traces folder ${directory}`);
  return readdirSync(directory)
    .filter((file) => TRACE_FILE_PATTERN.test(file))
    .sort()
    .map((file) => ({ name: file.replace(TRACE_FILE_PATTERN, ''), kind: 'file' as const, location: join(directory, file) }));
}

export function syntheticSources(): TraceSource[] {
  return workloads.map((workload) => ({ name: workload.name, kind: 'synthetic' as const, location: workload.name }));
}

/** A path to a trace file, a trace name in `tracesDir`, or a workload name. */
export function resolveTraceSource(argument: string, tracesDir: string): TraceSource {
  const path = resolve(argument);
  if (existsSync(path) && statSync(path).isFile()) return { name: traceName(path), kind: 'file', location: path };
  const named = listTraceFiles(tracesDir).find((source) => source.name === argument);
  if (named !== undefined) return named;
  if (findWorkload(argument) !== undefined) return { name: argument, kind: 'synthetic', location: argument };
  const known = [...listTraceFiles(tracesDir), ...syntheticSources()].map((source) => source.name).join(', ');
  throw new Error(`no trace "${argument}": not a file, nor one of ${known}`);
}

export interface LoadOptions {
  /** Events of a file trace to keep (a prefix), or undefined for all. */
  limit: number | undefined;
  /** Events a synthetic workload generates. */
  syntheticEvents: number;
}

export async function loadSource(source: TraceSource, options: LoadOptions): Promise<Trace> {
  if (source.kind === 'synthetic') {
    const workload = findWorkload(source.location);
    if (workload === undefined) throw new Error(`no workload ${source.location}`);
    return workload.generate({ events: options.syntheticEvents });
  }
  const trace = await loadTrace(source.location, options.limit === undefined ? {} : { limit: options.limit });
  return { ...trace, name: source.name.replace(TRACE_FILE_PATTERN, '') };
}

// The comparison as tables: one row per trace and strategy with x86 beside x64, and the native
// allocators' figures on the shared traces; rendered for the terminal (aligned) and as Markdown.
import { type CompareResults, findResult } from './compareResults';
import { formatNs, formatRatio } from './format';
import { NATIVE_ALLOCATORS, nativeFigures } from './nativeFigures';

export interface Table {
  header: string[];
  rows: string[][];
  /** Leading columns that hold text (left-aligned); the rest are figures. */
  textColumns: number;
}

/** `*` marks a figure from a run that stopped early (budget or out of memory); `!` a run with errors. */
function mark(complete: boolean, errors: number): string {
  return `${complete ? '' : '*'}${errors > 0 ? '!' : ''}`;
}

export function resultsTable(results: CompareResults): Table {
  const geometries = results.settings.geometries;
  const header = [
    'trace',
    'strategy',
    ...geometries.map((g) => `ns/event ${g}`),
    ...geometries.map((g) => `footprint ${g}`),
    'events done',
  ];
  const rows: string[][] = [];
  for (const trace of results.traces) {
    for (const strategy of results.settings.strategies) {
      const cells = geometries.map((g) => findResult(results, trace.name, strategy, g));
      const ns = cells.map((m) => (m ? formatNs(m.nsPerEvent) + mark(m.complete, m.errorCount) : '-'));
      const footprint = cells.map((m) => (m ? formatRatio(m.footprint) + mark(m.complete, m.errorCount) : '-'));
      const done = cells.map((m) => (m ? (m.complete ? 'all' : `${((100 * m.completedEvents) / m.events).toFixed(1)}%`) : '-'));
      rows.push([trace.name, strategy, ...ns, ...footprint, [...new Set(done)].join(' / ')]);
    }
  }
  return { header, rows, textColumns: 2 };
}

export function nativeTable(results: CompareResults): Table {
  const header = ['trace', ...NATIVE_ALLOCATORS.map((name) => `${name} ns`), ...NATIVE_ALLOCATORS.map((name) => `${name} fp`)];
  const rows: string[][] = [];
  for (const trace of results.traces) {
    const native = nativeFigures[trace.name];
    if (!native || trace.kind !== 'file') continue;
    rows.push([trace.name, ...native.nsPerEvent.map(formatNs), ...native.footprint.map(formatRatio)]);
  }
  return { header, rows, textColumns: 1 };
}

/** mem's strategies next to the natives: one row per trace and measure, one column per allocator (x64). */
export function sideBySideTable(results: CompareResults, geometry: 'x86' | 'x64' = 'x64'): Table {
  const strategies = results.settings.strategies;
  const header = ['trace', 'measure', ...strategies.map((s) => `${s} (${geometry})`), ...NATIVE_ALLOCATORS];
  const rows: string[][] = [];
  for (const trace of results.traces) {
    const native = nativeFigures[trace.name];
    if (!native || trace.kind !== 'file') continue;
    const cells = strategies.map((s) => findResult(results, trace.name, s, geometry));
    rows.push([
      trace.name,
      'footprint / live',
      ...cells.map((m) => (m ? formatRatio(m.footprint) + mark(m.complete, m.errorCount) : '-')),
      ...native.footprint.map(formatRatio),
    ]);
    rows.push([
      trace.name,
      'ns per event',
      ...cells.map((m) => (m ? formatNs(m.nsPerEvent) + mark(m.complete, m.errorCount) : '-')),
      ...native.nsPerEvent.map(formatNs),
    ]);
  }
  return { header, rows, textColumns: 2 };
}

export function renderTerminal(table: Table): string {
  const widths = table.header.map((cell, column) =>
    Math.max(cell.length, ...table.rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column < table.textColumns ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(table.header), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)].join('\n');
}

export function renderMarkdown(table: Table): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const align = table.header.map((_, column) => (column < table.textColumns ? '---' : '---:'));
  return [line(table.header), line(align), ...table.rows.map(line)].join('\n');
}

// results.md: the comparison tables in Markdown, with the machine and settings they were taken with.
import type { CompareResults } from './compareResults';
import { formatBytes, formatCount, formatSeconds } from './format';
import { nativeTable, renderMarkdown as table, resultsTable, sideBySideTable } from './resultsTable';

export function renderMarkdown(results: CompareResults): string {
  const { machine, settings } = results;
  const traces = results.traces.map(
    (t) => `| ${t.name} | ${t.kind} | ${formatCount(t.events)} | ${formatBytes(t.peakLiveBytes)} | ${t.description} |`,
  );
  return [
    '# mem-bench compare',
    '',
    `${machine.date}; Node ${machine.node}; ${machine.cpuModel} × ${machine.cores}; ${machine.platform}; took ${formatSeconds(results.durationMs)}${settings.quick ? ' (--quick)' : ''}.`,
    '',
    `Runs per figure: ${settings.runs}; the first checks block contents (${settings.check}) and gives the peaks, the others write one byte per block and give ns per event (their median; the checked run's with one run). Budget per run: up to ${settings.budgetSeconds} s (shared out to finish within ${settings.timeLimitSeconds} s); thi.ng/malloc ${settings.peerBudgetSeconds} s. Footprint = peak committed / peak live. \`*\` = stopped early (figures cover the events completed); \`!\` = content errors.`,
    '',
    '## All figures',
    '',
    table(resultsTable(results)),
    '',
    '## Beside the native allocators (x64)',
    '',
    table(sideBySideTable(results)),
    '',
    table(nativeTable(results)),
    '',
    '## Traces and workloads',
    '',
    '| name | kind | events | peak live | what |',
    '| --- | --- | ---: | ---: | --- |',
    ...traces,
    '',
  ].join('\n');
}

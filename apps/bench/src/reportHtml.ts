// The report page: index.html with Chart.js inlined from node_modules (works offline as a file).
// Charts: ns per event and footprint per strategy for every trace (x86 beside x64), and live and
// committed bytes over one replay per strategy. Tables repeat the figures with the native ones.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { CompareResults } from './compareResults';
import { formatBytes, formatCount, formatSeconds } from './format';
import { nativeTable, resultsTable, sideBySideTable, type Table } from './resultsTable';

/** The Chart.js UMD bundle's text. */
export function chartJsBundle(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('chart.js'); // dist/chart.cjs
  return readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028|\u2029/g, '');
}

function htmlTable(table: Table): string {
  const head = table.header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('');
  const body = table.rows
    .map((row) => `<tr>${row.map((cell, column) => `<td class="${column < table.textColumns ? 'text' : 'num'}">${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** What the page's script needs: figures per trace, strategy and geometry, and samples. */
function chartData(results: CompareResults) {
  return {
    strategies: results.settings.strategies,
    geometries: results.settings.geometries,
    traces: results.traces.map((trace) => ({ name: trace.name, kind: trace.kind, events: trace.events })),
    results: results.results.map((m) => ({
      trace: m.trace,
      strategy: m.strategy,
      geometry: m.geometry,
      nsPerEvent: m.nsPerEvent,
      footprint: m.footprint,
      complete: m.complete,
      completedEvents: m.completedEvents,
      errorCount: m.errorCount,
      samples: m.samples ?? null,
    })),
  };
}

const PAGE_SCRIPT = `
const data = JSON.parse(document.getElementById('data').textContent);
const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const geometryColors = { x86: '#4c78a8', x64: '#f58518', ia64: '#54a24b' };
const find = (trace, strategy, geometry) =>
  data.results.find((r) => r.trace === trace && r.strategy === strategy && r.geometry === geometry);
const label = (strategy, trace) => {
  const partial = data.geometries.some((g) => { const r = find(trace, strategy, g); return r && !r.complete; });
  return partial ? strategy + ' *' : strategy;
};
Chart.defaults.animation = false;
Chart.defaults.font.size = 11;
function bars(container, trace, metric, title, logarithmic) {
  const canvas = document.createElement('canvas');
  const box = document.createElement('div');
  box.className = 'chart';
  box.appendChild(canvas);
  container.appendChild(box);
  // A log axis starts where it is told: low enough that the smallest bar still shows.
  const values = data.results.filter((r) => r.trace === trace.name && Number.isFinite(r[metric]) && r[metric] > 0).map((r) => r[metric]);
  const smallest = values.length ? Math.min(...values) : 1;
  const axisMin = metric === 'footprint' ? Math.min(smallest, 1) * 0.8 : Math.pow(10, Math.floor(Math.log10(smallest)));
  new Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.strategies.map((s) => label(s, trace.name)),
      datasets: data.geometries.map((g) => ({
        label: g,
        // Runs that stopped early are drawn pale: their figures cover only the events completed.
        backgroundColor: data.strategies.map((s) => { const r = find(trace.name, s, g); return r && !r.complete ? geometryColors[g] + '55' : geometryColors[g]; }),
        borderColor: geometryColors[g],
        borderWidth: data.strategies.map((s) => { const r = find(trace.name, s, g); return r && !r.complete ? 1 : 0; }),
        data: data.strategies.map((s) => { const r = find(trace.name, s, g); return r && Number.isFinite(r[metric]) ? r[metric] : null; }),
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      plugins: { title: { display: true, text: title + ': ' + trace.name + (trace.kind === 'synthetic' ? ' (synthetic)' : '') } },
      scales: { y: { type: logarithmic ? 'logarithmic' : 'linear', beginAtZero: !logarithmic, min: logarithmic ? axisMin : undefined, title: { display: true, text: metric === 'nsPerEvent' ? 'ns per event' : 'peak committed / peak live' } } },
    },
  });
}
function timeline(container, trace, geometry) {
  const canvas = document.createElement('canvas');
  const box = document.createElement('div');
  box.className = 'chart wide';
  box.appendChild(canvas);
  container.appendChild(box);
  const datasets = [];
  let live = null;
  data.strategies.forEach((s, index) => {
    const r = find(trace.name, s, geometry);
    if (!r || !r.samples) return;
    if (!live) live = r;
    datasets.push({
      label: s + ' committed' + (r.complete ? '' : ' *'),
      borderColor: palette[index % palette.length],
      backgroundColor: palette[index % palette.length],
      pointRadius: 0,
      borderWidth: 1.5,
      data: r.samples.event.map((e, i) => ({ x: e, y: r.samples.committedBytes[i] / 1048576 })),
    });
  });
  if (live) {
    datasets.unshift({
      label: 'live (requested)',
      borderColor: '#000',
      backgroundColor: '#000',
      borderDash: [4, 3],
      pointRadius: 0,
      borderWidth: 2,
      data: live.samples.event.map((e, i) => ({ x: e, y: live.samples.liveBytes[i] / 1048576 })),
    });
  }
  new Chart(canvas, {
    type: 'line',
    data: { datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      plugins: { title: { display: true, text: 'live and committed MiB over the run: ' + trace.name + ' (' + geometry + ')' } },
      scales: { x: { type: 'linear', title: { display: true, text: 'event' } }, y: { beginAtZero: true, title: { display: true, text: 'MiB' } } },
    },
  });
}
const nsBox = document.getElementById('ns');
const fpBox = document.getElementById('footprint');
const tlBox = document.getElementById('timeline');
const timelineGeometry = data.geometries.includes('x64') ? 'x64' : data.geometries[0];
for (const trace of data.traces) {
  bars(nsBox, trace, 'nsPerEvent', 'ns per event', true);
  bars(fpBox, trace, 'footprint', 'footprint', true);
  timeline(tlBox, trace, timelineGeometry);
}
document.body.dataset.ready = 'true';
`;

export function renderHtml(results: CompareResults): string {
  const { machine, settings } = results;
  const traceRows = results.traces
    .map(
      (t) =>
        `<tr><td class="text">${escapeHtml(t.name)}</td><td class="text">${t.kind}</td><td class="num">${formatCount(t.events)}${
          t.fileEvents !== undefined && t.fileEvents !== t.events ? ` of ${formatCount(t.fileEvents)}` : ''
        }</td><td class="num">${formatBytes(t.peakLiveBytes)}</td><td class="text">${escapeHtml(t.description)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mem-bench compare</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { margin: 0 0 4px; font-size: 22px; }
h2 { margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #555; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 12px; }
.chart { position: relative; height: 260px; border: 1px solid #eee; padding: 6px; }
.chart.wide { height: 300px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; }
th { background: #f6f6f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
</style>
</head>
<body>
<h1>mem-bench compare</h1>
<p class="meta">${escapeHtml(machine.date)} · Node ${escapeHtml(machine.node)} · ${escapeHtml(machine.cpuModel)} × ${machine.cores} · ${escapeHtml(machine.platform)} · took ${formatSeconds(results.durationMs)}${settings.quick ? ' · <b>--quick</b>' : ''}</p>
<p class="meta">Runs per figure: ${settings.runs}; the first checks block contents (${escapeHtml(settings.check)}) and gives the peaks, the others write one byte per block and give ns per event (their median; the checked run's with one run); budget up to ${settings.budgetSeconds} s per run (shared out to finish within ${settings.timeLimitSeconds} s), ${settings.peerBudgetSeconds} s for thi.ng/malloc. Footprint = peak committed bytes / peak live bytes. <b>*</b> and pale bars = the run stopped early (budget or out of memory): figures cover the events completed. <b>!</b> = content errors.</p>
<h2>ns per event (log scale; x86 beside x64)</h2>
<div class="grid" id="ns"></div>
<h2>Footprint: peak committed / peak live (log scale; x86 beside x64)</h2>
<div class="grid" id="footprint"></div>
<h2>Live and committed bytes over one replay</h2>
<div class="grid" id="timeline"></div>
<h2>All figures</h2>
${htmlTable(resultsTable(results))}
<h2>Beside the native allocators (x64; natives: Linux x86-64, C replayer)</h2>
${htmlTable(sideBySideTable(results))}
${htmlTable(nativeTable(results))}
<h2>Traces and workloads</h2>
<table><thead><tr><th>name</th><th>kind</th><th>events</th><th>peak live</th><th>what</th></tr></thead><tbody>
${traceRows}
</tbody></table>
<script>${chartJsBundle()}</script>
<script type="application/json" id="data">${scriptJson(chartData(results))}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

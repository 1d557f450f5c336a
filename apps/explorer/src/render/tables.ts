// The page's tables: the region table (VMMap's details view), the summary by memory type, the
// GlobalMemoryStatusEx header with the commit gauge and stacked bars, the moveable handles and the log.
import { formatBytes, formatProtection, hex } from '../format';
import { KIND_COLOURS, KIND_LABELS, REGION_KINDS } from '../region-kinds';
import type { ExplorerRegion, KindSummary } from '../regions';
import type { Simulation } from '../simulation';
import type { MemorySummary } from '../summary';
import type { RegionKind } from '../region-kinds';
import { GMEM_DISCARDED, GMEM_INVALID_HANDLE, GMEM_LOCKCOUNT } from '@mem/kernel32';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

const STATE_LABELS = { commit: 'Committed', reserve: 'Reserved', free: 'Free' } as const;

/**
 * The region table as VMMap's details view: each allocation gets a header row (its base, whole size, committed
 * bytes, number of regions) followed by its regions, indented; free and unusable ranges stand alone. Region rows
 * carry their base, size, kind and state as data attributes.
 */
export function renderRegionTable(body: HTMLElement, rows: readonly ExplorerRegion[], digits: number): void {
  const html: string[] = [];
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index]!;
    if (row.state !== 'free' && (index === 0 || rows[index - 1]!.allocationBase !== row.allocationBase || rows[index - 1]!.state === 'free')) {
      let size = 0;
      let committed = 0;
      let count = 0;
      for (let next = index; next < rows.length && rows[next]!.state !== 'free' && rows[next]!.allocationBase === row.allocationBase; next++) {
        size += rows[next]!.size;
        if (rows[next]!.state === 'commit') committed += rows[next]!.size;
        count++;
      }
      html.push(
        `<tr class="allocation" data-testid="allocation-row" data-base="${row.allocationBase}" data-size="${size}">` +
          `<td><span class="swatch" style="background:${KIND_COLOURS[row.kind]}"></span><b>${KIND_LABELS[row.kind]}</b></td>` +
          `<td class="mono"><b>${hex(row.allocationBase, digits)}</b></td><td class="num"><b>${formatBytes(size)}</b></td>` +
          `<td>${formatBytes(committed)} committed</td><td>${formatProtection(row.allocationProtect)}</td>` +
          `<td>${count} region${count === 1 ? '' : 's'}</td><td>${escapeHtml(row.details)}</td></tr>`,
      );
    }
    html.push(
      `<tr data-testid="region-row" class="${row.state === 'free' ? 'free' : 'child'}" data-base="${row.base}" data-size="${row.size}" data-kind="${row.kind}" data-state="${row.state}">` +
        `<td><span class="swatch" style="background:${KIND_COLOURS[row.kind]}"></span>${KIND_LABELS[row.kind]}</td>` +
        `<td class="mono">${hex(row.base, digits)}</td><td class="num">${formatBytes(row.size)}</td>` +
        `<td>${STATE_LABELS[row.state]}</td><td>${formatProtection(row.protect)}</td>` +
        `<td class="mono">${row.state === 'free' ? '' : hex(row.allocationBase, digits)}</td>` +
        `<td>${escapeHtml(row.details)}</td></tr>`,
    );
  }
  body.innerHTML = html.join('');
}

/** VMMap's summary view; with a snapshot, the change in committed bytes since it (green grew, red shrank). */
export function renderKindSummary(
  body: HTMLElement,
  summaries: Map<RegionKind, KindSummary>,
  changes?: Map<RegionKind, { size: number; committed: number; blocks: number }>,
): void {
  const html: string[] = [];
  for (const kind of REGION_KINDS) {
    const s = summaries.get(kind);
    const change = changes?.get(kind);
    if (s === undefined && change === undefined) continue;
    let delta = '';
    if (change !== undefined && change.committed !== 0) {
      delta = `<span class="${change.committed > 0 ? 'grew' : 'shrank'}">${change.committed > 0 ? '+' : '−'}${formatBytes(Math.abs(change.committed))}</span>`;
    }
    html.push(
      `<tr data-testid="kind-row" data-kind="${kind}"><td><span class="swatch" style="background:${KIND_COLOURS[kind]}"></span>${KIND_LABELS[kind]}</td>` +
        `<td class="num">${formatBytes(s?.size ?? 0)}</td><td class="num">${formatBytes(s?.committed ?? 0)}</td><td class="num">${s?.blocks ?? 0}</td><td class="num">${formatBytes(s?.largest ?? 0)}</td>` +
        `<td class="num" data-testid="kind-delta" data-value="${change?.committed ?? 0}">${delta}</td></tr>`,
    );
  }
  body.innerHTML = html.join('');
}

const SUMMARY_FIELDS: [keyof MemorySummary, string][] = [
  ['committed', 'Committed'],
  ['reserved', 'Reserved (address space taken)'],
  ['privateBytes', 'Private bytes'],
  ['workingSet', 'Working set'],
  ['peakWorkingSet', 'Peak working set'],
  ['commitCharge', 'Commit charge (system)'],
  ['commitLimit', 'Commit limit (ullTotalPageFile)'],
  ['availableCommit', 'Available commit (ullAvailPageFile)'],
  ['totalPhysical', 'Physical memory (ullTotalPhys)'],
  ['availablePhysical', 'Available physical (ullAvailPhys)'],
  ['totalVirtual', 'User address space (ullTotalVirtual)'],
  ['availableVirtual', 'Available virtual (ullAvailVirtual)'],
];

/** The header: figures, a commit-charge gauge and VMMap's stacked "Committed" bar by type. */
export function renderSummary(container: HTMLElement, summary: MemorySummary, kinds: Map<RegionKind, KindSummary>): void {
  const cells = SUMMARY_FIELDS.map(
    ([field, label]) =>
      `<div class="figure"><div class="label">${label}</div><div class="value" data-testid="summary-${field}" data-value="${summary[field]}">${formatBytes(summary[field])}</div></div>`,
  );
  const chargePercent = (100 * summary.commitCharge) / summary.commitLimit;
  const committedTotal = [...kinds.values()].reduce((sum, k) => sum + k.committed, 0);
  const bar = REGION_KINDS.filter((kind) => (kinds.get(kind)?.committed ?? 0) > 0)
    .map((kind) => {
      const share = (100 * kinds.get(kind)!.committed) / committedTotal;
      return `<span title="${KIND_LABELS[kind]}: ${formatBytes(kinds.get(kind)!.committed)}" style="width:${share}%;background:${KIND_COLOURS[kind]}"></span>`;
    })
    .join('');
  container.innerHTML =
    `<div class="figures">${cells.join('')}</div>` +
    `<div class="gauge-row"><span class="label">Commit charge ${formatBytes(summary.commitCharge)} of ${formatBytes(summary.commitLimit)} (${chargePercent.toFixed(2)}%)</span>` +
    `<div class="gauge" data-testid="commit-gauge"><span style="width:${Math.min(100, chargePercent)}%"></span></div></div>` +
    `<div class="gauge-row"><span class="label">Committed by type (${formatBytes(committedTotal)})</span><div class="stacked" data-testid="committed-bar">${bar}</div></div>`;
}

/** Moveable memory: the handles the scenario made, with GlobalFlags' lock count and discarded state. */
export function renderHandles(body: HTMLElement, sim: Simulation): void {
  const html: string[] = [];
  for (const { handle, moveable } of sim.globals) {
    const flags = sim.k.GlobalFlags(handle);
    const size = sim.k.GlobalSize(handle);
    const discarded = flags !== GMEM_INVALID_HANDLE && (flags & GMEM_DISCARDED) !== 0;
    html.push(
      `<tr data-testid="handle-row"><td class="mono">0x${handle.toString(16)}</td><td>${moveable ? 'moveable' : 'fixed'}</td>` +
        `<td class="num">${size}</td><td class="num">${flags === GMEM_INVALID_HANDLE ? '—' : flags & GMEM_LOCKCOUNT}</td><td>${discarded ? 'discarded' : ''}</td><td class="mono">0x${flags.toString(16)}</td></tr>`,
    );
  }
  body.innerHTML = html.join('') || '<tr><td colspan="6" class="empty">No Global/Local blocks yet</td></tr>';
}

export function renderLog(list: HTMLElement, sim: Simulation): void {
  const last = sim.log.slice(-60).reverse();
  list.innerHTML = last
    .map((entry) => `<li class="${entry.failed ? 'failed' : ''}"><span class="mono">${escapeHtml(entry.call)}</span> → <span class="mono">${escapeHtml(entry.result)}</span></li>`)
    .join('');
}

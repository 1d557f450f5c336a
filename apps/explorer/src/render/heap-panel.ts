// The heaps panel: for each heap a card with its figures (live, free, largest free block, footprint),
// HeapValidate's badge, one strip per segment (header, busy and free blocks, LFH subsegments and
// chunks, uncommitted tail; refused blocks marked), its large blocks and its LFH buckets.
import { formatBytes, hex } from '../format';
import type { HeapBlockKind, HeapSegment, HeapView } from '../heap-view';
import { cachedWidth, el, fitCanvas } from './dom';

export const BLOCK_COLOURS: Readonly<Record<HeapBlockKind, string>> = {
  header: '#666666',
  busy: '#e06666',
  free: '#d9ead3',
  subsegment: '#b4a7d6',
  'lfh-busy': '#8e7cc3',
  'lfh-free': '#e6e0f5',
  uncommitted: '#eeeeee',
};
const CORRUPT_COLOUR = '#000000';
const STRIP_HEIGHT = 22;

export function renderHeaps(container: HTMLElement, heaps: readonly HeapView[], digits: number): void {
  const stripWidth = cachedWidth(container) - 2; // the strips' borders
  container.replaceChildren(...heaps.map((heap) => heapCard(heap, digits, stripWidth)));
}

function heapCard(heap: HeapView, digits: number, stripWidth: number): HTMLElement {
  const f = heap.figures;
  const badge = el(
    'span',
    { class: heap.valid ? 'badge ok' : 'badge bad', 'data-testid': 'heap-valid', 'data-valid': String(heap.valid) },
    heap.valid ? 'HeapValidate: valid' : 'HeapValidate: INVALID',
  );
  const title = el(
    'h3',
    {},
    `${heap.isProcessHeap ? 'Process heap' : 'Heap'} ${hex(heap.handle, digits)} — ${heap.strategy}${heap.compatibility === 2 ? ' (LFH on)' : ''} `,
    badge,
  );
  const figures = el(
    'div',
    { class: 'heap-figures' },
    figure('Live', `${formatBytes(f.liveBytes)} in ${f.liveBlocks} blocks`, 'heap-live', f.liveBytes),
    figure('Free', `${formatBytes(f.freeBytes)} in ${f.freeBlocks} blocks`, 'heap-free', f.freeBytes),
    figure('Largest free block', formatBytes(f.largestFreeBlock), 'heap-largest-free', f.largestFreeBlock),
    figure('Committed', formatBytes(f.committedBytes), 'heap-committed', f.committedBytes),
    figure('Reserved', formatBytes(f.reservedBytes), 'heap-reserved', f.reservedBytes),
    figure('Footprint (committed / live)', f.footprint === 0 ? '—' : f.footprint.toFixed(3), 'heap-footprint', f.footprint),
  );
  const card = el('div', { class: 'heap-card', 'data-testid': 'heap', 'data-handle': String(heap.handle) }, title, figures);
  if (heap.walkNote !== '') card.append(el('div', { class: 'note' }, heap.walkNote));
  if (heap.corruptBlocks.length > 0) {
    card.append(
      el(
        'div',
        { class: 'corrupt' },
        'Blocks HeapValidate refuses: ',
        ...heap.corruptBlocks.map((address) => el('span', { class: 'mono corrupt-block', 'data-testid': 'corrupt-block', 'data-address': String(address) }, `${hex(address, digits)} `)),
      ),
    );
  }
  for (const segment of heap.segments) {
    const canvas = el('canvas', { class: 'heap-strip', 'data-testid': 'heap-strip', 'data-base': String(segment.base) });
    card.append(
      el('div', { class: 'caption' }, `Segment ${segment.index} at ${hex(segment.base, digits)}: ${formatBytes(segment.committed)} committed, ${formatBytes(segment.uncommitted)} uncommitted, ${segment.blocks.length - 1} entries`),
      canvas,
    );
    drawSegment(canvas, segment, stripWidth);
  }
  if (heap.largeBlocks.length > 0) {
    card.append(
      el('div', { class: 'caption' }, `Large blocks (own reservations): ${heap.largeBlocks.map((b) => `${hex(b.address, digits)} ${formatBytes(b.size)}`).join(', ')}`),
    );
  }
  if (heap.buckets.length > 0) {
    const rows = heap.buckets.map((bucket) =>
      el(
        'tr',
        { 'data-testid': 'lfh-bucket' },
        el('td', { class: 'num' }, String(bucket.chunkSize)),
        el('td', { class: 'num' }, String(bucket.subsegments)),
        el('td', { class: 'num' }, `${bucket.busyChunks} / ${bucket.chunks}`),
        el('td', {}, occupancy(bucket.busyChunks, bucket.chunks)),
      ),
    );
    card.append(
      el(
        'table',
        { class: 'buckets' },
        el('thead', {}, el('tr', {}, el('th', {}, 'LFH chunk size'), el('th', {}, 'Subsegments'), el('th', {}, 'Busy / chunks'), el('th', {}, 'Occupancy'))),
        el('tbody', {}, ...rows),
      ),
    );
  }
  card.append(blockLegend());
  return card;
}

function figure(label: string, text: string, testId: string, value: number): HTMLElement {
  return el('div', { class: 'figure' }, el('div', { class: 'label' }, label), el('div', { class: 'value', 'data-testid': testId, 'data-value': String(value) }, text));
}

function occupancy(busy: number, total: number): HTMLElement {
  const bar = el('div', { class: 'gauge small' });
  bar.append(el('span', { style: `width:${total === 0 ? 0 : (100 * busy) / total}%` }));
  return bar;
}

/**
 * Where each address of a segment falls on a strip `width` pixels wide: proportional, except that a segment
 * mostly uncommitted gives its committed part three quarters of the width (else a small heap is a sliver).
 */
export function segmentScale(segment: HeapSegment, width: number): (address: number) => number {
  const span = segment.end - segment.base;
  const tail = segment.blocks.find((block) => block.kind === 'uncommitted');
  const committedEnd = tail?.start ?? segment.end;
  if (tail === undefined || (committedEnd - segment.base) / span >= 0.25) return (address) => ((address - segment.base) / span) * width;
  const split = width * 0.75;
  return (address) =>
    address <= committedEnd
      ? ((address - segment.base) / (committedEnd - segment.base)) * split
      : split + ((address - committedEnd) / (segment.end - committedEnd)) * (width - split);
}

/** One segment; refused blocks get a black block and a marker above it. */
export function drawSegment(canvas: HTMLCanvasElement, segment: HeapSegment, stripWidth: number): void {
  const { context, width, height } = fitCanvas(canvas, STRIP_HEIGHT, stripWidth);
  const x = segmentScale(segment, width);
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  const top = 6;
  for (const block of segment.blocks) {
    context.fillStyle = BLOCK_COLOURS[block.kind];
    const inset = block.kind === 'lfh-busy' || block.kind === 'lfh-free' ? 3 : 0;
    const x0 = x(block.start);
    context.fillRect(x0, top + inset, Math.max(x(block.end) - x0, 0.5), height - top - 2 * inset);
  }
  // block boundaries, where blocks are wide enough to tell apart
  context.fillStyle = 'rgba(0,0,0,0.25)';
  for (const block of segment.blocks) {
    const x0 = x(block.start);
    if (x(block.end) - x0 >= 4) context.fillRect(x0, top, 1, height - top);
  }
  for (const block of segment.blocks) {
    if (!block.corrupt) continue;
    const x0 = x(block.start);
    context.fillStyle = CORRUPT_COLOUR;
    context.fillRect(x0, top, Math.max(x(block.end) - x0, 3), height - top);
    context.fillStyle = '#cc0000';
    context.beginPath();
    context.moveTo(x0 - 5, 0);
    context.lineTo(x0 + 5, 0);
    context.lineTo(x0, top);
    context.fill();
  }
}

function blockLegend(): HTMLElement {
  const labels: Record<HeapBlockKind, string> = {
    header: 'segment header',
    busy: 'busy',
    free: 'free',
    subsegment: 'LFH subsegment',
    'lfh-busy': 'LFH chunk busy',
    'lfh-free': 'LFH chunk free',
    uncommitted: 'uncommitted',
  };
  return el(
    'div',
    { class: 'legend' },
    ...(Object.keys(labels) as HeapBlockKind[]).map((kind) => el('span', { class: 'legend-item' }, el('span', { class: 'swatch', style: `background:${BLOCK_COLOURS[kind]}` }), labels[kind])),
    el('span', { class: 'legend-item' }, el('span', { class: 'swatch', style: `background:${CORRUPT_COLOUR}` }), 'refused by HeapValidate'),
  );
}

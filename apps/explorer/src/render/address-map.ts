// The address map: a log-scale overview of every region (pages and terabytes side by side; click to
// zoom there) and a linear strip of the window [start, end) with zoom buttons, wheel zoom and drag to
// pan, from the whole user range down to 16 pages with 4 KiB ticks. Reserved pages are drawn lighter.
import { formatBytes, hex } from '../format';
import { type MapSegment, MapView, logLayout } from '../map-view';
import { KIND_COLOURS, KIND_LABELS, KIND_RESERVED_COLOURS } from '../region-kinds';
import type { ExplorerRegion } from '../regions';
import { el, fitCanvas } from './dom';

const STRIP_HEIGHT = 56;
const OVERVIEW_HEIGHT = 28;

export class AddressMap {
  readonly element: HTMLElement;
  readonly view: MapView;
  /** Hex digits of an address (8 for 32-bit processes). */
  digits = 12;
  /** What the strip drew last: the segments, for tests and hit-testing. */
  lastSegments: MapSegment[] = [];
  private rows: readonly ExplorerRegion[] = [];
  private readonly overview: HTMLCanvasElement;
  private readonly strip: HTMLCanvasElement;
  private readonly range: HTMLElement;
  private readonly hover: HTMLElement;
  private dragX: number | undefined;

  constructor(low: number, high: number) {
    this.view = new MapView(low, high);
    this.overview = el('canvas', { 'data-testid': 'address-overview', class: 'map-canvas' });
    this.strip = el('canvas', { 'data-testid': 'address-map', class: 'map-canvas' });
    this.range = el('span', { 'data-testid': 'map-range', class: 'map-range' });
    this.hover = el('span', { 'data-testid': 'map-hover', class: 'map-hover' });
    const button = (testId: string, label: string, action: () => void) => {
      const b = el('button', { 'data-testid': testId, type: 'button' }, label);
      b.addEventListener('click', () => {
        action();
        this.draw();
      });
      return b;
    };
    const controls = el(
      'div',
      { class: 'map-controls' },
      button('zoom-in', 'Zoom in ×4', () => this.view.zoom(1 / 4)),
      button('zoom-out', 'Zoom out ×4', () => this.view.zoom(4)),
      button('zoom-allocations', 'Fit allocations', () => this.fitAllocations()),
      button('zoom-reset', 'Whole address space', () => this.view.reset()),
      button('pan-left', '◀', () => this.view.pan(-0.5)),
      button('pan-right', '▶', () => this.view.pan(0.5)),
      this.range,
    );
    this.element = el(
      'section',
      { class: 'panel', 'data-testid': 'map-panel' },
      el('h2', {}, 'Address space'),
      el('div', { class: 'caption' }, 'Overview: every region, width by log₂ of its size — click to zoom there'),
      this.overview,
      el('div', { class: 'caption' }, 'Linear view (wheel to zoom, drag to pan); lighter = reserved, gray = unusable slack'),
      this.strip,
      controls,
      this.hover,
      legend(),
    );
    this.overview.addEventListener('click', (event) => {
      const row = this.overviewRowAt(event.offsetX);
      if (row !== undefined) this.focus(row.allocationBase || row.base, row.base + row.size);
    });
    this.strip.addEventListener('wheel', (event) => {
      event.preventDefault();
      this.view.zoom(event.deltaY > 0 ? 1.5 : 1 / 1.5, event.offsetX / this.strip.clientWidth);
      this.draw();
    });
    this.strip.addEventListener('mousedown', (event) => {
      this.dragX = event.offsetX;
    });
    window.addEventListener('mouseup', () => {
      this.dragX = undefined;
    });
    this.strip.addEventListener('mousemove', (event) => {
      if (this.dragX !== undefined) {
        this.view.pan((this.dragX - event.offsetX) / this.strip.clientWidth);
        this.dragX = event.offsetX;
        this.draw();
      }
      const address = this.view.addressAt(event.offsetX, this.strip.clientWidth);
      const row = this.rows.find((r) => address >= r.base && address < r.base + r.size);
      const at = hex(Math.floor(address), this.digits);
      this.hover.textContent = row === undefined ? at : `${at} — ${KIND_LABELS[row.kind]}, ${row.state}, region ${hex(row.base, this.digits)} + ${formatBytes(row.size)}`;
    });
  }

  update(rows: readonly ExplorerRegion[]): void {
    this.rows = rows;
    this.draw();
  }

  /** Shows [start, end) with a margin around it. */
  focus(start: number, end: number): void {
    const margin = Math.max((end - start) / 4, 0x4000);
    this.view.show(start - margin, end + margin);
    this.draw();
  }

  fitAllocations(): void {
    const used = this.rows.filter((row) => row.state !== 'free');
    if (used.length === 0) {
      this.view.reset();
      return;
    }
    this.focus(used[0]!.base, used.at(-1)!.base + used.at(-1)!.size);
  }

  private overviewRowAt(x: number): ExplorerRegion | undefined {
    return logLayout(this.rows, this.overview.clientWidth).find((cell) => x >= cell.x0 && x < cell.x1)?.row;
  }

  draw(): void {
    this.drawOverview();
    const { context, width, height } = fitCanvas(this.strip, STRIP_HEIGHT);
    context.clearRect(0, 0, width, height);
    const segments = this.view.segments(this.rows, width);
    // free space first, allocations on top (each at least a pixel wide)
    for (const pass of [true, false]) {
      for (const segment of segments) {
        if ((segment.state === 'free') !== pass) continue;
        context.fillStyle = segment.state === 'reserve' ? KIND_RESERVED_COLOURS[segment.kind] : KIND_COLOURS[segment.kind];
        context.fillRect(segment.x0, 0, segment.x1 - segment.x0, height);
      }
    }
    this.drawTicks(context, width, height);
    this.lastSegments = segments;
    this.range.textContent = `${hex(this.view.start, this.digits)} – ${hex(this.view.end, this.digits)} (${formatBytes(this.view.span)})`;
  }

  /** 64 KiB boundaries and 4 KiB page ticks once they are far enough apart to see. */
  private drawTicks(context: CanvasRenderingContext2D, width: number, height: number): void {
    const scale = width / this.view.span;
    for (const [unit, tickHeight, colour] of [
      [0x10000, height, 'rgba(0,0,0,0.35)'],
      [0x1000, height / 4, 'rgba(0,0,0,0.3)'],
    ] as const) {
      if (unit * scale < 6) continue;
      context.fillStyle = colour;
      for (let address = Math.ceil(this.view.start / unit) * unit; address < this.view.end; address += unit) {
        context.fillRect(Math.round((address - this.view.start) * scale), height - tickHeight, 1, tickHeight);
      }
    }
  }

  private drawOverview(): void {
    const { context, width, height } = fitCanvas(this.overview, OVERVIEW_HEIGHT);
    context.clearRect(0, 0, width, height);
    for (const cell of logLayout(this.rows, width)) {
      const row = cell.row;
      context.fillStyle = row.state === 'reserve' ? KIND_RESERVED_COLOURS[row.kind] : KIND_COLOURS[row.kind];
      context.fillRect(cell.x0, 0, Math.max(1, cell.x1 - cell.x0), height);
      context.fillStyle = 'rgba(0,0,0,0.25)';
      context.fillRect(cell.x0, 0, 1, height);
    }
    // where the linear window lies
    const visible = logLayout(this.rows, width).filter((cell) => cell.row.base + cell.row.size > this.view.start && cell.row.base < this.view.end);
    if (visible.length > 0) {
      context.strokeStyle = '#000';
      context.lineWidth = 2;
      context.strokeRect(visible[0]!.x0 + 1, 1, visible.at(-1)!.x1 - visible[0]!.x0 - 2, height - 2);
    }
  }
}

function legend(): HTMLElement {
  const items = (Object.keys(KIND_LABELS) as (keyof typeof KIND_LABELS)[]).map((kind) =>
    el('span', { class: 'legend-item' }, el('span', { class: 'swatch', style: `background:${KIND_COLOURS[kind]}` }), KIND_LABELS[kind]),
  );
  return el('div', { class: 'legend', 'data-testid': 'legend' }, ...items);
}

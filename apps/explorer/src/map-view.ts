// The address map's geometry, independent of the DOM: which address range the strip shows, zooming
// (from the whole user range down to 16 pages) and panning, and the coloured segments it draws.
import type { ExplorerRegion } from './regions';
import type { RegionKind } from './region-kinds';

/** The smallest span the map zooms to: 16 pages of 4 KiB. */
export const MIN_SPAN = 0x10000;

export interface MapSegment {
  start: number;
  end: number;
  kind: RegionKind;
  state: ExplorerRegion['state'];
  /** Pixel columns [x0, x1) on a strip `width` pixels wide (at least one pixel for allocated memory). */
  x0: number;
  x1: number;
}

export class MapView {
  /** First address of the user range and the first address after it. */
  low: number;
  high: number;
  start: number;
  end: number;

  constructor(low: number, high: number) {
    this.low = low;
    this.high = high;
    this.start = low;
    this.end = high;
  }

  get span(): number {
    return this.end - this.start;
  }

  /** Shows [start, end), clamped to the user range and to at least MIN_SPAN. */
  show(start: number, end: number): void {
    let span = Math.min(this.high - this.low, Math.max(MIN_SPAN, end - start));
    span = Math.round(span);
    let first = Math.round((start + end) / 2 - span / 2);
    first = Math.max(this.low, Math.min(this.high - span, first));
    this.start = first;
    this.end = first + span;
  }

  /** Zooms by `factor` (< 1 zooms in) keeping the address at fraction `anchor` of the strip in place. */
  zoom(factor: number, anchor = 0.5): void {
    const pivot = this.start + this.span * anchor;
    const span = Math.min(this.high - this.low, Math.max(MIN_SPAN, this.span * factor));
    const start = pivot - span * anchor;
    this.show(start, start + span);
  }

  /** Moves by `fraction` of the span (negative: towards lower addresses). */
  pan(fraction: number): void {
    const delta = this.span * fraction;
    this.show(this.start + delta, this.end + delta);
  }

  /** A new user range (another process); shows all of it. */
  setRange(low: number, high: number): void {
    this.low = low;
    this.high = high;
    this.reset();
  }

  reset(): void {
    this.start = this.low;
    this.end = this.high;
  }

  /** Address under pixel x of a strip `width` pixels wide. */
  addressAt(x: number, width: number): number {
    return this.start + (this.span * x) / width;
  }

  /** The rows visible in the window, clipped, with their pixel columns. */
  segments(rows: readonly ExplorerRegion[], width: number): MapSegment[] {
    const result: MapSegment[] = [];
    const scale = width / this.span;
    for (const row of rows) {
      const start = Math.max(row.base, this.start);
      const end = Math.min(row.base + row.size, this.end);
      if (end <= start) continue;
      let x0 = (start - this.start) * scale;
      let x1 = (end - this.start) * scale;
      if (row.state !== 'free' && x1 - x0 < 1) {
        x0 = Math.min(Math.floor(x0), width - 1);
        x1 = x0 + 1;
      }
      result.push({ start, end, kind: row.kind, state: row.state, x0, x1 });
    }
    return result;
  }
}

/** Overview layout: every row gets a width growing with log2 of its size, so pages and terabytes both show. */
export function logLayout(rows: readonly ExplorerRegion[], width: number): { row: ExplorerRegion; x0: number; x1: number }[] {
  const weights = rows.map((row) => 1 + Math.log2(Math.max(1, row.size / 4096)));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const result: { row: ExplorerRegion; x0: number; x1: number }[] = [];
  let x = 0;
  rows.forEach((row, index) => {
    const w = (weights[index]! / total) * width;
    result.push({ row, x0: x, x1: x + w });
    x += w;
  });
  return result;
}

// The address map's window: zoom stays inside the user range and never below 16 pages, and the
// segments it draws cover the window exactly, each allocation at least one pixel wide.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupDigits } from '../src/format';
import { logLayout, MapView, MIN_SPAN } from '../src/map-view';
import { classifyRegions } from '../src/regions';
import { SCENARIOS, Simulation } from '../src/simulation';

const TOP = 0x7fffffff0000; // x64: highest user address + 1

describe('MapView', () => {
  it('zooms and pans inside [low, high), between 64 KiB and the whole range (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('in', 'out', 'pan'), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 60 }), (steps) => {
        const view = new MapView(0, TOP);
        for (const [op, amount] of steps) {
          if (op === 'in') view.zoom(0.25, amount);
          else if (op === 'out') view.zoom(4, amount);
          else view.pan(amount - 0.5);
          expect(view.start).toBeGreaterThanOrEqual(0);
          expect(view.end).toBeLessThanOrEqual(TOP);
          expect(view.span).toBeGreaterThanOrEqual(MIN_SPAN);
        }
        view.reset();
        expect([view.start, view.end]).toEqual([0, TOP]);
      }),
    );
  });

  it('draws the rows in view, clipped, in order; allocations stay visible at 128 TiB', () => {
    const sim = new Simulation();
    for (const id of ['reserve', 'small-allocs', 'heap-allocs', 'map-view']) SCENARIOS.find((s) => s.id === id)!.run(sim);
    const rows = classifyRegions(sim.k);
    const view = new MapView(0, TOP);
    const whole = view.segments(rows, 1000);
    expect(whole).toHaveLength(rows.length);
    for (const segment of whole) if (segment.state !== 'free') expect(segment.x1 - segment.x0).toBeGreaterThanOrEqual(1);
    view.show(sim.reserved, sim.reserved + 0x110000);
    const zoomed = view.segments(rows, 1000);
    expect(zoomed[0]!.start).toBe(view.start);
    expect(zoomed.at(-1)!.end).toBe(view.end);
    for (let i = 1; i < zoomed.length; i++) expect(zoomed[i]!.start).toBe(zoomed[i - 1]!.end);
    expect(zoomed.some((s) => s.kind === 'unusable' && s.end - s.start === 0xf000)).toBe(true);
    // the log-scale overview gives every row a cell, left to right, filling the width
    const cells = logLayout(rows, 800);
    expect(cells).toHaveLength(rows.length);
    expect(cells.at(-1)!.x1).toBeCloseTo(800, 6);
  });
});

describe('groupDigits', () => {
  it('groups thousands as Intl does in English', () => {
    for (const value of [0, 7, 999, 1000, 65536, 1_575_042, -1234567, 2 ** 47]) expect(groupDigits(value)).toBe(value.toLocaleString('en'));
  });
});

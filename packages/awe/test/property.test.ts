// Property test: random sequences of allocate / free / map / unmap / scatter / release-window on
// one process, checked step by step against a plain reference model (owned frames, page → frame,
// one byte of data per frame). After every step: the Win32 result and last error match the model,
// UserPhysicalPages.validate() passes (no frame reachable from two addresses), every mapped page
// reads its frame's data, every other window page faults, and RAM and commit are exact.
import { CURRENT_PROCESS_HANDLE, MEM_RELEASE } from '@mem/pages';
import { VirtualFree } from '@mem/pages/win32';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_INVALID_ADDRESS, ERROR_INVALID_PARAMETER } from '../src/constants';
import { userPhysicalPagesOf } from '../src/user-physical-pages';
import { AllocateUserPhysicalPages, FreeUserPhysicalPages, MapUserPhysicalPages, MapUserPhysicalPagesScatter } from '../src/win32';
import { faults, memoryStatus, PAGE, reserveWindow, SENTINEL, setup } from './support';

const SELF = CURRENT_PROCESS_HANDLE;
const WINDOW_PAGES = 6;

type Op =
  | { kind: 'allocate'; count: number }
  | { kind: 'free'; picks: number[] }
  | { kind: 'map'; window: number; page: number; picks: number[] }
  | { kind: 'unmap'; window: number; page: number; count: number }
  | { kind: 'scatter'; targets: { window: number; page: number; pick: number }[] }
  | { kind: 'release'; window: number }
  | { kind: 'write'; pick: number; value: number };

/** A pick chooses among owned frames (modulo), or names a frame nobody owns when negative. */
const pick = fc.integer({ min: -2, max: 40 });
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('allocate' as const), count: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('free' as const), picks: fc.array(pick, { minLength: 1, maxLength: 3 }) }),
  fc.record({
    kind: fc.constant('map' as const),
    window: fc.integer({ min: 0, max: 2 }),
    page: fc.integer({ min: 0, max: WINDOW_PAGES }),
    picks: fc.array(pick, { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constant('unmap' as const),
    window: fc.integer({ min: 0, max: 2 }),
    page: fc.integer({ min: 0, max: WINDOW_PAGES - 1 }),
    count: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    kind: fc.constant('scatter' as const),
    targets: fc.array(
      fc.record({ window: fc.integer({ min: 0, max: 2 }), page: fc.integer({ min: 0, max: WINDOW_PAGES - 1 }), pick: fc.integer({ min: -1, max: 40 }) }),
      { minLength: 1, maxLength: 4 },
    ),
  }),
  fc.record({ kind: fc.constant('release' as const), window: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('write' as const), pick: fc.integer({ min: 0, max: 40 }), value: fc.integer({ min: 1, max: 255 }) }),
);

function run(ops: Op[]): void {
  const { machine, process } = setup({ physicalMemory: 256 * PAGE, pagingFile: 256 * PAGE });
  const baseline = memoryStatus(machine);
  const state = () => userPhysicalPagesOf(process);
  // the model
  const owned: number[] = [];
  const data = new Map<number, number>(); // frame → byte at offset 0
  const shown = new Map<number, number>(); // address → frame
  const windows: number[] = [reserveWindow(process, WINDOW_PAGES), reserveWindow(process, WINDOW_PAGES), reserveWindow(process, WINDOW_PAGES)];
  const UNOWNED = 1_000_003;
  const frameOf = (p: number) => (p < 0 || owned.length === 0 ? UNOWNED + p : (owned[p % owned.length] as number));
  const addressOfFrame = (frame: number) => {
    for (const [address, f] of shown) if (f === frame) return address;
    return -1;
  };
  const unshow = (address: number) => shown.delete(address);

  for (const op of ops) {
    process.lastError = SENTINEL;
    switch (op.kind) {
      case 'allocate': {
        const frames: number[] = [];
        const count = { value: op.count };
        expect(AllocateUserPhysicalPages(process, SELF, count, frames)).toBe(true);
        expect(count.value).toBe(op.count);
        for (const frame of frames) {
          owned.push(frame);
          data.set(frame, 0);
        }
        break;
      }
      case 'free': {
        const frames = op.picks.map(frameOf);
        let freed = 0;
        let expected = 0;
        const gone = new Set<number>();
        if (owned.length === 0 && data.size === 0) expected = ERROR_INVALID_PARAMETER;
        else
          for (const frame of frames) {
            if (!owned.includes(frame) || gone.has(frame)) {
              expected = ERROR_INVALID_ADDRESS;
              break;
            }
            gone.add(frame);
            freed++;
          }
        const count = { value: frames.length };
        const ok = FreeUserPhysicalPages(process, SELF, count, frames);
        expect(ok).toBe(expected === 0);
        expect(process.lastError).toBe(expected === 0 ? SENTINEL : expected);
        expect(count.value).toBe(freed);
        for (const frame of gone) {
          owned.splice(owned.indexOf(frame), 1);
          const address = addressOfFrame(frame);
          if (address >= 0) unshow(address);
        }
        break;
      }
      case 'map': {
        const base = windows[op.window] as number;
        const frames = op.picks.map(frameOf);
        let expected = 0;
        if (data.size === 0) expected = ERROR_INVALID_PARAMETER;
        else if (base === 0 || op.page + frames.length > WINDOW_PAGES) expected = ERROR_INVALID_PARAMETER;
        else {
          const seen = new Set<number>();
          for (const frame of frames) {
            if (!owned.includes(frame)) {
              expected = ERROR_INVALID_ADDRESS;
              break;
            }
            if (addressOfFrame(frame) >= 0 || seen.has(frame)) {
              expected = ERROR_INVALID_PARAMETER;
              break;
            }
            seen.add(frame);
          }
        }
        const ok = MapUserPhysicalPages(process, base === 0 ? 0 : base + op.page * PAGE, frames.length, frames);
        expect(ok).toBe(expected === 0);
        expect(process.lastError).toBe(expected === 0 ? SENTINEL : expected);
        if (ok) for (let i = 0; i < frames.length; i++) shown.set(base + (op.page + i) * PAGE, frames[i] as number);
        break;
      }
      case 'unmap': {
        const base = windows[op.window] as number;
        let expected = 0;
        if (data.size === 0 || base === 0 || op.page + op.count > WINDOW_PAGES) expected = ERROR_INVALID_PARAMETER;
        const ok = MapUserPhysicalPages(process, base === 0 ? 0 : base + op.page * PAGE, op.count, undefined);
        expect(ok).toBe(expected === 0);
        expect(process.lastError).toBe(expected === 0 ? SENTINEL : expected);
        if (ok) for (let i = 0; i < op.count; i++) unshow(base + (op.page + i) * PAGE);
        break;
      }
      case 'scatter': {
        const addresses = op.targets.map((t) => ((windows[t.window] as number) === 0 ? 0 : (windows[t.window] as number) + t.page * PAGE));
        const frames = op.targets.map((t) => (t.pick < 0 ? 0 : frameOf(t.pick)));
        let expected = 0;
        if (data.size === 0 || addresses.includes(0)) expected = ERROR_INVALID_PARAMETER;
        else {
          const seen = new Set<number>();
          for (const frame of frames) {
            if (frame === 0) continue;
            if (!owned.includes(frame)) {
              expected = ERROR_INVALID_ADDRESS;
              break;
            }
            if (addressOfFrame(frame) >= 0 || seen.has(frame)) {
              expected = ERROR_INVALID_PARAMETER;
              break;
            }
            seen.add(frame);
          }
        }
        const ok = MapUserPhysicalPagesScatter(process, addresses, addresses.length, frames);
        expect(ok).toBe(expected === 0);
        expect(process.lastError).toBe(expected === 0 ? SENTINEL : expected);
        if (ok)
          addresses.forEach((address, i) => {
            const frame = frames[i] as number;
            if (frame === 0) unshow(address);
            else shown.set(address, frame);
          });
        break;
      }
      case 'release': {
        const base = windows[op.window] as number;
        if (base === 0) {
          windows[op.window] = reserveWindow(process, WINDOW_PAGES);
          break;
        }
        expect(VirtualFree(process, base, 0, MEM_RELEASE)).toBe(true);
        for (let i = 0; i < WINDOW_PAGES; i++) unshow(base + i * PAGE);
        windows[op.window] = 0;
        break;
      }
      case 'write': {
        if (shown.size === 0) break;
        const entries = [...shown];
        const [address, frame] = entries[op.pick % entries.length] as [number, number];
        process.mem.setUint8(address, op.value);
        data.set(frame, op.value);
        break;
      }
    }
    // invariants after every step
    state()?.validate();
    for (const base of windows) {
      if (base === 0) continue;
      for (let i = 0; i < WINDOW_PAGES; i++) {
        const address = base + i * PAGE;
        const frame = shown.get(address);
        if (frame === undefined) expect(faults(process, address)).toBe(true);
        else expect(process.mem.getUint8(address)).toBe(data.get(frame));
      }
    }
    for (const frame of owned) expect(state()?.mappedAddress(frame)).toBe(addressOfFrame(frame));
    const status = memoryStatus(machine);
    expect(status.availPhys).toBe(baseline.availPhys - owned.length * PAGE);
    expect(status.commitCharge).toBe(baseline.commitCharge + owned.length * PAGE);
    expect(process.addressSpace.workingSetPages).toBe(0);
  }
}

describe('AWE property', () => {
  it('random map / unmap / scatter / free / release never lets a frame be reachable from two addresses', () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { minLength: 1, maxLength: 40 }), (ops) => run(ops)),
      { numRuns: 150 },
    );
  });
});

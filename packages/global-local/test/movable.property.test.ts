// Property test: random alloc / lock / unlock / realloc / discard / free / compact sequences, through
// the idiomatic door and the Win32 door mixed, against a model of every handle (size, lock count,
// discardable, discarded, contents). After every step each handle's state, flags and contents equal the
// model, a locked block has not moved, and the table, index and heap validate.
import fc from 'fast-check';
import { getProcessHeap } from '@mem/heap';
import { isMemError } from '@mem/pages';
import { describe, expect, it } from 'vitest';
import { GMEM_DISCARDABLE, GMEM_DISCARDED, GMEM_MOVEABLE, GMEM_ZEROINIT } from '../src/constants';
import { Movable, type MovableHandle } from '../src/movable';
import { GEOMETRIES, newKernel, type TestKernel } from './support';

interface Model {
  block: MovableHandle;
  contents: Uint8Array;
  lockCount: number;
  discardable: boolean;
  /** Address while locked (a locked block must not move on its own). */
  pinned: number;
}

type Step =
  | { kind: 'alloc'; size: number; discardable: boolean; viaWin32: boolean; seed: number }
  | { kind: 'lock'; pick: number; viaWin32: boolean }
  | { kind: 'unlock'; pick: number; viaWin32: boolean }
  | { kind: 'write'; pick: number; seed: number }
  | { kind: 'realloc'; pick: number; size: number; zeroInit: boolean; moveLocked: boolean; viaWin32: boolean }
  | { kind: 'discard'; pick: number; viaWin32: boolean }
  | { kind: 'free'; pick: number; viaWin32: boolean }
  | { kind: 'compact'; discard: boolean };

const size = fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 3000 }));
const pick = fc.nat();
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('alloc' as const), size, discardable: fc.boolean(), viaWin32: fc.boolean(), seed: fc.nat(255) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('lock' as const), pick, viaWin32: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('unlock' as const), pick, viaWin32: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('write' as const), pick, seed: fc.nat(255) }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('realloc' as const), pick, size, zeroInit: fc.boolean(), moveLocked: fc.boolean(), viaWin32: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('discard' as const), pick, viaWin32: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('free' as const), pick, viaWin32: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('compact' as const), discard: fc.boolean() }) },
);

function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (seed + i * 7) % 256;
  return bytes;
}

function failed(action: () => void): boolean {
  try {
    action();
    return false;
  } catch (error) {
    if (isMemError(error)) return true;
    throw error;
  }
}

function run(k: TestKernel, steps: Step[]): void {
  const movable = Movable.of(k.process);
  const heap = getProcessHeap(k.process);
  const mem = k.process.mem;
  const live: Model[] = [];
  const at = (index: number) => live[index % live.length]!;

  for (const current of steps) {
    switch (current.kind) {
      case 'alloc': {
        let block: MovableHandle;
        if (current.viaWin32) {
          const flags = GMEM_MOVEABLE | (current.discardable ? GMEM_DISCARDABLE : 0) | GMEM_ZEROINIT;
          const handle = k.GlobalAlloc(flags, current.size);
          expect(handle).not.toBe(0);
          block = movable.handle(handle);
        } else {
          block = movable.alloc(current.size, { discardable: current.discardable, zeroInit: true });
        }
        const model: Model = { block, contents: new Uint8Array(current.size), lockCount: 0, discardable: current.discardable, pinned: 0 };
        if (current.size > 0) {
          model.contents = pattern(current.size, current.seed);
          mem.write(block.address, model.contents);
        }
        live.push(model);
        break;
      }
      case 'lock': {
        if (live.length === 0) break;
        const model = at(current.pick);
        const discarded = model.block.discarded;
        const address = current.viaWin32 ? k.GlobalLock(model.block.handle) : failed(() => model.block.lock()) ? 0 : model.block.address;
        if (discarded) {
          expect(address).toBe(0);
          break;
        }
        expect(address).not.toBe(0);
        if (model.lockCount > 0) expect(address).toBe(model.pinned);
        model.pinned = address;
        model.lockCount = Math.min(255, model.lockCount + 1);
        break;
      }
      case 'unlock': {
        if (live.length === 0) break;
        const model = at(current.pick);
        if (current.viaWin32) {
          const stillLocked = k.GlobalUnlock(model.block.handle);
          expect(stillLocked).toBe(model.lockCount > 1);
        } else {
          expect(failed(() => model.block.unlock())).toBe(model.lockCount === 0);
        }
        model.lockCount = Math.max(0, model.lockCount - 1);
        break;
      }
      case 'write': {
        if (live.length === 0) break;
        const model = at(current.pick);
        if (model.block.discarded) break;
        model.contents = pattern(model.contents.length, current.seed);
        mem.write(model.block.address, model.contents);
        break;
      }
      case 'realloc': {
        if (live.length === 0) break;
        const model = at(current.pick);
        const before = model.block.address;
        let ok: boolean;
        if (current.viaWin32) {
          const flags = (current.moveLocked || current.size === 0 ? GMEM_MOVEABLE : 0) | (current.zeroInit ? GMEM_ZEROINIT : 0);
          ok = k.GlobalReAlloc(model.block.handle, current.size, flags) === model.block.handle;
        } else {
          ok = !failed(() => model.block.realloc(current.size, { zeroInit: current.zeroInit, moveLocked: current.moveLocked }));
        }
        if (current.size === 0) {
          // Discarding: only an unlocked block.
          expect(ok).toBe(model.lockCount === 0);
          if (ok) model.contents = new Uint8Array(0);
          break;
        }
        if (!ok) {
          // Only a locked block that may not move can fail here (memory is plentiful).
          expect(model.lockCount > 0 && !current.moveLocked).toBe(true);
          expect(model.block.address).toBe(before);
          break;
        }
        if (model.lockCount > 0 && !current.moveLocked) expect(model.block.address).toBe(before);
        const grown = new Uint8Array(current.size);
        grown.set(model.contents.subarray(0, Math.min(current.size, model.contents.length)));
        if (current.size > model.contents.length) {
          if (current.zeroInit) {
            // zero-filled by the call
          } else {
            // undefined bytes: give them a value the model knows
            mem.write(model.block.address + model.contents.length, pattern(current.size - model.contents.length, 3));
            grown.set(pattern(current.size - model.contents.length, 3), model.contents.length);
          }
        }
        model.contents = grown;
        model.pinned = model.block.address;
        break;
      }
      case 'discard': {
        if (live.length === 0) break;
        const model = at(current.pick);
        const ok = current.viaWin32 ? k.GlobalDiscard(model.block.handle) !== 0 : !failed(() => model.block.discard());
        expect(ok).toBe(model.lockCount === 0);
        if (ok) model.contents = new Uint8Array(0);
        break;
      }
      case 'free': {
        if (live.length === 0) break;
        const index = current.pick % live.length;
        const model = live[index]!;
        if (current.viaWin32) expect(k.GlobalFree(model.block.handle)).toBe(0);
        else model.block.free();
        expect(model.block.alive).toBe(false);
        live.splice(index, 1);
        break;
      }
      case 'compact': {
        movable.compact({ discard: current.discard });
        if (current.discard) {
          for (const model of live) if (model.discardable && model.lockCount === 0) model.contents = new Uint8Array(0);
        }
        break;
      }
    }

    // Every handle against the model.
    expect(movable.handleCount).toBe(live.length);
    for (const model of live) {
      const { block } = model;
      expect(block.alive).toBe(true);
      const discarded = model.contents.length === 0;
      expect(block.lockCount).toBe(model.lockCount);
      expect(block.discarded).toBe(discarded);
      expect(block.size).toBe(model.contents.length);
      const expectedFlags = model.lockCount | (model.discardable ? GMEM_DISCARDABLE : 0) | (discarded ? GMEM_DISCARDED : 0);
      expect(block.flags).toBe(expectedFlags);
      expect(k.GlobalFlags(block.handle)).toBe(expectedFlags);
      if (model.lockCount > 0) expect(block.address).toBe(model.pinned);
      if (!discarded) {
        expect(k.GlobalHandle(block.address)).toBe(block.handle);
        expect(mem.read(block.address, model.contents.length)).toEqual(model.contents);
      }
    }
    movable.validate();
    expect(heap.validate()).toBe(true);
  }
}

const CASES = GEOMETRIES.flatMap((geometry) => ['lfh', 'segregated'].map((strategy) => [geometry, strategy] as const));

describe.each(CASES)('movable memory against a model on %s, %s process heap', (geometry, strategy) => {
  it('random sequences keep contents, flags, lock counts and handles', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        run(newKernel(geometry, strategy), steps);
      }),
      { numRuns: 50 },
    );
  });
});

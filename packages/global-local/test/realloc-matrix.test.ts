// The GlobalReAlloc / LocalReAlloc matrix of Wine's test_GlobalAlloc and test_LocalAlloc: eight flag
// combinations × fixed small (LFH) / fixed large (0x20000, back end) / moveable locked / moveable unlocked
// × grow to 512 / shrink to 10 / to 0 (GL-014 … GL-022, LG-007).
import { describe, expect, it } from 'vitest';
import {
  GMEM_DDESHARE,
  GMEM_DISCARDABLE,
  GMEM_FIXED,
  GMEM_LOWER,
  GMEM_MODIFY,
  GMEM_MOVEABLE,
  GMEM_NOCOMPACT,
  GMEM_NODISCARD,
  GMEM_NOT_BANKED,
  GMEM_NOTIFY,
  LMEM_DISCARDABLE,
  LMEM_FIXED,
  LMEM_MODIFY,
  LMEM_MOVEABLE,
  LMEM_NOCOMPACT,
  LMEM_NODISCARD,
} from '../src/constants';
import { activateLfh, GEOMETRIES, isMemEntry, newKernel, slotOf, type TestKernel } from './support';

const SMALL = 12;
const NO_LFH = 0x20000;
const EVERYTHING = GMEM_DDESHARE | GMEM_DISCARDABLE | GMEM_LOWER | GMEM_NOCOMPACT | GMEM_NODISCARD | GMEM_NOT_BANKED | GMEM_NOTIFY;

const GLOBAL_FLAGS = [
  GMEM_FIXED,
  GMEM_FIXED | GMEM_MODIFY,
  GMEM_MOVEABLE,
  GMEM_MOVEABLE | GMEM_MODIFY,
  GMEM_MOVEABLE | GMEM_DISCARDABLE,
  GMEM_MOVEABLE | GMEM_MODIFY | GMEM_DISCARDABLE,
  GMEM_MOVEABLE | EVERYTHING,
  GMEM_MOVEABLE | GMEM_MODIFY | EVERYTHING,
];

const LOCAL_FLAGS = [
  LMEM_FIXED,
  LMEM_FIXED | LMEM_MODIFY,
  LMEM_MOVEABLE,
  LMEM_MOVEABLE | LMEM_MODIFY,
  LMEM_MOVEABLE | LMEM_DISCARDABLE,
  LMEM_MOVEABLE | LMEM_MODIFY | LMEM_DISCARDABLE,
  LMEM_MOVEABLE | LMEM_DISCARDABLE | LMEM_NOCOMPACT | LMEM_NODISCARD,
  LMEM_MOVEABLE | LMEM_MODIFY | LMEM_DISCARDABLE | LMEM_NOCOMPACT | LMEM_NODISCARD,
];

interface Family {
  name: 'Global' | 'Local';
  flags: number[];
  alloc(k: TestKernel, flags: number, size: number): number;
  realloc(k: TestKernel, handle: number, size: number, flags: number): number;
  free(k: TestKernel, handle: number): number;
  size(k: TestKernel, handle: number): number;
  lock(k: TestKernel, handle: number): number;
  unlock(k: TestKernel, handle: number): boolean;
  /** GMEM_MODIFY | GMEM_MOVEABLE turns a fixed block into a handle (Global only). */
  converts: boolean;
}

const FAMILIES: Family[] = [
  {
    name: 'Global',
    flags: GLOBAL_FLAGS,
    alloc: (k, flags, size) => k.GlobalAlloc(flags, size),
    realloc: (k, handle, size, flags) => k.GlobalReAlloc(handle, size, flags),
    free: (k, handle) => k.GlobalFree(handle),
    size: (k, handle) => k.GlobalSize(handle),
    lock: (k, handle) => k.GlobalLock(handle),
    unlock: (k, handle) => k.GlobalUnlock(handle),
    converts: true,
  },
  {
    name: 'Local',
    flags: LOCAL_FLAGS,
    alloc: (k, flags, size) => k.LocalAlloc(flags, size),
    realloc: (k, handle, size, flags) => k.LocalReAlloc(handle, size, flags),
    free: (k, handle) => k.LocalFree(handle),
    size: (k, handle) => k.LocalSize(handle),
    lock: (k, handle) => k.LocalLock(handle),
    unlock: (k, handle) => k.LocalUnlock(handle),
    converts: false,
  },
];

const has = (flags: number, bit: number) => (flags & bit) !== 0;

describe.each(GEOMETRIES)('%s', (geometry) => {
  for (const family of FAMILIES) {
    describe(`${family.name}ReAlloc`, () => {
      for (const flags of family.flags) {
        const modify = has(flags, GMEM_MODIFY);
        const moveable = has(flags, GMEM_MOVEABLE);
        const discardable = has(flags, GMEM_DISCARDABLE);
        const convert = family.converts && modify && moveable;

        it(`fixed blocks, flags 0x${flags.toString(16)}`, () => {
          const k = newKernel(geometry);
          activateLfh(k, SMALL);
          for (const [start, target] of [
            [SMALL, 512],
            [SMALL, 10],
            [SMALL, 0],
            [NO_LFH, NO_LFH + 512],
            [NO_LFH, 10],
            [NO_LFH, 0],
          ] as const) {
            const context = `${start} → ${target}`;
            const block = family.alloc(k, LMEM_FIXED, start);
            expect(isMemEntry(k, block), context).toBe(false);
            k.process.mem.fill(block, Math.min(start, 64), 0x77);
            const result = family.realloc(k, block, target, flags);
            let expectedSize: number = start;
            if (convert) {
              expect(isMemEntry(k, result), context).toBe(true);
              expect(slotOf(k, result).flags % 0x8000, context).toBe(discardable ? 0x7 : 0x3);
              expect(slotOf(k, result).ptr, context).not.toBe(block); // the contents moved to a new block
              expect(k.process.mem.read(slotOf(k, result).ptr, Math.min(start, 64)).every((b) => b === 0x77)).toBe(true);
            } else if (modify) {
              expect(result, context).toBe(block);
            } else if (start === SMALL) {
              // A fixed LFH block never resizes in place: only exactly GMEM_MOVEABLE moves it.
              if (flags === GMEM_MOVEABLE) {
                expect(result, context).not.toBe(0);
                expect(result, context).not.toBe(block);
                expect(isMemEntry(k, result), context).toBe(false);
                expectedSize = target;
              } else {
                expect(result, context).toBe(0);
              }
            } else if (discardable) {
              expect(result, context).toBe(0);
            } else {
              // A back-end block resizes in place, with or without GMEM_MOVEABLE.
              expect(result, context).toBe(block);
              expectedSize = target;
            }
            const live = result === 0 ? block : result;
            expect(family.size(k, live), context).toBe(expectedSize);
            if (!convert) expect(family.lock(k, live), context).toBe(live);
            const kept = Math.min(expectedSize, start, 64);
            const data = convert ? slotOf(k, live).ptr : live;
            expect(k.process.mem.read(data, kept).every((b) => b === 0x77), `${context}: contents`).toBe(true);
            expect(family.free(k, live), context).toBe(0);
          }
        });

        for (const locked of [true, false]) {
          it(`moveable ${locked ? 'locked' : 'unlocked'} blocks, flags 0x${flags.toString(16)}`, () => {
            const k = newKernel(geometry);
            activateLfh(k, SMALL);
            for (const target of [512, 10, 0]) {
              const context = `${SMALL} → ${target}`;
              const handle = family.alloc(k, LMEM_MOVEABLE, SMALL);
              expect(isMemEntry(k, handle)).toBe(true);
              if (locked) expect(family.lock(k, handle)).not.toBe(0);
              const before = slotOf(k, handle);
              k.process.mem.fill(before.ptr, SMALL, 0x42);
              const result = family.realloc(k, handle, target, flags);
              const after = slotOf(k, handle);
              let expectedFlags = before.flags;
              let expectedSize = SMALL;
              let moved = false;
              let discarded = false;
              if (modify) {
                expect(result, context).toBe(handle);
                if (discardable) expectedFlags |= 0x4;
              } else if (discardable) {
                expect(result, context).toBe(0);
              } else if (target === 0) {
                if (flags === GMEM_MOVEABLE && !locked) {
                  expect(result, context).toBe(handle);
                  discarded = true;
                  expectedFlags |= 0x8;
                  expectedSize = 0;
                } else {
                  expect(result, context).toBe(0); // a locked block is never discarded
                }
              } else if (target === 512 && locked && !moveable) {
                expect(result, context).toBe(0); // a locked block moves only with GMEM_MOVEABLE
              } else {
                expect(result, context).toBe(handle);
                expectedSize = target;
                moved = target === 512; // an LFH block cannot grow in place: it moves, lock or not
              }
              expect(after.flags, context).toBe(expectedFlags);
              if (discarded) expect(after.ptr, context).toBe(0);
              else if (moved) expect(after.ptr, context).not.toBe(before.ptr);
              else expect(after.ptr, context).toBe(before.ptr);
              expect(family.size(k, handle), context).toBe(expectedSize);
              if (!discarded) {
                const kept = Math.min(SMALL, expectedSize);
                expect(k.process.mem.read(after.ptr, kept).every((b) => b === 0x42), `${context}: contents`).toBe(true);
              }
              if (locked) expect(family.unlock(k, handle), context).toBe(false);
              expect(family.free(k, handle), context).toBe(0);
            }
          });
        }
      }
    });
  }
});

// Property test of the shared heap in one thread, against a model (live blocks with their size and
// content seed): random alloc / calloc / realloc / free through three attachments (so blocks cross
// slots and go back through remote lists), double frees that must be refused with nothing changed,
// HeapLock/HeapUnlock pairs around steps, cache trims; validate() and the counters after every step.
import { ERROR_INVALID_PARAMETER, MemError } from '@mem/pages';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HEAP_NO_SERIALIZE } from '../../src/constants';
import { attachSharedAllocator, createSharedAllocator } from '../../src/shared/index';
import type { SharedAllocator } from '../../src/shared/index';
import { checkPattern, writePattern } from '../../src/testing';
import { growableBuffer } from './support';

type Operation =
  | { kind: 'alloc'; by: number; size: number; alignment: number }
  | { kind: 'calloc'; by: number; size: number }
  | { kind: 'realloc'; by: number; pick: number; size: number }
  | { kind: 'free'; by: number; pick: number }
  | { kind: 'doubleFree'; by: number }
  | { kind: 'locked'; by: number; size: number }
  | { kind: 'trim'; by: number };

const size = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 1100 }) },
  { weight: 3, arbitrary: fc.integer({ min: 1100, max: 40_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 200_000, max: 700_000 }) },
);
const by = fc.integer({ min: 0, max: 2 });

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('alloc' as const), by, size, alignment: fc.constantFrom(0, 0, 0, 0, 8, 64, 4096) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('calloc' as const), by, size }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('realloc' as const), by, pick: fc.nat(), size }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('free' as const), by, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('doubleFree' as const), by }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('locked' as const), by, size }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('trim' as const), by }) },
);

interface Live {
  pointer: number;
  size: number;
  seed: number;
}

function run(heaps: SharedAllocator[], operations: Operation[]): void {
  const live: Live[] = [];
  const freed: number[] = [];
  const main = heaps[0]!;
  let liveBytes = 0;
  operations.forEach((op, step) => {
    const heap = heaps[op.by % heaps.length]!;
    const add = (pointer: number, bytes: number) => {
      writePattern(heap, pointer, bytes, step);
      live.push({ pointer, size: bytes, seed: step });
      liveBytes += bytes;
    };
    switch (op.kind) {
      case 'alloc': {
        const pointer = heap.alloc(op.size, op.alignment);
        if (pointer !== 0) {
          if (op.alignment > 0) expect(pointer % op.alignment).toBe(0);
          add(pointer, op.size);
        }
        break;
      }
      case 'calloc': {
        const pointer = heap.calloc(1, op.size);
        if (pointer !== 0) {
          expect(heap.memory.read(pointer, op.size).every((byte) => byte === 0)).toBe(true);
          add(pointer, op.size);
        }
        break;
      }
      case 'locked': {
        heap.lock();
        const pointer = heap.alloc(op.size);
        heap.unlock();
        if (pointer !== 0) add(pointer, op.size);
        break;
      }
      case 'trim': {
        heap.trim();
        break;
      }
      case 'doubleFree': {
        if (freed.length === 0) break;
        const pointer = freed[step % freed.length]!;
        if (live.some((block) => block.pointer === pointer)) break; // reused since: a live block now
        const before = main.stats();
        expect(() => heap.free(pointer)).toThrow(MemError);
        try {
          heap.free(pointer);
        } catch (error) {
          expect((error as MemError).code).toBe(ERROR_INVALID_PARAMETER);
        }
        expect(main.stats()).toEqual(before);
        break;
      }
      default: {
        if (live.length === 0) break;
        const index = op.pick % live.length;
        const block = live[index]!;
        expect(checkPattern(heap, block.pointer, block.size, block.seed)).toBe(-1);
        if (op.kind === 'free') {
          heap.free(block.pointer);
          freed.push(block.pointer);
          live.splice(index, 1);
          liveBytes -= block.size;
        } else {
          const moved = heap.realloc(block.pointer, op.size);
          if (moved === 0) break;
          const kept = Math.min(block.size, op.size);
          const expected = new Uint8Array(kept);
          for (let i = 0; i < kept; i++) expected[i] = (block.seed * 31 + i * 7) & 0xff;
          expect(heap.memory.read(moved, kept)).toEqual(expected);
          if (moved !== block.pointer) freed.push(block.pointer);
          liveBytes += op.size - block.size;
          writePattern(heap, moved, op.size, step);
          live[index] = { pointer: moved, size: op.size, seed: step };
        }
      }
    }
    main.validate();
    const stats = main.stats();
    expect(stats.liveBlocks).toBe(live.length);
    expect(stats.liveBytes).toBe(liveBytes);
    expect(stats.peakLiveBytes).toBeGreaterThanOrEqual(liveBytes);
  });
  for (const block of live) {
    expect(checkPattern(main, block.pointer, block.size, block.seed)).toBe(-1);
    heaps[block.seed % heaps.length]!.free(block.pointer);
  }
  main.validate();
  expect(main.stats().liveBlocks).toBe(0);
}

describe('shared heap against a model', () => {
  for (const flags of [0, HEAP_NO_SERIALIZE]) {
    it(`keeps every block and structure intact (flags ${flags})`, () => {
      fc.assert(
        fc.property(fc.array(operation, { minLength: 1, maxLength: 120 }), (operations) => {
          const first = createSharedAllocator({ memory: growableBuffer(1 << 16, 8 << 20), flags });
          const heaps = [first, attachSharedAllocator(first.handle()), attachSharedAllocator(first.handle())];
          run(heaps, operations);
        }),
        { numRuns: 60 },
      );
    });
  }
});

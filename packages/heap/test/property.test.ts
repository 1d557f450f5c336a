// Property tests: random alloc / realloc / free sequences against a reference model (live id → size
// and content seed), for every strategy on both pointer sizes; validate() after every step, contents
// checked on every touch and at the end.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Allocator, HeapStrategyFactory } from '../src/api';
import { createAllocator } from '../src/createAllocator';
import { createLowFragmentationHeap } from '../src/strategies/lfh';
import { SegregatedHeap } from '../src/strategies/segregated';
import { checkPattern, writePattern } from '../src/testing';
import { bufferSource, highSource } from './support/sources';

type Operation =
  | { kind: 'alloc'; size: number; alignment: number }
  | { kind: 'realloc'; pick: number; size: number }
  | { kind: 'free'; pick: number };

const size = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 600 }) },
  { weight: 3, arbitrary: fc.integer({ min: 600, max: 20_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 500_000, max: 1_100_000 }) },
);

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('alloc' as const),
      size,
      alignment: fc.constantFrom(0, 0, 0, 0, 32, 64, 4096),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('realloc' as const), pick: fc.nat(), size }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
);

interface Live {
  pointer: number;
  size: number;
  seed: number;
}

function run(allocator: Allocator, operations: Operation[]): void {
  const live: Live[] = [];
  let expectedBytes = 0;
  operations.forEach((op, step) => {
    if (op.kind === 'alloc') {
      const pointer = allocator.alloc(op.size, op.alignment);
      if (pointer !== 0) {
        if (op.alignment > 0) expect(pointer % op.alignment).toBe(0);
        writePattern(allocator, pointer, op.size, step);
        live.push({ pointer, size: op.size, seed: step });
        expectedBytes += op.size;
      }
    } else if (live.length > 0) {
      const index = op.pick % live.length;
      const block = live[index] as Live;
      expect(checkPattern(allocator, block.pointer, block.size, block.seed)).toBe(-1);
      if (op.kind === 'free') {
        allocator.free(block.pointer);
        live.splice(index, 1);
        expectedBytes -= block.size;
      } else {
        const pointer = allocator.realloc(block.pointer, op.size);
        if (pointer !== 0) {
          expect(checkPattern(allocator, pointer, Math.min(block.size, op.size), block.seed)).toBe(-1);
          writePattern(allocator, pointer, op.size, step);
          expectedBytes += op.size - block.size;
          live[index] = { pointer, size: op.size, seed: step };
        } else {
          expect(checkPattern(allocator, block.pointer, block.size, block.seed)).toBe(-1);
        }
      }
    }
    allocator.validate();
    expect(allocator.stats().liveBytes).toBe(expectedBytes);
    expect(allocator.stats().liveBlocks).toBe(live.length);
  });
  for (const block of live) expect(checkPattern(allocator, block.pointer, block.size, block.seed)).toBe(-1);
  for (const block of live) allocator.free(block.pointer);
  allocator.validate();
  expect(allocator.stats().liveBytes).toBe(0);
}

/** The LFH with every bucket active from the start, so random sequences exercise its chunks. */
const eagerLfh: HeapStrategyFactory = (options) =>
  createLowFragmentationHeap(new SegregatedHeap(options), { activateImmediately: true });

describe.each([
  ['segregated', 'segregated'],
  ['lfh', 'lfh'],
  ['lfh (every bucket active)', eagerLfh],
  ['tlsf', 'tlsf'],
  ['bump', 'bump'],
] as const)('strategy %s against a reference model', (_name, strategy) => {
  it.each([4, 8] as const)('keeps every block intact over random sequences (pointer size %i)', (pointerSize) => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 120 }), (operations) => {
        run(createAllocator({ strategy, memory: bufferSource(pointerSize, 48 << 20) }), operations);
      }),
      { numRuns: 25 },
    );
  });

  it('keeps every block intact at addresses above 2^32', () => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 80 }), (operations) => {
        run(createAllocator({ strategy, memory: highSource(8, 2 ** 44 + 2 ** 31, 24 << 20) }), operations);
      }),
      { numRuns: 10 },
    );
  });
});

describe.each(['segregated', 'lfh', 'tlsf', 'bump'])('strategy %s refuses misuse without changing anything', (strategy) => {
  it('random stale, interior and foreign pointers between valid operations', () => {
    const misuse = fc.record({
      target: fc.constantFrom('freed', 'interior', 'foreign'),
      offset: fc.integer({ min: 1, max: 200 }),
      action: fc.constantFrom('free', 'realloc', 'usableSize'),
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), misuse), { minLength: 1, maxLength: 60 }), (steps) => {
        const allocator = createAllocator({ strategy, memory: bufferSource(8, 8 << 20) });
        const live: number[] = [];
        const freed: number[] = [];
        for (const [size, bad] of steps) {
          const pointer = allocator.alloc(size);
          live.push(pointer);
          if (live.length > 3) {
            const gone = live.shift() as number;
            allocator.free(gone);
            freed.push(gone);
          }
          const victim = live[0] as number;
          const stale = freed.at(-1);
          const target =
            bad.target === 'freed' && stale !== undefined && !live.includes(stale)
              ? stale
              : bad.target === 'interior'
                ? victim + bad.offset
                : 0x10 + bad.offset * 3;
          if (live.includes(target)) continue;
          const before = JSON.stringify(allocator.stats());
          let code: number | undefined;
          try {
            if (bad.action === 'free') allocator.free(target);
            else if (bad.action === 'realloc') allocator.realloc(target, 10);
            else allocator.usableSize(target);
          } catch (error) {
            code = (error as { code?: number }).code;
          }
          expect(code).toBe(87);
          expect(JSON.stringify(allocator.stats())).toBe(before);
          allocator.validate();
        }
      }),
      { numRuns: 20 },
    );
  });
});

// Property: random HeapAlloc / HeapReAlloc / HeapFree / HeapValidate sequences on x86 and x64 agree with a
// simple model (live blocks with their sizes and contents); HeapValidate(heap, 0, NULL) holds after every step
// and every live block keeps its bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HEAP_REALLOC_IN_PLACE_ONLY, HEAP_ZERO_MEMORY } from '../../src/constants';
import { heapKernel } from './support';

type Operation =
  | { kind: 'alloc'; size: number; zero: boolean }
  | { kind: 'realloc'; pick: number; size: number; flags: number }
  | { kind: 'free'; pick: number }
  | { kind: 'validate'; pick: number };

const size = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 600 }) },
  { weight: 2, arbitrary: fc.integer({ min: 600, max: 20_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xff000 - 64, max: 0x110000 }) },
);

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('alloc' as const), size, zero: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('realloc' as const),
      pick: fc.nat(),
      size,
      flags: fc.constantFrom(0, HEAP_ZERO_MEMORY, HEAP_REALLOC_IN_PLACE_ONLY, HEAP_ZERO_MEMORY | HEAP_REALLOC_IN_PLACE_ONLY),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('validate' as const), pick: fc.nat() }) },
);

interface LiveBlock {
  pointer: number;
  size: number;
  /** Byte written over the block (its first `filled` bytes); zero-filled bytes follow for ZERO_MEMORY growth. */
  byte: number;
}

function contentsIntact(read: (address: number, length: number) => Uint8Array, block: LiveBlock): boolean {
  return read(block.pointer, block.size).every((value) => value === block.byte);
}

describe.each(['x86', 'x64'] as const)('random heap sequences on %s', (geometry) => {
  it.each(['lfh', 'segregated'])('agree with the model (%s process)', (strategy) => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 60 }), fc.boolean(), (operations, privateHeap) => {
        const k = heapKernel(geometry, strategy);
        const heap = privateHeap ? k.HeapCreate(0, 0, 0) : k.GetProcessHeap();
        const ptr = k.process.geometry.pointerSize;
        const live: LiveBlock[] = [];
        let nextByte = 1;
        const read = (address: number, length: number) => k.mem.read(address, length);
        for (const step of operations) {
          if (step.kind === 'alloc') {
            const pointer = k.HeapAlloc(heap, step.zero ? HEAP_ZERO_MEMORY : 0, step.size);
            expect(pointer).not.toBe(0);
            expect(pointer % (2 * ptr)).toBe(0);
            if (step.zero) expect(read(pointer, step.size).every((value) => value === 0)).toBe(true);
            const byte = nextByte++ & 0xff || 1;
            k.mem.fill(pointer, step.size, byte);
            live.push({ pointer, size: step.size, byte });
          } else if (live.length > 0) {
            const index = step.pick % live.length;
            const block = live[index]!;
            if (step.kind === 'free') {
              expect(k.HeapFree(heap, 0, block.pointer)).toBe(true);
              live.splice(index, 1);
            } else if (step.kind === 'validate') {
              expect(k.HeapValidate(heap, 0, block.pointer)).toBe(true);
              expect(k.HeapSize(heap, 0, block.pointer)).toBe(block.size);
            } else {
              const result = k.HeapReAlloc(heap, step.flags, block.pointer, step.size);
              if (result === 0) {
                // Only in-place requests may fail here; the block is untouched.
                expect(step.flags & HEAP_REALLOC_IN_PLACE_ONLY).not.toBe(0);
                expect(k.HeapSize(heap, 0, block.pointer)).toBe(block.size);
              } else {
                if (step.flags & HEAP_REALLOC_IN_PLACE_ONLY) expect(result).toBe(block.pointer);
                const kept = Math.min(block.size, step.size);
                expect(read(result, kept).every((value) => value === block.byte)).toBe(true);
                if (step.size > block.size && step.flags & HEAP_ZERO_MEMORY) {
                  expect(read(result + block.size, step.size - block.size).every((value) => value === 0)).toBe(true);
                }
                k.mem.fill(result, step.size, block.byte);
                block.pointer = result;
                block.size = step.size;
              }
            }
          }
          expect(k.HeapValidate(heap, 0, 0)).toBe(true);
        }
        for (const block of live) {
          expect(k.HeapSize(heap, 0, block.pointer)).toBe(block.size);
          expect(contentsIntact(read, block)).toBe(true);
        }
        const summary: Record<string, number> & { cb: number } = { cb: ptr === 8 ? 40 : 20 };
        expect(k.HeapSummary(heap, 0, summary)).toBe(true);
        if (privateHeap) expect(summary.cbAllocated).toBe(live.reduce((sum, block) => sum + block.size, 0));
        for (const block of live) expect(k.HeapFree(heap, 0, block.pointer)).toBe(true);
        expect(k.HeapValidate(heap, 0, 0)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

// Property: the Heap* functions never throw for bad input (handles, pointers, sizes, flags, structures that are
// wrong, NaN, negative, huge); they return their failure value, and the heaps stay valid. (HEAP_GENERATE_EXCEPTIONS
// is left out of the flags: with it, failing allocations raise STATUS_NO_MEMORY as Windows does.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HEAP_GENERATE_EXCEPTIONS } from '../../src/constants';
import { heapKernel } from './support';

describe.each(['x86', 'x64'] as const)('bad input on %s', (geometry) => {
  it('never throws and never breaks a heap', () => {
    const number = fc.oneof(
      fc.integer({ min: -5, max: 0x20000 }),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 2 ** 32, 2 ** 53, 0.5, 0xffffffff, 0x7ffffffeffff),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 13 }), number, number, number, fc.integer({ min: 0, max: 4 })), {
          maxLength: 40,
        }),
        (calls) => {
          const k = heapKernel(geometry);
          const heaps = [k.GetProcessHeap(), k.HeapCreate(0, 0, 0), k.HeapCreate(1, 0x10000, 0x10000), 0, 0x12345];
          const blocks = [k.HeapAlloc(heaps[1]!, 0, 40), k.HeapAlloc(heaps[0]!, 0, 100)];
          for (const [which, a, b, c, pick] of calls) {
            const heap = heaps[pick]!;
            const pointer = pick < 2 ? blocks[pick]! + (a % 3) * 8 : a;
            switch (which) {
              case 0:
                k.HeapAlloc(heap, a & ~HEAP_GENERATE_EXCEPTIONS, b);
                break;
              case 1:
                k.HeapReAlloc(heap, a & 0x1b, pointer, c);
                break;
              case 2:
                k.HeapFree(heap, 0, a === 0 ? pointer : a);
                break;
              case 3:
                expect(typeof k.HeapSize(heap, 0, pointer)).toBe('number');
                break;
              case 4:
                k.HeapValidate(heap, 0, pointer);
                break;
              case 5:
                k.HeapWalk(heap, { lpData: a });
                break;
              case 6:
                k.HeapCompact(heap, 0);
                break;
              case 7:
                k.HeapSummary(heap, 0, { cb: a });
                break;
              case 8:
                k.HeapQueryInformation(heap, a, {}, b, {});
                break;
              case 9:
                k.HeapSetInformation(heap, a % 4, b, c);
                break;
              case 10:
                k.HeapLock(heap);
                k.HeapUnlock(heap);
                break;
              case 11:
                k.HeapCreate(a & 0x3, b, c);
                break;
              case 12:
                if (pick >= 1 && pick <= 2) k.HeapDestroy(heap);
                break;
              default:
                k.GetProcessHeaps(a, []);
            }
          }
          const handles: number[] = [];
          const count = k.GetProcessHeaps(64, handles);
          for (const heap of handles.slice(0, count)) expect(k.HeapValidate(heap, 0, 0)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});

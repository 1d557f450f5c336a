// Conformance: HeapAlloc, HeapReAlloc, HeapFree, HeapSize, HeapValidate (win32-facts §14.2–14.4:
// H-008..H-027), with the last-error sentinel of Wine's tests.
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOT_ENOUGH_MEMORY, ERROR_SUCCESS, STATUS_NO_MEMORY } from '@mem/pages';
import { describe, expect, it } from 'vitest';
import {
  HEAP_GENERATE_EXCEPTIONS,
  HEAP_REALLOC_IN_PLACE_ONLY,
  HEAP_ZERO_MEMORY,
} from '../../src/constants';
import { attempt, GEOMETRIES_32_64, heapKernel, SENTINEL } from './support';

function allZero(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}

describe.each(GEOMETRIES_32_64)('HeapAlloc family on %s', (geometry) => {
  const setup = () => {
    const k = heapKernel(geometry);
    const ptr = k.process.geometry.pointerSize;
    return { k, ptr, A: 0x8000 * ptr, heap: k.HeapCreate(0, 0, 0) };
  };

  it('H-008: HeapAlloc(~(SIZE_T)0) and other sizes above the maximum fail with ERROR_NOT_ENOUGH_MEMORY', () => {
    const { k, heap, ptr } = setup();
    const all = ptr === 8 ? 2 ** 64 - 1 : 0xffffffff;
    expect(attempt(k, () => k.HeapAlloc(heap, 0, all))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    expect(attempt(k, () => k.HeapAlloc(heap, 0, ptr === 8 ? 0x7ffffffdf000 : 0x7ffdf000))).toEqual([
      0,
      ERROR_NOT_ENOUGH_MEMORY,
    ]);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
  });

  it('H-009: blocks are 2·ptr aligned (not all 4·ptr); large blocks 8·ptr aligned', () => {
    const { k, heap, ptr, A } = setup();
    let small = 0;
    const blocks: number[] = [];
    for (let index = 0; index < 128; index++) {
      const block = k.HeapAlloc(heap, 0, A);
      expect(block).not.toBe(0);
      expect(block % (2 * ptr)).toBe(0);
      small += block % (4 * ptr) === 0 ? 0 : 1;
      blocks.push(block);
    }
    expect(small).toBeGreaterThan(0);
    for (const block of blocks) expect(k.HeapFree(heap, 0, block)).toBe(true);
    for (let index = 0; index < 8; index++) {
      const block = k.HeapAlloc(heap, 0, 4 * A);
      expect(block % (8 * ptr)).toBe(0);
      blocks.push(block);
    }
  });

  it('H-010: HEAP_ZERO_MEMORY zeroes the whole block (1 byte, 1 MiB, 0x8000·ptr), even reused memory', () => {
    const { k, heap, A } = setup();
    for (const size of [1, 1 << 20, A]) {
      const dirty = k.HeapAlloc(heap, 0, size);
      k.mem.fill(dirty, size, 0x5a);
      expect(k.HeapFree(heap, 0, dirty)).toBe(true);
      const block = k.HeapAlloc(heap, HEAP_ZERO_MEMORY, size);
      expect(k.HeapSize(heap, 0, block)).toBe(size);
      expect(allZero(k.mem.read(block, size))).toBe(true);
      k.HeapFree(heap, 0, block);
    }
  });

  it('H-011: fixed heap of A bytes: A − (0x400 + 0x100·ptr) fits exactly, A − (0x200 + 0x80·ptr) fails with ERROR_NOT_ENOUGH_MEMORY', () => {
    const { k, ptr, A } = setup();
    const heap = k.HeapCreate(0, A, A);
    const fits = A - (0x400 + 0x100 * ptr);
    const block = k.HeapAlloc(heap, 0, fits);
    expect(block).not.toBe(0);
    expect(k.HeapSize(heap, 0, block)).toBe(fits);
    expect(k.HeapFree(heap, 0, block)).toBe(true);
    expect(attempt(k, () => k.HeapAlloc(heap, 0, A - (0x200 + 0x80 * ptr)))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
  });

  it('H-013: HeapCreate(0, 2·C, 5·C), C = 10 pages: 5·C+1 and 5·C fail, C succeeds', () => {
    const { k } = setup();
    const C = 10 * 0x1000;
    const heap = k.HeapCreate(0, 2 * C, 5 * C);
    expect(attempt(k, () => k.HeapAlloc(heap, 0, 5 * C + 1))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    expect(attempt(k, () => k.HeapAlloc(heap, 0, 5 * C))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    expect(k.HeapAlloc(heap, 0, C)).not.toBe(0);
  });

  it('fixed heaps refuse large blocks (above the large-block threshold) and run out', () => {
    const { k, A, ptr } = setup();
    const heap = k.HeapCreate(0, 2 * A, 5 * A);
    expect(k.HeapAlloc(heap, 0, 0)).not.toBe(0);
    const threshold = 0x20000 * ptr - 0x1000;
    expect(attempt(k, () => k.HeapAlloc(heap, 0, threshold))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    const block = k.HeapAlloc(heap, 0, A);
    expect(k.HeapSize(heap, 0, block)).toBe(A);
    expect(attempt(k, () => k.HeapAlloc(heap, 0, 4 * A))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    // Filling it with small blocks ends in failure, never in a broken heap.
    let count = 0;
    while (k.HeapAlloc(heap, 0, 1000) !== 0) count++;
    expect(count).toBeGreaterThan(100);
    expect(k.GetLastError()).toBe(ERROR_NOT_ENOUGH_MEMORY);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
  });

  it('a growable heap out of commit fails with ERROR_NOT_ENOUGH_MEMORY and recovers after frees', () => {
    const k = heapKernel(geometry, 'lfh', { physicalMemory: 8 << 20, pagingFile: 0 });
    const heap = k.HeapCreate(0, 0, 0);
    const blocks: number[] = [];
    for (;;) {
      const block = k.HeapAlloc(heap, 0, 60_000);
      if (block === 0) break;
      blocks.push(block);
      expect(blocks.length).toBeLessThan(200);
    }
    expect(blocks.length).toBeGreaterThan(10);
    expect(attempt(k, () => k.HeapAlloc(heap, 0, 60_000))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
    for (const block of blocks.splice(0, 4)) expect(k.HeapFree(heap, 0, block)).toBe(true);
    expect(k.HeapAlloc(heap, 0, 60_000)).not.toBe(0);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
  });

  it('H-014: a growable heap serves 5·A+1 bytes (a large block)', () => {
    const { k, heap, A } = setup();
    const block = k.HeapAlloc(heap, 0, 5 * A + 1);
    expect(block).not.toBe(0);
    expect(k.HeapSize(heap, 0, block)).toBe(5 * A + 1);
    k.mem.setUint8(block + 5 * A, 7);
    expect(k.HeapFree(heap, 0, block)).toBe(true);
  });

  it('H-015: HEAP_GENERATE_EXCEPTIONS raises STATUS_NO_MEMORY instead of returning NULL', () => {
    const { k, heap } = setup();
    let raised: unknown;
    try {
      k.HeapAlloc(heap, HEAP_GENERATE_EXCEPTIONS, 2 ** 52);
    } catch (error) {
      raised = error;
    }
    expect(raised).toMatchObject({ code: STATUS_NO_MEMORY });
    const block = k.HeapAlloc(heap, 0, 16);
    expect(() => k.HeapReAlloc(heap, HEAP_GENERATE_EXCEPTIONS, block, 2 ** 52)).toThrowError(
      expect.objectContaining({ code: STATUS_NO_MEMORY }),
    );
    expect(k.HeapSize(heap, 0, block)).toBe(16);
  });

  it('H-017: HeapReAlloc to ~0 − 7 or ~0 fails; the block stays valid', () => {
    const { k, heap, ptr } = setup();
    const block = k.HeapAlloc(heap, 0, 0);
    expect(k.HeapSize(heap, 0, block)).toBe(0);
    const all = ptr === 8 ? 2 ** 64 - 1 : 0xffffffff;
    expect(attempt(k, () => k.HeapReAlloc(heap, 0, block, all - 7))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    expect(k.HeapReAlloc(heap, 0, block, all)).toBe(0);
    expect(k.HeapValidate(heap, 0, block)).toBe(true);
    expect(k.HeapFree(heap, 0, block)).toBe(true);
  });

  it('H-018: HeapReAlloc of a 1- or 17-byte block to 0 gives a block of size 0', () => {
    const { k, heap } = setup();
    for (const size of [1, 17]) {
      const block = k.HeapAlloc(heap, 0, size);
      const resized = k.HeapReAlloc(heap, 0, block, 0);
      expect(resized).not.toBe(0);
      expect(k.HeapSize(heap, 0, resized)).toBe(0);
      expect(k.HeapFree(heap, 0, resized)).toBe(true);
    }
  });

  it('H-019: HeapReAlloc with HEAP_ZERO_MEMORY zeroes the added bytes and keeps the old ones', () => {
    const { k, heap, A } = setup();
    let block = k.HeapAlloc(heap, 0, A);
    k.mem.fill(block, A, 0x77);
    block = k.HeapReAlloc(heap, HEAP_ZERO_MEMORY, block, 3 * A);
    expect(k.HeapSize(heap, 0, block)).toBe(3 * A);
    expect(k.mem.read(block, A).every((byte) => byte === 0x77)).toBe(true);
    expect(allZero(k.mem.read(block + A, 2 * A))).toBe(true);
    block = k.HeapReAlloc(heap, HEAP_ZERO_MEMORY, block, 1);
    expect(k.HeapSize(heap, 0, block)).toBe(1);
    expect(k.mem.getUint8(block)).toBe(0x77);
    block = k.HeapReAlloc(heap, HEAP_ZERO_MEMORY, block, 1 << 20);
    expect(k.HeapSize(heap, 0, block)).toBe(1 << 20);
    expect(allZero(k.mem.read(block + 1, (1 << 20) - 1))).toBe(true);
    // Growing a dirty small block in place zeroes only the grown tail.
    const small = k.HeapAlloc(heap, 0, 40);
    k.mem.fill(small, 40, 0x11);
    const grown = k.HeapReAlloc(heap, HEAP_ZERO_MEMORY, small, 48);
    expect(k.mem.read(grown, 40).every((byte) => byte === 0x11)).toBe(true);
    expect(allZero(k.mem.read(grown + 40, 8))).toBe(true);
  });

  it('H-020: HEAP_REALLOC_IN_PLACE_ONLY returns the same pointer or NULL, never a moved block', () => {
    const { k, heap } = setup();
    const blocks = [k.HeapAlloc(heap, 0, 100), k.HeapAlloc(heap, 0, 100), k.HeapAlloc(heap, 0, 100)];
    const middle = blocks[1]!;
    k.mem.fill(middle, 100, 0x42);
    for (const size of [50, 100, 101, 5000, 1 << 20]) {
      const [result, error] = attempt(k, () => k.HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, middle, size));
      if (result === 0) {
        expect(error).toBe(ERROR_NOT_ENOUGH_MEMORY);
      } else {
        expect(result).toBe(middle);
        expect(k.HeapSize(heap, 0, middle)).toBe(size);
      }
      expect(k.mem.getUint8(middle)).toBe(0x42);
    }
  });

  it('H-021: shrinking in place keeps the pointer; growing back to 2·A in place works for a small-ish block', () => {
    const { k, heap, A } = setup();
    const block = k.HeapAlloc(heap, HEAP_ZERO_MEMORY, 3 * A);
    expect(k.HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, block, (A * 3) / 2)).toBe(block);
    expect(k.HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, block, 2 * A)).toBe(block);
    expect(k.HeapSize(heap, 0, block)).toBe(2 * A);
  });

  it('H-021: a 1 MiB block shrunk in place to 1.5·A cannot grow back to 2·A in place (ERROR_NOT_ENOUGH_MEMORY)', () => {
    const { k, heap, A } = setup();
    const block = k.HeapAlloc(heap, HEAP_ZERO_MEMORY, 1 << 20);
    expect(k.HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, block, (A * 3) / 2)).toBe(block);
    expect(attempt(k, () => k.HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, block, 2 * A))).toEqual([
      0,
      ERROR_NOT_ENOUGH_MEMORY,
    ]);
    expect(k.HeapSize(heap, 0, block)).toBe((A * 3) / 2);
    expect(k.HeapFree(heap, 0, block)).toBe(true);
  });

  it('HeapReAlloc(NULL) fails with NO_ERROR; a moved block keeps its contents', () => {
    const { k, heap } = setup();
    expect(attempt(k, () => k.HeapReAlloc(heap, 0, 0, 1))).toEqual([0, ERROR_SUCCESS]);
    const first = k.HeapAlloc(heap, 0, 24);
    const fence = k.HeapAlloc(heap, 0, 24);
    for (let index = 0; index < 24; index++) k.mem.setUint8(first + index, index + 1);
    const moved = k.HeapReAlloc(heap, 0, first, 5000);
    expect(moved).not.toBe(0);
    expect([...k.mem.read(moved, 24)]).toEqual(Array.from({ length: 24 }, (_, index) => index + 1));
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
    expect(k.HeapFree(heap, 0, fence)).toBe(true);
  });

  it('H-024: HeapValidate: whole heap and live block TRUE, freed block or foreign pointer FALSE, GLE unchanged', () => {
    const { k, heap } = setup();
    expect(attempt(k, () => k.HeapValidate(heap, 0, 0))).toEqual([true, SENTINEL]);
    expect(attempt(k, () => k.HeapValidate(heap, 0, undefined))).toEqual([true, SENTINEL]);
    const block = k.HeapAlloc(heap, 0, 64);
    expect(attempt(k, () => k.HeapValidate(heap, 0, block))).toEqual([true, SENTINEL]);
    expect(k.HeapFree(heap, 0, block)).toBe(true);
    expect(attempt(k, () => k.HeapValidate(heap, 0, block))).toEqual([false, SENTINEL]);
    // A pointer into memory the heap does not own.
    const other = k.HeapCreate(0, 0, 0);
    const foreign = k.HeapAlloc(other, 0, 64);
    expect(attempt(k, () => k.HeapValidate(heap, 0, foreign))).toEqual([false, SENTINEL]);
    expect(attempt(k, () => k.HeapValidate(heap, 0, block + 8))).toEqual([false, SENTINEL]);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
  });

  it('H-026: HeapSize fails with (SIZE_T)−1 and never sets the last error', () => {
    const { k, heap } = setup();
    const block = k.HeapAlloc(heap, 0, 10);
    expect(attempt(k, () => k.HeapSize(heap, 0, block))).toEqual([10, SENTINEL]);
    const other = k.HeapCreate(0, 0, 0);
    expect(attempt(k, () => k.HeapSize(other, 0, block))).toEqual([-1, SENTINEL]);
    expect(attempt(k, () => k.HeapSize(heap, 0, block + 16))).toEqual([-1, SENTINEL]);
    expect(attempt(k, () => k.HeapSize(0x12340000, 0, block))).toEqual([-1, SENTINEL]);
  });

  it('H-027: after a free, only HeapValidate(freed) == FALSE is observable; the heap stays valid', () => {
    const { k, heap } = setup();
    const block = k.HeapAlloc(heap, 0, 32);
    expect(k.HeapFree(heap, 0, block)).toBe(true);
    expect(k.HeapValidate(heap, 0, block)).toBe(false);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
  });

  it('HeapFree: NULL succeeds; a pointer that is no block fails with ERROR_INVALID_PARAMETER, changing nothing', () => {
    const { k, heap } = setup();
    expect(attempt(k, () => k.HeapFree(heap, 0, 0))).toEqual([true, SENTINEL]);
    expect(attempt(k, () => k.HeapFree(heap, 0, undefined))).toEqual([true, SENTINEL]);
    const block = k.HeapAlloc(heap, 0, 48);
    expect(attempt(k, () => k.HeapFree(heap, 0, block + 16))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(k.HeapSize(heap, 0, block)).toBe(48);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
    expect(attempt(k, () => k.HeapFree(0x7770000, 0, block))).toEqual([false, ERROR_INVALID_HANDLE]);
  });

  it('blocks of every small size keep their contents across other allocations and frees', () => {
    const { k, heap } = setup();
    const live: [number, number][] = [];
    for (let size = 0; size < 300; size += 7) {
      const block = k.HeapAlloc(heap, 0, size);
      k.mem.fill(block, size, size & 0xff);
      live.push([block, size]);
      if (size % 3 === 0) {
        const [gone] = live.splice(live.length >> 1, 1);
        expect(k.HeapFree(heap, 0, gone![0])).toBe(true);
      }
    }
    for (const [block, size] of live) {
      expect(k.HeapSize(heap, 0, block)).toBe(size);
      expect(k.mem.read(block, size).every((byte) => byte === (size & 0xff))).toBe(true);
    }
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
  });
});

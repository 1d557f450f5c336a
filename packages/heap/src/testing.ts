// @mem/heap/testing: describeHeapStrategy(), the one vitest suite every strategy runs (unstorage's
// testDriver). It checks the Allocator contract over a page source: alignment, contents kept across
// realloc, zeroing, usable sizes, refusal of misuse without any change, exhaustion, peaks, walk
// against stats, and detection of a header overwritten by an overflow. vitest is an optional peer.
import { describe, expect, it } from 'vitest';
import type { Allocator, HeapStats, PageSource } from './api';
import { createAllocator } from './createAllocator';
import { BufferPageSource } from './sources/BufferPageSource';

/** STATUS_HEAP_CORRUPTION and ERROR_INVALID_PARAMETER, as the suite expects them in MemError.code. */
const HEAP_CORRUPTION = 0xc0000374;
const INVALID_PARAMETER = 87;

export interface DescribeHeapStrategyOptions {
  /** Suite title suffix, e.g. 'ArrayBuffer x86'. */
  label?: string;
  /** Page source for one test (a fresh one each call); default: a 32-MiB ArrayBuffer with 8-byte pointers. */
  makeSource?: () => PageSource;
}

/** The `code` of what `action` throws (a MemError's Windows code), or undefined when it does not throw. */
export function errorCode(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    return (error as { code?: number }).code;
  }
  return undefined;
}

function snapshot(allocator: Allocator): HeapStats {
  return { ...allocator.stats() };
}

/** Writes bytes derived from `seed` over [pointer, pointer + size). */
export function writePattern(allocator: Allocator, pointer: number, size: number, seed: number): void {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (seed * 31 + i * 7) & 0xff;
  allocator.memory.write(pointer, bytes);
}

/** The index of the first byte that differs from writePattern's, or −1. */
export function checkPattern(allocator: Allocator, pointer: number, size: number, seed: number): number {
  const bytes = allocator.memory.read(pointer, size);
  for (let i = 0; i < size; i++) if (bytes[i] !== ((seed * 31 + i * 7) & 0xff)) return i;
  return -1;
}

/**
 * Registers the shared suite for the strategy registered as `strategy`. The second argument is either
 * options or just the page-source factory: `describeHeapStrategy('tlsf', () => myPageSource())`.
 */
export function describeHeapStrategy(
  strategy: string,
  optionsOrSource: DescribeHeapStrategyOptions | (() => PageSource) = {},
): void {
  const options = typeof optionsOrSource === 'function' ? { makeSource: optionsOrSource } : optionsOrSource;
  const makeSource = options.makeSource ?? (() => new BufferPageSource(new ArrayBuffer(32 << 20)));
  const make = (): Allocator => createAllocator({ strategy, memory: makeSource() });

  describe(`heap strategy '${strategy}'${options.label ? ` over ${options.label}` : ''}`, () => {
    it('aligns blocks to two pointers, and to any requested power of two', () => {
      const allocator = make();
      const granule = 2 * makeSource().pointerSize;
      for (let size = 0; size < 300; size += 7) {
        const pointer = allocator.alloc(size);
        expect(pointer).not.toBe(0);
        expect(pointer % granule).toBe(0);
      }
      for (const alignment of [32, 64, 256, 4096]) {
        const pointer = allocator.alloc(100, alignment);
        expect(pointer % alignment).toBe(0);
        writePattern(allocator, pointer, 100, alignment);
        expect(checkPattern(allocator, pointer, 100, alignment)).toBe(-1);
      }
      allocator.validate();
    });

    it('gives usable sizes of at least the request and never overlapping blocks', () => {
      const allocator = make();
      const blocks: [number, number][] = [];
      for (let i = 0; i < 200; i++) {
        const size = (i * 37) % 600;
        const pointer = allocator.alloc(size);
        expect(allocator.usableSize(pointer)).toBeGreaterThanOrEqual(size);
        writePattern(allocator, pointer, size, i);
        blocks.push([pointer, size]);
      }
      blocks.forEach(([pointer, size], i) => {
        expect(checkPattern(allocator, pointer, size, i)).toBe(-1);
      });
      allocator.validate();
    });

    it('keeps the contents across realloc, growing and shrinking, small and large', () => {
      const allocator = make();
      let pointer = allocator.alloc(40);
      writePattern(allocator, pointer, 40, 5);
      let kept = 40;
      for (const size of [100, 3000, 20, 70_000, 1_200_000, 64, 0, 33]) {
        const moved = allocator.realloc(pointer, size);
        expect(moved).not.toBe(0);
        expect(checkPattern(allocator, moved, Math.min(kept, size), 5)).toBe(-1);
        writePattern(allocator, moved, size, 5);
        kept = size;
        pointer = moved;
        allocator.validate();
      }
      expect(allocator.stats().liveBytes).toBe(33);
    });

    it('zeroes calloc blocks even where freed data lay', () => {
      const allocator = make();
      const dirty = allocator.alloc(512);
      allocator.memory.fill(dirty, 512, 0xff);
      allocator.free(dirty);
      const pointer = allocator.calloc(16, 32);
      expect(allocator.memory.read(pointer, 512).every((byte) => byte === 0)).toBe(true);
      expect(allocator.calloc(2 ** 40, 2 ** 40)).toBe(0);
    });

    it('refuses double frees, foreign and interior pointers, and changes nothing', () => {
      const allocator = make();
      const kept = allocator.alloc(64);
      const freed = allocator.alloc(64);
      const big = allocator.alloc(2_000_000);
      allocator.free(freed);
      allocator.validate();
      const before = snapshot(allocator);
      const bad = [freed, kept + 8, kept + 1, kept - 16, big + 16, 8, 0x7fff_0000, 3.5, -16];
      for (const pointer of bad) {
        expect(errorCode(() => allocator.free(pointer))).toBe(INVALID_PARAMETER);
        expect(errorCode(() => allocator.usableSize(pointer))).toBe(INVALID_PARAMETER);
        expect(errorCode(() => allocator.realloc(pointer, 10))).toBe(INVALID_PARAMETER);
      }
      allocator.validate();
      expect(snapshot(allocator)).toEqual(before);
      expect(errorCode(() => allocator.alloc(-1))).toBe(INVALID_PARAMETER);
      expect(errorCode(() => allocator.alloc(Number.NaN))).toBe(INVALID_PARAMETER);
      expect(errorCode(() => allocator.alloc(8, 24))).toBe(INVALID_PARAMETER);
      expect(snapshot(allocator)).toEqual(before);
    });

    it('returns 0 when memory runs out, stays valid, and recovers after frees', () => {
      const allocator = make();
      expect(allocator.alloc(2 ** 50)).toBe(0);
      const blocks: number[] = [];
      for (let i = 0; i < 4096; i++) {
        const pointer = allocator.alloc(300_000);
        if (pointer === 0) break;
        blocks.push(pointer);
      }
      expect(blocks.length).toBeGreaterThan(4);
      expect(blocks.length).toBeLessThan(4096);
      allocator.validate();
      const kept = blocks[0] as number;
      writePattern(allocator, kept, 300_000, 9);
      expect(allocator.realloc(kept, 2 ** 45)).toBe(0);
      expect(checkPattern(allocator, kept, 300_000, 9)).toBe(-1);
      for (const pointer of blocks) allocator.free(pointer);
      allocator.validate();
      expect(allocator.stats().liveBytes).toBe(0);
      expect(allocator.stats().liveBlocks).toBe(0);
      expect(allocator.alloc(300_000)).not.toBe(0);
    });

    it('keeps peaks monotone and the walk consistent with the stats', () => {
      const allocator = make();
      const live: number[] = [];
      let peakLive = 0;
      let peakCommitted = 0;
      for (let step = 0; step < 600; step++) {
        if (step % 3 === 2 && live.length > 0) {
          allocator.free(live.splice((step * 7) % live.length, 1)[0] as number);
        } else {
          live.push(allocator.alloc((step * 53) % (step % 50 === 0 ? 700_000 : 2000)));
        }
        const stats = allocator.stats();
        expect(stats.peakLiveBytes).toBeGreaterThanOrEqual(peakLive);
        expect(stats.peakCommittedBytes).toBeGreaterThanOrEqual(peakCommitted);
        expect(stats.peakLiveBytes).toBeGreaterThanOrEqual(stats.liveBytes);
        expect(stats.peakCommittedBytes).toBeGreaterThanOrEqual(stats.committedBytes);
        peakLive = stats.peakLiveBytes;
        peakCommitted = stats.peakCommittedBytes;
      }
      const stats = allocator.stats();
      let busyBytes = 0;
      let busyCount = 0;
      let regionBytes = 0;
      allocator.walk((entry) => {
        if (entry.kind === 'busy' || entry.kind === 'large') {
          busyBytes += entry.size;
          busyCount++;
        }
        if (entry.kind === 'region') {
          expect((entry.committedSize ?? 0) + (entry.uncommittedSize ?? 0)).toBe(entry.size);
          regionBytes += entry.committedSize ?? 0;
        }
      });
      expect(busyBytes).toBe(stats.liveBytes);
      expect(busyCount).toBe(stats.liveBlocks);
      expect(regionBytes).toBeLessThanOrEqual(stats.committedBytes);
      expect(stats.committedBytes).toBeGreaterThanOrEqual(stats.liveBytes);
      expect(stats.reservedBytes).toBeGreaterThanOrEqual(stats.committedBytes);
      for (const pointer of live) allocator.free(pointer);
      expect(allocator.stats().liveBytes).toBe(0);
      allocator.validate();
    });

    it('finds a header overwritten by an overflow of the block before it', () => {
      const allocator = make();
      const first = allocator.alloc(48);
      const second = allocator.alloc(48);
      allocator.validate();
      const before = snapshot(allocator);
      const overflow = allocator.usableSize(first) + 16;
      allocator.memory.fill(first, overflow, 0x41);
      expect(second).toBeGreaterThan(first);
      expect(errorCode(() => allocator.validate())).toBe(HEAP_CORRUPTION);
      expect(errorCode(() => allocator.free(second))).toBe(HEAP_CORRUPTION);
      expect({ ...allocator.stats(), largestFreeBlock: 0 }).toEqual({ ...before, largestFreeBlock: 0 });
    });
  });
}

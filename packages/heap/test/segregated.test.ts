// The NT back end: header layout in memory (x86 and x64), free-list links in free blocks, coalescing,
// corruption found and named, large blocks, segment growth, decommit hysteresis and fixed heaps.
import { describe, expect, it } from 'vitest';
import { BLOCK_BUSY, BLOCK_LAST, largeBlockThreshold } from '../src/constants';
import { SegregatedHeap } from '../src/strategies/segregated';
import type { HeapWalkEntry } from '../src/api';
import { bufferSource, highSource } from './support/sources';

const HEAP_CORRUPTION = 0xc0000374;

function entries(heap: SegregatedHeap): HeapWalkEntry[] {
  const list: HeapWalkEntry[] = [];
  heap.walk((entry) => list.push(entry));
  return list;
}

function thrown(action: () => unknown): { code?: number; message?: string } {
  try {
    action();
  } catch (error) {
    return error as { code?: number; message?: string };
  }
  return {};
}

describe.each([4, 8] as const)('segregated back end, pointer size %i', (pointerSize) => {
  const granule = 2 * pointerSize;
  const header = 2 * pointerSize;
  const make = (options: { maximumSize?: number; initialCommit?: number } = {}) =>
    new SegregatedHeap({ source: bufferSource(pointerSize), ...options });

  it('writes the header before the block: size in granules, flags, unused bytes, previous size', () => {
    const heap = make();
    const first = heap.allocate(100);
    const second = heap.allocate(7);
    const memory = heap.memory;
    expect(first % granule).toBe(0);
    const word0 = memory.getUint32(first - 8);
    const granules = Math.ceil((100 + header) / granule);
    expect(word0 & 0xffffff).toBe(granules);
    expect((word0 >>> 24) & 3).toBe(BLOCK_BUSY);
    expect(word0 >>> 26).toBe(granules * granule - header - 100);
    expect(second).toBe(first + granules * granule);
    expect(memory.getUint32(second - 4) & 0xffffff).toBe(granules);
    // The free remainder after them is the last block of the committed range.
    const rest = second - header + (memory.getUint32(second - 8) & 0xffffff) * granule;
    expect((memory.getUint32(rest + header - 8) >>> 24) & 3).toBe(BLOCK_LAST);
    expect(heap.sizeOf(first)).toBe(100);
    expect(heap.usableSize(first)).toBe(granules * granule - header);
  });

  it('keeps free-list links inside free blocks', () => {
    const heap = make();
    const blocks = Array.from({ length: 6 }, () => heap.allocate(40));
    heap.free(blocks[1] as number);
    heap.free(blocks[3] as number);
    // LIFO: the block freed last links forward to the one freed first, which links back to it.
    const readPointer = (address: number) =>
      pointerSize === 4
        ? heap.memory.getUint32(address)
        : heap.memory.getUint32(address) + heap.memory.getUint32(address + 4) * 2 ** 32;
    expect(readPointer(blocks[3] as number)).toBe((blocks[1] as number) - header);
    expect(readPointer((blocks[1] as number) + pointerSize)).toBe((blocks[3] as number) - header);
    heap.validate();
  });

  it('coalesces a freed block with both free neighbours at once', () => {
    const heap = make();
    const [a, b, c, d] = [heap.allocate(64), heap.allocate(64), heap.allocate(64), heap.allocate(64)] as number[];
    heap.free(a as number);
    heap.free(c as number);
    const before = entries(heap).filter((entry) => entry.kind === 'free').length;
    heap.free(b as number);
    const free = entries(heap).filter((entry) => entry.kind === 'free');
    expect(free.length).toBe(before - 1);
    expect(free[0]?.address).toBe(a);
    // One block from a's header to d's header: its body is that span less one header.
    expect(free[0]?.size).toBe((d as number) - (a as number) - header);
    heap.validate();
  });

  it('names the block whose header an overflow overwrote, and refuses to free through it', () => {
    const heap = make();
    const first = heap.allocate(24);
    const second = heap.allocate(24);
    heap.allocate(24);
    const fourth = heap.allocate(24);
    // Past the block and over the whole header after it (on x64 its first 8 bytes are unchecked).
    heap.memory.fill(first, heap.usableSize(first) + header, 0x00);
    const error = thrown(() => heap.validate());
    expect(error.code).toBe(HEAP_CORRUPTION);
    expect(error.message).toContain(`0x${(second - header).toString(16).toUpperCase()}`);
    const live = heap.stats().liveBytes;
    expect(thrown(() => heap.free(first)).code).toBe(HEAP_CORRUPTION);
    expect(thrown(() => heap.free(second)).code).toBe(HEAP_CORRUPTION);
    expect(heap.stats().liveBytes).toBe(live);
    expect(heap.validate(fourth)).toBeUndefined();
  });

  it('finds a free-list link overwritten through a dangling pointer', () => {
    const heap = make();
    const blocks = Array.from({ length: 4 }, () => heap.allocate(40));
    heap.free(blocks[1] as number);
    heap.memory.setUint32((blocks[1] as number) + pointerSize, 0x1234);
    expect(thrown(() => heap.validate()).code).toBe(HEAP_CORRUPTION);
  });

  it('unlinks safely: a free block whose links were overwritten is neither handed out nor merged', () => {
    const heap = make();
    const blocks = Array.from({ length: 4 }, () => heap.allocate(40));
    heap.free(blocks[1] as number);
    const before = heap.stats();
    heap.memory.setUint32(blocks[1] as number, 0x1230);
    expect(thrown(() => heap.allocate(40)).code).toBe(HEAP_CORRUPTION);
    expect(thrown(() => heap.free(blocks[0] as number)).code).toBe(HEAP_CORRUPTION);
    expect(thrown(() => heap.free(blocks[2] as number)).code).toBe(HEAP_CORRUPTION);
    expect(heap.stats()).toEqual(before);
    expect(thrown(() => heap.validate()).code).toBe(HEAP_CORRUPTION);
  });

  it('serves blocks at the large-block threshold from their own reservations', () => {
    const heap = make();
    const threshold = largeBlockThreshold(pointerSize);
    expect(threshold).toBe(pointerSize === 4 ? 0x7f000 : 0xff000);
    const below = heap.allocate(threshold - 1);
    const reserved = heap.stats().reservedBytes;
    const large = heap.allocate(threshold);
    expect(large % (8 * pointerSize)).toBe(0);
    expect(heap.stats().reservedBytes).toBeGreaterThanOrEqual(reserved + threshold);
    const kinds = entries(heap);
    expect(kinds.find((entry) => entry.address === below)?.kind).toBe('busy');
    const largeEntry = kinds.at(-1);
    expect(largeEntry).toMatchObject({ kind: 'large', address: large, size: threshold, regionIndex: 64 });
    heap.free(large);
    expect(heap.stats().reservedBytes).toBe(reserved);
    heap.validate();
  });

  it('grows by segments of 1 MiB, then doubling; compact gives whole free later segments back', () => {
    const heap = make();
    const blocks: number[] = [];
    for (let i = 0; i < 60; i++) blocks.push(heap.allocate(200_000));
    const regions = entries(heap).filter((entry) => entry.kind === 'region');
    expect(regions[0]?.size).toBe(0x10000);
    expect(regions.slice(1, 4).map((region) => region.size)).toEqual([0x100000, 0x200000, 0x400000]);
    expect(regions.every((region) => region.address % 4096 === 0)).toBe(true);
    for (const block of blocks) heap.free(block);
    heap.validate();
    expect(heap.stats().committedBytes).toBeLessThan(regions.length * 0x20000);
    heap.compact();
    heap.validate();
    expect(entries(heap).filter((entry) => entry.kind === 'region').length).toBe(1);
    expect(heap.stats().liveBytes).toBe(0);
  });

  it('decommits a large free tail only beyond the total-free hysteresis', () => {
    const heap = make();
    const small = heap.allocate(2000);
    const committed = heap.stats().committedBytes;
    heap.free(small);
    expect(heap.stats().committedBytes).toBe(committed);
    const big = Array.from({ length: 8 }, () => heap.allocate(30_000));
    const peak = heap.stats().committedBytes;
    for (const block of big) heap.free(block);
    expect(heap.stats().committedBytes).toBeLessThan(peak);
    const uncommitted = entries(heap).find((entry) => entry.kind === 'uncommitted');
    expect(uncommitted?.size).toBeGreaterThan(0);
    heap.validate();
  });

  it('a fixed heap fails large blocks and stays inside its maximum (H-011)', () => {
    const size = 0x8000 * pointerSize;
    const heap = make({ maximumSize: size });
    expect(heap.allocate(largeBlockThreshold(pointerSize))).toBe(0);
    expect(heap.allocate(size - (0x200 + 0x80 * pointerSize))).toBe(0);
    const fits = heap.allocate(size - (0x400 + 0x100 * pointerSize));
    expect(fits).not.toBe(0);
    expect(heap.sizeOf(fits)).toBe(size - (0x400 + 0x100 * pointerSize));
    expect(heap.stats().reservedBytes).toBe(size);
    heap.free(fits);
    const blocks: number[] = [];
    for (let pointer = heap.allocate(1000); pointer !== 0; pointer = heap.allocate(1000)) blocks.push(pointer);
    expect(heap.stats().reservedBytes).toBe(size);
    expect(blocks.length).toBeGreaterThan(100);
    heap.validate();
  });

  it('resizes in place: shrinking splits, growing takes the free neighbour, else refuses', () => {
    const heap = make();
    const a = heap.allocate(1000);
    const b = heap.allocate(100);
    expect(heap.resizeInPlace(a, 200)).toBe(true);
    expect(heap.sizeOf(a)).toBe(200);
    expect(heap.resizeInPlace(a, 900)).toBe(true);
    expect(heap.resizeInPlace(a, 5000)).toBe(false);
    expect(heap.resizeInPlace(b, 50_000)).toBe(true);
    heap.validate();
    expect(heap.stats().liveBytes).toBe(900 + 50_000);
  });

  it('handles addresses above 2^32 (x64 user space) without 32-bit truncation', () => {
    // x86 addresses stay below 4 GiB but above 2^31; x64 ones go above 2^40.
    const offset = pointerSize === 4 ? 2 ** 31 + 2 ** 30 : 2 ** 40 + 2 ** 31;
    const heap = new SegregatedHeap({ source: highSource(pointerSize, offset) });
    const blocks: number[] = [];
    for (let i = 0; i < 500; i++) blocks.push(heap.allocate((i * 97) % 3000));
    for (let i = 0; i < 500; i += 2) heap.free(blocks[i] as number);
    const large = heap.allocate(largeBlockThreshold(pointerSize) + 10);
    expect(large).toBeGreaterThan(offset);
    heap.validate();
    for (let i = 1; i < 500; i += 2) heap.free(blocks[i] as number);
    heap.free(large);
    heap.validate();
    expect(heap.stats().liveBytes).toBe(0);
  });
});

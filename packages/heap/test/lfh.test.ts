// The LFH front end: Windows bucket tables, activation by the usage heuristic (H-040), declining what
// it cannot serve, taking over a live back end, and corruption between its chunks.
import { describe, expect, it } from 'vitest';
import type { HeapWalkEntry } from '../src/api';
import { createLowFragmentationHeap, lfhBucketSizes, LowFragmentationHeap } from '../src/strategies/lfh';
import { SegregatedHeap } from '../src/strategies/segregated';
import { errorCode as codeOf } from '../src/testing';
import { bufferSource } from './support/sources';

const HEAP_CORRUPTION = 0xc0000374;
const INVALID_PARAMETER = 87;

function walk(heap: LowFragmentationHeap): HeapWalkEntry[] {
  const list: HeapWalkEntry[] = [];
  heap.walk((entry) => list.push(entry));
  return list;
}

describe('LFH bucket tables (internals §4.2)', () => {
  it('x86: 8-byte steps to 256, then 16 buckets per power of two up to 16 KiB', () => {
    const sizes = lfhBucketSizes(4);
    expect([sizes[1], sizes[32], sizes[33], sizes[48], sizes[49], sizes[64]]).toEqual([8, 256, 272, 512, 544, 1024]);
    expect([sizes[80], sizes[96], sizes[112], sizes[128]]).toEqual([2048, 4096, 8192, 16384]);
  });

  it('x64: 16-byte steps to 1 KiB, then 16 buckets per power of two up to 16 KiB', () => {
    const sizes = lfhBucketSizes(8);
    expect([sizes[1], sizes[64], sizes[65], sizes[80], sizes[81], sizes[128]]).toEqual([16, 1024, 1088, 2048, 2176, 16384]);
  });

  it.each([4, 8] as const)('maps every size to the smallest bucket that holds it (pointer size %i)', (pointerSize) => {
    const heap = new LowFragmentationHeap(new SegregatedHeap({ source: bufferSource(pointerSize) }));
    const sizes = lfhBucketSizes(pointerSize);
    for (let size = 0; size <= 16384; size++) {
      const bucket = heap.bucketFor(size);
      expect(sizes[bucket]).toBeGreaterThanOrEqual(size);
      if (bucket > 1) expect(sizes[bucket - 1]).toBeLessThan(size);
    }
    expect(heap.bucketFor(16385)).toBe(0);
  });
});

describe.each([4, 8] as const)('LFH front end, pointer size %i', (pointerSize) => {
  const make = () => new LowFragmentationHeap(new SegregatedHeap({ source: bufferSource(pointerSize) }));

  it('activates a bucket on the 18th live allocation of its size (H-040)', () => {
    const heap = make();
    const blocks: number[] = [];
    for (let i = 0; i < 17; i++) blocks.push(heap.allocate(0x50));
    expect(heap.compatibility).toBe(0);
    expect(heap.isBucketActive(0x50)).toBe(false);
    expect(walk(heap).some((entry) => entry.kind === 'subsegment')).toBe(false);
    blocks.push(heap.allocate(0x50));
    expect(heap.compatibility).toBe(2);
    expect(heap.frontEndActive).toBe(true);
    expect(heap.isBucketActive(0x50)).toBe(true);
    expect(heap.isBucketActive(0x500)).toBe(false);
    const entries = walk(heap);
    expect(entries.filter((entry) => entry.kind === 'subsegment')).toHaveLength(1);
    const chunk = entries.find((entry) => entry.kind === 'busy' && entry.frontEnd === true);
    expect(chunk).toMatchObject({ address: blocks[17], size: 0x50 });
    expect(heap.isFrontEndBlock(blocks[17] as number)).toBe(true);
    expect(heap.isFrontEndBlock(blocks[0] as number)).toBe(false);
    expect(heap.isFrontEndBlock((blocks[17] as number) + 8)).toBe(false);
    heap.validate();
    for (const block of blocks) heap.free(block);
    heap.validate();
    expect(heap.stats().liveBytes).toBe(0);
  });

  it('activates after 0x7F8 requests even when few blocks are live at once', () => {
    const heap = make();
    for (let i = 0; i < 0x7f7; i++) heap.free(heap.allocate(200));
    expect(heap.isBucketActive(200)).toBe(false);
    const pointer = heap.allocate(200);
    expect(heap.isBucketActive(200)).toBe(true);
    expect(walk(heap).find((entry) => entry.address === pointer)?.frontEnd).toBe(true);
  });

  it('compact returns empty subsegments to the back end', () => {
    const heap = createLowFragmentationHeap(new SegregatedHeap({ source: bufferSource(pointerSize) }), {
      activateImmediately: true,
    });
    const blocks = [16, 100, 1000, 5000].map((size) => heap.allocate(size));
    const subsegments = () => walk(heap).filter((entry) => entry.kind === 'subsegment').length;
    expect(subsegments()).toBe(4);
    for (const block of blocks) heap.free(block);
    expect(subsegments()).toBe(4);
    heap.compact();
    expect(subsegments()).toBe(0);
    heap.validate();
    expect(heap.allocate(100)).not.toBe(0);
    heap.validate();
  });

  it('never activates over a fixed-size back end', () => {
    const heap = new LowFragmentationHeap(new SegregatedHeap({ source: bufferSource(pointerSize), maximumSize: 1 << 20 }));
    const blocks = Array.from({ length: 40 }, () => heap.allocate(64));
    expect(heap.compatibility).toBe(0);
    expect(blocks.every((block) => heap.backEnd.owns(block))).toBe(true);
  });

  it('declines sizes over 16 KiB and alignments above the granule to the back end', () => {
    const heap = createLowFragmentationHeap(new SegregatedHeap({ source: bufferSource(pointerSize) }), {
      activateImmediately: true,
    });
    const small = heap.allocate(100);
    const big = heap.allocate(16385);
    const aligned = heap.allocate(100, 256);
    expect(aligned % 256).toBe(0);
    const byAddress = new Map(walk(heap).map((entry) => [entry.address, entry]));
    expect(byAddress.get(small)?.frontEnd).toBe(true);
    expect(byAddress.get(big)?.frontEnd).toBeUndefined();
    expect(byAddress.get(aligned)?.frontEnd).toBeUndefined();
    expect(heap.backEnd.owns(big)).toBe(true);
    expect(heap.backEnd.owns(small)).toBe(false);
  });

  it('takes over a live back end: its blocks stay valid and are freed through the front end', () => {
    const backEnd = new SegregatedHeap({ source: bufferSource(pointerSize) });
    const old = Array.from({ length: 30 }, (_, i) => backEnd.allocate(64 + i));
    const heap = createLowFragmentationHeap(backEnd);
    expect(heap.compatibility).toBe(0);
    const fresh = Array.from({ length: 40 }, () => heap.allocate(64));
    expect(heap.compatibility).toBe(2);
    expect(heap.stats().liveBlocks).toBe(70);
    for (const block of old) heap.free(block);
    heap.validate();
    for (const block of fresh) heap.free(block);
    heap.validate();
    expect(heap.stats().liveBytes).toBe(0);
  });

  it('refuses interior and freed chunk pointers, and finds an overflow into the next chunk', () => {
    const heap = createLowFragmentationHeap(new SegregatedHeap({ source: bufferSource(pointerSize) }), {
      activateImmediately: true,
    });
    const first = heap.allocate(40);
    const second = heap.allocate(40);
    const third = heap.allocate(40);
    heap.free(third);
    expect(codeOf(() => heap.free(third))).toBe(INVALID_PARAMETER);
    expect(codeOf(() => heap.free(first + 8))).toBe(INVALID_PARAMETER);
    heap.validate();
    heap.memory.fill(first, heap.usableSize(first) + 2 * pointerSize, 0x41);
    expect(codeOf(() => heap.validate())).toBe(HEAP_CORRUPTION);
    expect(codeOf(() => heap.free(second))).toBe(HEAP_CORRUPTION);
  });

  it('resizes a chunk in place within its bucket only', () => {
    const heap = createLowFragmentationHeap(new SegregatedHeap({ source: bufferSource(pointerSize) }), {
      activateImmediately: true,
    });
    const pointer = heap.allocate(100);
    const capacity = heap.usableSize(pointer);
    expect(heap.resizeInPlace(pointer, capacity)).toBe(true);
    expect(heap.sizeOf(pointer)).toBe(capacity);
    expect(heap.resizeInPlace(pointer, capacity + 1)).toBe(false);
    expect(heap.resizeInPlace(pointer, 1)).toBe(true);
    expect(heap.stats().liveBytes).toBe(1);
    heap.validate();
  });
});

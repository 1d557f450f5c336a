// Conformance: HeapWalk (win32-facts §14.5: H-029..H-032), HeapSummary (H-041), HeapCompact (H-042), and the
// walk agreeing with HeapSummary.
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_SUCCESS } from '@mem/pages';
import { describe, expect, it } from 'vitest';
import {
  HEAP_ZERO_MEMORY,
  PROCESS_HEAP_ENTRY_BUSY,
  PROCESS_HEAP_ENTRY_DDESHARE,
  PROCESS_HEAP_ENTRY_MOVEABLE,
  PROCESS_HEAP_REGION,
  PROCESS_HEAP_UNCOMMITTED_RANGE,
} from '../../src/constants';
import { attempt, GEOMETRIES_32_64, heapKernel, SENTINEL, walkAll } from './support';

describe.each(GEOMETRIES_32_64)('HeapWalk on %s', (geometry) => {
  const setup = () => {
    const k = heapKernel(geometry);
    const ptr = k.process.geometry.pointerSize;
    return { k, ptr, A: 0x8000 * ptr, heap: k.HeapCreate(0, 0, 0) };
  };

  it('H-029: a fresh heap walks as region, free block, uncommitted range, then ERROR_NO_MORE_ITEMS', () => {
    const { k, heap, ptr } = setup();
    const entries = walkAll(k, heap);
    expect(entries).toHaveLength(3);
    const [region, free, uncommitted] = entries as [(typeof entries)[0], (typeof entries)[0], (typeof entries)[0]];
    expect(region.wFlags).toBe(PROCESS_HEAP_REGION);
    expect(region.lpData).toBe(heap);
    expect(region.cbData).toBeLessThanOrEqual(0x1000);
    expect(region.cbOverhead).toBe(0);
    expect(region.iRegionIndex).toBe(0);
    expect(region.Region.dwCommittedSize).toBe(0x400 * ptr);
    expect(region.Region.dwUnCommittedSize).toBe(0x10000 - region.Region.dwCommittedSize);
    expect([region.lpData + region.cbData + 2 * ptr, region.lpData + region.cbData + 4 * ptr]).toContain(
      region.Region.lpFirstBlock,
    );
    expect(region.Region.lpLastBlock).toBe(uncommitted.lpData + uncommitted.cbData);

    expect(free.wFlags).toBe(0);
    expect(free.lpData).not.toBe(0);
    expect(free.cbData).toBeGreaterThan(0);
    expect(free.cbOverhead).not.toBe(0);
    expect(free.iRegionIndex).toBe(0);

    expect(uncommitted.wFlags).toBe(PROCESS_HEAP_UNCOMMITTED_RANGE);
    expect(uncommitted.lpData).toBe(region.lpData + region.Region.dwCommittedSize);
    expect(uncommitted.lpData).toBe(free.lpData + free.cbData + 2 * free.cbOverhead);
    expect(uncommitted.cbData).toBe(region.Region.dwUnCommittedSize - 0x1000);
    expect(uncommitted.cbOverhead).toBe(0);
    expect(uncommitted.iRegionIndex).toBe(0);
  });

  it('H-030: after 123 and 456 bytes the busy blocks appear in address order with their exact sizes', () => {
    const { k, heap, ptr } = setup();
    const first = k.HeapAlloc(heap, HEAP_ZERO_MEMORY, 123);
    let entries = walkAll(k, heap);
    expect(entries).toHaveLength(4);
    const busy = entries[1]!;
    expect(busy.wFlags).toBe(PROCESS_HEAP_ENTRY_BUSY);
    expect(busy.lpData).toBe(first);
    expect(busy.cbData).toBe(123);
    expect(busy.cbOverhead).not.toBe(0);
    expect(busy.iRegionIndex).toBe(0);
    const free = entries[2]!;
    expect(free.wFlags).toBe(0);
    expect(free.lpData).toBe(busy.lpData + busy.cbData + busy.cbOverhead + 2 * ptr);
    expect(free.cbOverhead).not.toBe(0);
    expect(entries[3]!.wFlags).toBe(PROCESS_HEAP_UNCOMMITTED_RANGE);
    expect(entries[3]!.lpData).toBe(free.lpData + free.cbData + 2 * free.cbOverhead);

    const second = k.HeapAlloc(heap, HEAP_ZERO_MEMORY, 456);
    entries = walkAll(k, heap);
    expect(entries).toHaveLength(5);
    expect(entries[1]!.lpData).toBe(first);
    expect(entries[2]!.wFlags).toBe(PROCESS_HEAP_ENTRY_BUSY);
    expect(entries[2]!.lpData).toBe(second);
    expect(entries[2]!.cbData).toBe(456);
    expect(entries[3]!.lpData).toBe(entries[2]!.lpData + 456 + entries[2]!.cbOverhead + 2 * ptr);
  });

  it('H-031: a large block comes after the regions, busy, exact size, no overhead, region index 64', () => {
    const { k, heap, A } = setup();
    const fresh = walkAll(k, heap);
    const large = k.HeapAlloc(heap, HEAP_ZERO_MEMORY, 5 * A);
    let entries = walkAll(k, heap);
    expect(entries).toHaveLength(4);
    expect(entries.slice(0, 3)).toEqual(fresh);
    expect(entries[3]).toMatchObject({ wFlags: PROCESS_HEAP_ENTRY_BUSY, lpData: large, cbData: 5 * A, cbOverhead: 0, iRegionIndex: 64 });
    const second = k.HeapAlloc(heap, HEAP_ZERO_MEMORY, 5 * A);
    entries = walkAll(k, heap);
    expect(entries).toHaveLength(5);
    expect(entries[4]).toMatchObject({ wFlags: PROCESS_HEAP_ENTRY_BUSY, lpData: second, cbData: 5 * A, iRegionIndex: 64 });
    expect(k.HeapFree(heap, 0, second)).toBe(true);
    expect(k.HeapFree(heap, 0, large)).toBe(true);
    expect(walkAll(k, heap)).toEqual(fresh);
  });

  it('H-032: walks never report MOVEABLE or DDESHARE entries', () => {
    const { k } = setup();
    const processHeap = k.GetProcessHeap();
    for (let index = 0; index < 200; index++) k.HeapAlloc(processHeap, 0, (index * 37) % 700);
    for (const entry of walkAll(k, processHeap)) {
      expect(entry.wFlags & (PROCESS_HEAP_ENTRY_MOVEABLE | PROCESS_HEAP_ENTRY_DDESHARE)).toBe(0);
    }
  });

  it('a walk continues from the entry handed back; a made-up entry fails with ERROR_INVALID_PARAMETER', () => {
    const { k, heap } = setup();
    k.HeapAlloc(heap, 0, 10);
    const all = walkAll(k, heap);
    // Restarting from a copy of the second entry gives the third.
    const entry = { ...all[1]!, Block: { ...all[1]!.Block }, Region: { ...all[1]!.Region } };
    expect(k.HeapWalk(heap, entry)).toBe(true);
    expect(entry.lpData).toBe(all[2]!.lpData);
    expect(attempt(k, () => k.HeapWalk(heap, { lpData: 0x1234, wFlags: 4 }))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(attempt(k, () => k.HeapWalk(heap, undefined))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(attempt(k, () => k.HeapWalk(0x5550000, { lpData: 0 }))).toEqual([false, ERROR_INVALID_HANDLE]);
  });

  it('H-041: HeapSummary checks cb; cbAllocated is the sum of live block sizes', () => {
    const { k, heap, ptr } = setup();
    const size = ptr === 8 ? 40 : 20;
    expect(attempt(k, () => k.HeapSummary(heap, 0, { cb: size - 1 }))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(attempt(k, () => k.HeapSummary(heap, 0, { cb: 0 }))).toEqual([false, ERROR_INVALID_PARAMETER]);
    const blocks = [0x100, 0x200, 0x300, 0x60000].map((bytes) => k.HeapAlloc(heap, 0, bytes));
    expect(k.HeapFree(heap, 0, blocks[2]!)).toBe(true);
    const summary = { cb: size } as { cb: number; cbAllocated: number; cbCommitted: number; cbReserved: number; cbMaxReserve: number };
    expect(attempt(k, () => k.HeapSummary(heap, 0, summary))).toEqual([true, SENTINEL]);
    expect(summary.cbAllocated).toBe(0x100 + 0x200 + 0x60000);
    expect(summary.cbCommitted).toBeGreaterThanOrEqual(summary.cbAllocated);
    expect(summary.cbReserved).toBeGreaterThanOrEqual(summary.cbCommitted);
    expect(summary.cbMaxReserve).toBeGreaterThanOrEqual(summary.cbReserved);
  });

  it('a full walk agrees with HeapSummary: busy bytes = cbAllocated, region sizes = committed + reserved', () => {
    const { k, heap } = setup();
    const live: number[] = [];
    for (let index = 0; index < 300; index++) {
      live.push(k.HeapAlloc(heap, 0, (index * 97) % 3000));
      if (index % 4 === 0) k.HeapFree(heap, 0, live.splice(index % live.length, 1)[0]!);
    }
    live.push(k.HeapAlloc(heap, 0, 0x180000));
    const entries = walkAll(k, heap);
    const summary: Record<string, number> & { cb: number } = { cb: k.process.geometry.pointerSize === 8 ? 40 : 20 };
    expect(k.HeapSummary(heap, 0, summary)).toBe(true);
    const busyBytes = entries.filter((entry) => entry.wFlags & PROCESS_HEAP_ENTRY_BUSY).reduce((sum, entry) => sum + entry.cbData, 0);
    expect(busyBytes).toBe(summary.cbAllocated);
    const busyCount = entries.filter((entry) => entry.wFlags & PROCESS_HEAP_ENTRY_BUSY).length;
    expect(busyCount).toBe(live.length);
    const regions = entries.filter((entry) => entry.wFlags & PROCESS_HEAP_REGION);
    const committed = regions.reduce((sum, entry) => sum + entry.Region.dwCommittedSize, 0);
    expect(committed).toBeLessThanOrEqual(summary.cbCommitted!);
    expect(committed + regions.reduce((sum, entry) => sum + entry.Region.dwUnCommittedSize, 0)).toBeLessThanOrEqual(
      summary.cbReserved!,
    );
    // Every live block appears once, busy, with its HeapSize.
    for (const block of live) {
      const entry = entries.find((candidate) => candidate.lpData === block);
      expect(entry?.wFlags).toBe(PROCESS_HEAP_ENTRY_BUSY);
      expect(entry?.cbData).toBe(k.HeapSize(heap, 0, block));
    }
  });

  it('H-042: HeapCompact returns the largest committed free block, 0 with NO_ERROR when there is none', () => {
    const { k, heap, ptr } = setup();
    const blocks = [k.HeapAlloc(heap, 0, 3000), k.HeapAlloc(heap, 0, 100), k.HeapAlloc(heap, 0, 1000)];
    k.HeapFree(heap, 0, blocks[0]!);
    const largest = k.HeapCompact(heap, 0);
    // The largest free entry of the walk, counted with or without its overhead.
    const free = walkAll(k, heap).filter((entry) => entry.wFlags === 0);
    const biggest = free.reduce((best, entry) => (entry.cbData > best.cbData ? entry : best));
    expect(largest).toBeGreaterThanOrEqual(biggest.cbData);
    expect(largest).toBeLessThanOrEqual(biggest.cbData + 2 * biggest.cbOverhead);
    expect(largest).toBeGreaterThanOrEqual(3000);
    // A fixed heap filled completely has no free block left.
    const fixed = k.HeapCreate(0, 0x10000, 0x10000);
    for (let size = 0x8000; size >= 2 * ptr; ) {
      if (k.HeapAlloc(fixed, 0, size) === 0) size /= 2;
    }
    while (k.HeapAlloc(fixed, 0, 0) !== 0);
    const [result, error] = attempt(k, () => k.HeapCompact(fixed, 0));
    if (result === 0) expect(error).toBe(ERROR_SUCCESS);
    else expect(result).toBeLessThan(4 * ptr + 1);
  });
});

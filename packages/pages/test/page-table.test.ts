import { describe, expect, it } from 'vitest';
import {
  FAST_READ,
  FAST_WRITE,
  LEAF_PAGES,
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_FLAG_DIRTY,
  PAGE_FLAG_WATCHED,
  PAGE_GUARD,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOPY,
  PageTable,
  createMachine,
  fastEntry,
} from '../src/index';

describe('fast entries', () => {
  it('encode frame and access bits only for plain accessible pages', () => {
    expect(fastEntry(7, PAGE_READWRITE, 0)).toBe(7 * 4 + FAST_READ + FAST_WRITE);
    expect(fastEntry(7, PAGE_READONLY, 0)).toBe(7 * 4 + FAST_READ);
    expect(fastEntry(7, PAGE_EXECUTE_READ, 0)).toBe(7 * 4 + FAST_READ);
    expect(fastEntry(7, PAGE_EXECUTE, 0)).toBe(7 * 4 + FAST_READ);
    // write-copy stores need the slow path
    expect(fastEntry(7, PAGE_WRITECOPY, 0)).toBe(7 * 4 + FAST_READ);
    expect(fastEntry(-1, PAGE_READWRITE, 0)).toBe(0);
    expect(fastEntry(7, 0, 0)).toBe(0);
    expect(fastEntry(7, PAGE_NOACCESS, 0)).toBe(0);
    expect(fastEntry(7, PAGE_READWRITE | PAGE_GUARD, 0)).toBe(0);
    // armed write watch: stores go slow until the page is dirty
    expect(fastEntry(7, PAGE_READWRITE, PAGE_FLAG_WATCHED)).toBe(7 * 4 + FAST_READ);
    expect(fastEntry(7, PAGE_READWRITE, PAGE_FLAG_WATCHED | PAGE_FLAG_DIRTY)).toBe(7 * 4 + FAST_READ + FAST_WRITE);
    // frame 0 is a real frame
    expect(fastEntry(0, PAGE_READONLY, 0)).toBe(FAST_READ);
  });
});

describe('PageTable', () => {
  it('creates leaves and directories lazily and drops empty ones', () => {
    const table = new PageTable();
    expect(table.leafCount).toBe(0);
    const key = 2 ** 23 - 1; // the last leaf of a 128 TiB space
    const leaf = table.ensureLeaf(key);
    expect(table.ensureLeaf(key)).toBe(leaf);
    expect(table.leafCount).toBe(1);
    expect(table.directoryCount).toBe(1);
    expect(table.leaf(key - 1)).toBeUndefined();
    table.dropIfEmpty(leaf);
    expect(table.leafCount).toBe(0);
    expect(table.directoryCount).toBe(0);
    expect(table.leaf(key)).toBeUndefined();
  });

  it('finds the next existing leaf skipping absent directories', () => {
    const table = new PageTable();
    table.ensureLeaf(5);
    table.ensureLeaf(4096 * 300 + 17);
    expect(table.nextLeafKey(0, 2 ** 23)).toBe(5);
    expect(table.nextLeafKey(6, 2 ** 23)).toBe(4096 * 300 + 17);
    expect(table.nextLeafKey(4096 * 300 + 18, 2 ** 23)).toBe(2 ** 23);
    expect(table.nextLeafKey(6, 100)).toBe(100);
  });

  it('keeps the one-entry cache in step with leaf creation and removal', () => {
    const table = new PageTable();
    const empty = table.fastOf(9);
    expect(table.cacheKey).toBe(9);
    expect(empty.every((entry) => entry === 0)).toBe(true);
    const leaf = table.ensureLeaf(9);
    expect(table.cacheFast).toBe(leaf.fast);
    table.dropIfEmpty(leaf);
    expect(table.cacheFast).not.toBe(leaf.fast);
  });

  it('reserving 64 TiB creates no leaf; committing one page creates one', () => {
    const process = createMachine({ geometry: 'x64' }).createProcess();
    const space = process.addressSpace;
    const base = space.reserve(0, 64 * 2 ** 40);
    expect(space.pageTable.leafCount).toBe(0);
    expect(space.pageTable.hostBytes).toBe(0);
    space.commit(base + 2 ** 45, 1);
    expect(space.pageTable.leafCount).toBe(1);
    expect(space.pageTable.hostBytes).toBeLessThan(100_000);
    // a query across the reservation skips absent leaves: regions are reported exactly
    expect(space.query(base).regionSize).toBe(2 ** 45);
    expect(space.query(base + 2 ** 45).regionSize).toBe(4096);
    expect(space.query(base + 2 ** 45 + 4096).regionSize).toBe(64 * 2 ** 40 - 2 ** 45 - 4096);
    space.release(base);
    expect(space.pageTable.leafCount).toBe(0);
  });

  it('has 4096 pages per leaf', () => {
    expect(LEAF_PAGES).toBe(4096);
  });
});

// Large blocks over a flat buffer grow in place when the range after their reservation is free
// (PageSource.extend), so a buffer that doubles is not copied each time and never committed twice;
// a source without extend (a Windows process) keeps H-021: growth only within committed pages.
import { describe, expect, it } from 'vitest';
import { createAllocator } from '../src/createAllocator';
import { BufferPageSource } from '../src/sources/BufferPageSource';

const MiB = 1 << 20;

describe('FlatPageSource.extend', () => {
  it('grows a reservation into the free range after it and refuses when that range is taken or too small', () => {
    const source = new BufferPageSource(new ArrayBuffer(64 * 4096));
    const a = source.reserve(4096);
    expect(source.extend(a, 4096, 3 * 4096)).toBe(true);
    expect(source.reservedBytes).toBe(3 * 4096);
    // the range right after the extended reservation is what the next reservation gets
    const b = source.reserve(4096);
    expect(b).toBe(a + 3 * 4096);
    // a is now followed by b: no room, nothing changes
    expect(source.extend(a, 3 * 4096, 4 * 4096)).toBe(false);
    expect(source.reservedBytes).toBe(4 * 4096);
    // b is followed by the rest of the buffer but not by 100 pages
    expect(source.extend(b, 4096, 100 * 4096)).toBe(false);
    expect(source.reserve(59 * 4096)).toBe(b + 4096);
    expect(source.reservedBytes).toBe(63 * 4096);
  });
});

describe('large blocks over a flat buffer', () => {
  it('double in place at the top of the buffer, keeping contents and committing each page once', () => {
    const allocator = createAllocator({ strategy: 'segregated', memory: new ArrayBuffer(256 * MiB) });
    let size = 2 * MiB;
    const block = allocator.alloc(size);
    allocator.bytes?.fill(0x5a, block, block + size);
    for (let step = 0; step < 4; step++) {
      const grown = allocator.realloc(block, size * 2);
      expect(grown).toBe(block);
      const bytes = allocator.bytes as Uint8Array;
      expect(bytes[block]).toBe(0x5a);
      expect(bytes[block + size - 1]).toBe(0x5a);
      expect(bytes[block + size]).toBe(0);
      bytes.fill(0x5a, block + size, block + size * 2);
      size *= 2;
    }
    const stats = allocator.stats();
    expect(stats.liveBytes).toBe(32 * MiB);
    // one copy of the block (plus its header page), never two
    expect(stats.peakCommittedBytes).toBeLessThan(32 * MiB + 64 * 1024);
    allocator.validate();
    allocator.free(block);
    allocator.validate();
  });

  it('move when another reservation follows them, and the old pages are given back', () => {
    const allocator = createAllocator({ strategy: 'tlsf', memory: new ArrayBuffer(64 * MiB) });
    const first = allocator.alloc(2 * MiB);
    const second = allocator.alloc(2 * MiB);
    allocator.bytes?.fill(7, first, first + 2 * MiB);
    const moved = allocator.realloc(first, 4 * MiB);
    expect(moved).not.toBe(first);
    expect(allocator.bytes?.[moved + 2 * MiB - 1]).toBe(7);
    expect(allocator.stats().committedBytes).toBeLessThan(6 * MiB + 64 * 1024);
    allocator.free(second);
    allocator.free(moved);
    allocator.validate();
    expect(allocator.stats().liveBytes).toBe(0);
  });

  it('that cannot grow because the buffer ends leave the block and the heap unchanged', () => {
    const allocator = createAllocator({ strategy: 'segregated', memory: new ArrayBuffer(8 * MiB) });
    const block = allocator.alloc(4 * MiB);
    const before = allocator.stats();
    expect(allocator.realloc(block, 16 * MiB)).toBe(0);
    expect(allocator.stats()).toEqual(before);
    expect(allocator.usableSize(block)).toBeGreaterThanOrEqual(4 * MiB);
    allocator.validate();
  });
});

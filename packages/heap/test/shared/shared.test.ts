// A shared heap in one thread: creation and attachment rules, the Allocator contract, misuse refused
// with nothing changed, HeapLock/HeapUnlock bookkeeping, alignment, growth of a growable buffer, and
// cross-slot frees between two attachments (the remote-list path, without threads).
import { ERROR_INVALID_PARAMETER, ERROR_NOT_LOCKED, MemError, STATUS_HEAP_CORRUPTION } from '@mem/pages';
import { describe, expect, it } from 'vitest';
import type { HeapWalkEntry } from '../../src/api';
import { HEAP_NO_SERIALIZE } from '../../src/constants';
import { SHARED_FRONT_END_MAXIMUM, SHARED_SLOT_COUNT, attachSharedAllocator, createSharedAllocator } from '../../src/shared/index';
import type { SharedAllocator } from '../../src/shared/index';
import { growableBuffer } from './support';

function fresh(options: { flags?: number; frontEnd?: boolean } = {}): SharedAllocator {
  return createSharedAllocator({ memory: growableBuffer(1 << 16, 8 << 20), ...options });
}

function snapshot(heap: SharedAllocator): { stats: unknown; walk: HeapWalkEntry[] } {
  const walk: HeapWalkEntry[] = [];
  heap.walk((entry) => walk.push(entry));
  return { stats: heap.stats(), walk };
}

function codeOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof MemError) return error.code;
    throw error;
  }
  return undefined;
}

describe('creating and attaching', () => {
  it('refuses what is no SharedArrayBuffer, an unknown flag, a buffer too small, a second heap in one buffer', () => {
    expect(codeOf(() => createSharedAllocator({ memory: new ArrayBuffer(1 << 20) as unknown as SharedArrayBuffer }))).toBe(ERROR_INVALID_PARAMETER);
    expect(codeOf(() => createSharedAllocator({ memory: new SharedArrayBuffer(1 << 20), flags: 0x4 }))).toBe(ERROR_INVALID_PARAMETER);
    expect(codeOf(() => createSharedAllocator({ memory: new SharedArrayBuffer(4096) }))).toBe(ERROR_INVALID_PARAMETER);
    const memory = new SharedArrayBuffer(1 << 20);
    createSharedAllocator({ memory });
    expect(codeOf(() => createSharedAllocator({ memory }))).toBe(ERROR_INVALID_PARAMETER);
    expect(codeOf(() => attachSharedAllocator({ memory: new SharedArrayBuffer(1 << 20) }))).toBe(ERROR_INVALID_PARAMETER);
  });

  it('gives every attachment its own thread id and front-end slot, and sees the same blocks', () => {
    const a = fresh();
    const b = attachSharedAllocator(a.handle());
    expect(b.threadId).not.toBe(a.threadId);
    expect(a.slot).not.toBe(0);
    expect(b.slot).not.toBe(0);
    expect(b.slot).not.toBe(a.slot);
    const p = a.alloc(100);
    a.memory.setUint32(p, 0xcafe);
    expect(b.memory.getUint32(p)).toBe(0xcafe);
    expect(b.sizeOf(p)).toBe(100);
    expect(b.stats().liveBlocks).toBe(1);
  });

  it('serves threads beyond the slots from the back end, and a detached slot goes to the next thread', () => {
    const first = fresh();
    const others = [];
    for (let i = 1; i < SHARED_SLOT_COUNT; i++) others.push(attachSharedAllocator(first.handle()));
    const late = attachSharedAllocator(first.handle());
    expect(late.slot).toBe(0);
    const blocks = [late.alloc(24), late.alloc(2000), first.alloc(24)];
    expect(blocks.every((p) => p !== 0)).toBe(true);
    first.validate();
    late.free(blocks[2]!); // a slotless thread frees a front-end block into its slot's remote list
    first.free(blocks[0]!);
    first.validate();
    const freedSlot = others[3]!.slot;
    others[3]!.detach();
    expect(others[3]!.slot).toBe(0);
    expect(attachSharedAllocator(first.handle()).slot).toBe(freedSlot);
    late.free(blocks[1]!);
    first.validate();
    expect(first.stats().liveBlocks).toBe(0);
  });
});

describe('the Allocator contract', () => {
  it('allocates, reallocs keeping contents, zeroes with calloc, reports sizes', () => {
    const heap = fresh();
    const small = heap.alloc(10);
    const big = heap.alloc(5000);
    expect(small % 16).toBe(0);
    expect(heap.sizeOf(small)).toBe(10);
    expect(heap.usableSize(small)).toBeGreaterThanOrEqual(10);
    expect(heap.usableSize(big)).toBeGreaterThanOrEqual(5000);
    for (let i = 0; i < 10; i++) heap.memory.setUint8(small + i, i + 1);
    const grown = heap.realloc(small, SHARED_FRONT_END_MAXIMUM + 500);
    for (let i = 0; i < 10; i++) expect(heap.memory.getUint8(grown + i)).toBe(i + 1);
    heap.memory.fill(big, 5000, 0xee);
    heap.free(big);
    const zeroed = heap.calloc(50, 100);
    expect(heap.memory.read(zeroed, 5000).every((byte) => byte === 0)).toBe(true);
    expect(heap.realloc(0, 32)).not.toBe(0);
    expect(heap.stats().liveBlocks).toBe(3);
    heap.validate();
  });

  it('returns aligned blocks and refuses an alignment that is no power of two', () => {
    const heap = fresh();
    heap.alloc(40);
    for (const alignment of [32, 256, 4096, 65536]) {
      const p = heap.alloc(100, alignment);
      expect(p % alignment).toBe(0);
      heap.validate();
    }
    expect(codeOf(() => heap.alloc(10, 24))).toBe(ERROR_INVALID_PARAMETER);
    expect(codeOf(() => heap.alloc(-1))).toBe(ERROR_INVALID_PARAMETER);
  });

  it('grows a growable buffer as the heap grows, and returns 0 when a fixed buffer is full', () => {
    const memory = growableBuffer(1 << 16, 16 << 20);
    const heap = createSharedAllocator({ memory });
    const p = heap.alloc(4 << 20);
    expect(p).not.toBe(0);
    expect(memory.byteLength).toBeGreaterThanOrEqual(p + (4 << 20));
    heap.memory.setUint8(p + (4 << 20) - 1, 7);
    expect(heap.alloc(32 << 20)).toBe(0);

    const fixed = createSharedAllocator({ memory: new SharedArrayBuffer(1 << 20) });
    const q = fixed.alloc(100_000);
    fixed.memory.setUint32(q, 0x1234);
    expect(fixed.alloc(2 << 20)).toBe(0);
    expect(fixed.realloc(q, 2 << 20)).toBe(0);
    expect(fixed.memory.getUint32(q)).toBe(0x1234);
    expect(fixed.sizeOf(q)).toBe(100_000);
    fixed.validate();
  });

  it('lets another attachment use blocks past the length its views were made with', () => {
    const memory = growableBuffer(1 << 16, 64 << 20);
    const a = createSharedAllocator({ memory });
    const b = attachSharedAllocator(a.handle());
    const before = memory.byteLength;
    const p = a.alloc(8 << 20);
    const small = a.alloc(100_000);
    expect(memory.byteLength).toBeGreaterThan(before);
    a.memory.setUint8(p + (8 << 20) - 1, 0x5c);
    expect(b.memory.getUint8(p + (8 << 20) - 1)).toBe(0x5c);
    expect(b.sizeOf(small)).toBe(100_000);
    b.free(p);
    expect(b.realloc(small, 200_000)).not.toBe(0);
    b.validate();
    a.validate();
  });

  it('walks blocks in address order: region, busy and free (front-end ones marked), uncommitted tail', () => {
    const heap = fresh();
    const a = heap.alloc(100);
    const b = heap.alloc(3000);
    heap.alloc(3000);
    heap.free(b);
    const walk: HeapWalkEntry[] = [];
    heap.walk((entry) => walk.push(entry));
    expect(walk[0]!.kind).toBe('region');
    expect(walk.at(-1)!.kind).toBe('uncommitted');
    const busyA = walk.find((e) => e.address === a)!;
    expect(busyA).toMatchObject({ kind: 'busy', size: 100, frontEnd: true });
    expect(walk.find((e) => e.address === b)).toMatchObject({ kind: 'free', frontEnd: false });
    const addresses = walk.slice(1, -1).map((e) => e.address);
    expect([...addresses].sort((x, y) => x - y)).toEqual(addresses);
  });
});

describe('misuse throws MemError and changes nothing', () => {
  it('refuses double frees (front end and back end), foreign, interior and unaligned pointers', () => {
    const heap = fresh();
    const other = fresh();
    const small = heap.alloc(40);
    const big = heap.alloc(4000);
    const keep = heap.alloc(4000);
    heap.free(small);
    heap.free(big);
    const before = snapshot(heap);
    const foreign = other.alloc(4000);
    for (const bad of [small, big, keep + 16, keep + 1, 64, foreign === keep ? keep + 4096 : foreign, -16, 2 ** 40, 1.5, Number.NaN]) {
      expect(codeOf(() => heap.free(bad))).toBe(ERROR_INVALID_PARAMETER);
      expect(codeOf(() => heap.realloc(bad, 10))).toBe(ERROR_INVALID_PARAMETER);
      expect(codeOf(() => heap.usableSize(bad))).toBe(ERROR_INVALID_PARAMETER);
      expect(heap.owns(bad)).toBe(false);
    }
    expect(snapshot(heap)).toEqual(before);
    heap.validate();
    expect(heap.owns(keep)).toBe(true);
  });

  it('reports a corrupted header as heap corruption, in free and in validate, and frees nothing', () => {
    const heap = fresh();
    const p = heap.alloc(4000);
    const q = heap.alloc(40);
    for (const pointer of [p, q]) {
      const saved = heap.memory.getUint32(pointer - 4);
      heap.memory.setUint32(pointer - 4, saved ^ 0x5a000000);
      const before = heap.stats();
      expect(codeOf(() => heap.free(pointer))).toBe(STATUS_HEAP_CORRUPTION);
      expect(codeOf(() => heap.validate())).toBe(STATUS_HEAP_CORRUPTION);
      expect(heap.stats()).toEqual(before);
      heap.memory.setUint32(pointer - 4, saved);
      heap.validate();
      heap.free(pointer);
    }
    heap.validate();
    expect(heap.stats().liveBlocks).toBe(0);
  });

  it('refuses HeapUnlock without HeapLock (ERROR_NOT_LOCKED), on serialized and unserialized heaps', () => {
    for (const flags of [0, HEAP_NO_SERIALIZE]) {
      const heap = fresh({ flags });
      expect(codeOf(() => heap.unlock())).toBe(ERROR_NOT_LOCKED);
      heap.lock();
      heap.lock();
      expect(heap.alloc(100)).not.toBe(0); // the holder itself allocates freely
      heap.unlock();
      heap.unlock();
      expect(codeOf(() => heap.unlock())).toBe(ERROR_NOT_LOCKED);
    }
  });
});

describe('the heap lock', () => {
  it('is recursive and owned by one thread id; another attachment cannot unlock it', () => {
    const heap = fresh();
    const other = attachSharedAllocator(heap.handle());
    expect(heap.lockState()).toBe('free');
    heap.lock();
    heap.lock();
    expect(heap.lockState()).toBe('held');
    expect(heap.lockOwner()).toBe(heap.threadId);
    expect(codeOf(() => other.unlock())).toBe(ERROR_NOT_LOCKED);
    heap.unlock();
    expect(heap.lockOwner()).toBe(heap.threadId);
    heap.unlock();
    expect(heap.lockOwner()).toBe(0);
    expect(heap.lockState()).toBe('free');
  });

  it('HEAP_NO_SERIALIZE takes no lock and runs without a front end', () => {
    const heap = fresh({ flags: HEAP_NO_SERIALIZE });
    expect(heap.noSerialize).toBe(true);
    expect(heap.slot).toBe(0);
    heap.lock();
    expect(heap.lockState()).toBe('free');
    const p = heap.alloc(24);
    const walk: HeapWalkEntry[] = [];
    heap.walk((entry) => walk.push(entry));
    expect(walk.find((e) => e.address === p)).toMatchObject({ kind: 'busy', frontEnd: false });
    heap.unlock();
  });
});

describe('cross-slot frees', () => {
  it('sends a block freed by another slot back to its owner’s cache, which reuses it', () => {
    const owner = fresh();
    const other = attachSharedAllocator(owner.handle());
    const p = owner.alloc(48);
    other.free(p);
    owner.validate();
    expect(owner.stats().liveBlocks).toBe(0);
    // The owner's local cache of that class is not empty yet (the refill carved a run): drain it first.
    const seen = new Set<number>();
    for (let i = 0; i < 200 && !seen.has(p); i++) seen.add(owner.alloc(48));
    expect(seen.has(p)).toBe(true);
    owner.validate();
  });
});

describe('trimming the caches', () => {
  it('gives a slot’s cached blocks, its own and those sent back by others, to the back end', () => {
    const heap = fresh();
    const other = attachSharedAllocator(heap.handle());
    const keep = heap.alloc(5000); // a back-end block after the runs, so they do not all melt into the wilderness
    const blocks: number[] = [];
    for (let i = 0; i < 300; i++) blocks.push(heap.alloc(16 + ((i * 37) % 900)));
    const last = heap.alloc(20_000); // too big for the gaps left before aligned runs: it goes after them
    for (let i = 0; i < blocks.length; i++) (i % 2 === 0 ? heap : other).free(blocks[i]!);
    const cachedFree = (): number => {
      let count = 0;
      heap.walk((entry) => {
        if (entry.kind === 'free' && entry.frontEnd) count++;
      });
      return count;
    };
    expect(cachedFree()).toBeGreaterThan(300);
    const before = heap.stats().freeBytes;
    const released = heap.trim();
    expect(released).toBeGreaterThan(0);
    heap.validate();
    expect(cachedFree()).toBe(0);
    expect(heap.trim()).toBe(0);
    expect(heap.stats().freeBytes).toBeLessThanOrEqual(before);
    expect(heap.stats().largestFreeBlock).toBeGreaterThan(8192); // runs coalesced
    heap.free(keep);
    heap.free(last);
    heap.detach();
    other.detach();
    heap.validate();
    expect(heap.stats()).toMatchObject({ liveBlocks: 0, freeBytes: 0 }); // all back in the wilderness
  });
});

// The JavaScript peer, @thi.ng/malloc's MemPool (address-ordered first fit; its free walks the list of
// used blocks, so it is O(n)), behind the Allocator contract so the replayer runs it like any strategy.
// Committed bytes are the highest byte ever handed out, rounded up to a page, as for any allocator
// over a plain buffer.
import type { Allocator, HeapStats } from '@mem/heap';
import { MemPool } from '@thi.ng/malloc';
import { bufferMemory } from './bufferMemory';
import { PEER_STRATEGY } from './constants';
import { PointerTable } from './pointerTable';

export interface PeerAllocatorOptions {
  /** Bytes of the buffer (at most 4 GiB: MemPool keeps 32-bit addresses). */
  memoryBytes: number;
  /** Block alignment: 8 as on x86, 16 as on x64. */
  alignment: 8 | 16;
  pageSize: number;
}

/** The bytes MemPool puts before each block. */
const BLOCK_HEADER = 8;

export function createPeerAllocator(options: PeerAllocatorOptions): Allocator {
  const buffer = new ArrayBuffer(options.memoryBytes);
  const pool = new MemPool({ buf: buffer, align: options.alignment });
  const bytes = new Uint8Array(buffer);
  const memory = bufferMemory(buffer);
  const pageSize = options.pageSize;
  const blockSize = (pool as unknown as { blockSize(block: number): number }).blockSize.bind(pool);
  // Over-aligned blocks: their aligned address maps to what MemPool returned.
  const alignedBlocks = new PointerTable();
  let highWater = 0;
  const touch = (pointer: number, size: number): void => {
    const end = pointer + size;
    if (end > highWater) highWater = end;
  };
  const usable = (pointer: number): number => blockSize(pointer - BLOCK_HEADER) - BLOCK_HEADER;
  const allocator: Allocator = {
    strategy: PEER_STRATEGY,
    memory,
    bytes,
    alloc(size: number, alignment?: number): number {
      if (alignment === undefined || alignment <= options.alignment) {
        const pointer = pool.malloc(size);
        if (pointer !== 0) touch(pointer, size);
        return pointer;
      }
      const raw = pool.malloc(size + alignment);
      if (raw === 0) return 0;
      const pointer = Math.ceil(raw / alignment) * alignment;
      if (pointer !== raw) alignedBlocks.set(pointer, raw);
      touch(pointer, size);
      return pointer;
    },
    calloc(count: number, size: number): number {
      const pointer = allocator.alloc(count * size);
      if (pointer !== 0) bytes.fill(0, pointer, pointer + count * size);
      return pointer;
    },
    realloc(pointer: number, size: number): number {
      const raw = alignedBlocks.get(pointer);
      if (raw >= 0) {
        // MemPool cannot keep an over-alignment across realloc: move by hand.
        const moved = pool.malloc(size);
        if (moved === 0) return 0;
        bytes.copyWithin(moved, pointer, pointer + Math.min(size, usable(raw) - (pointer - raw)));
        alignedBlocks.delete(pointer);
        pool.free(raw);
        touch(moved, size);
        return moved;
      }
      const moved = pool.realloc(pointer, size);
      if (moved !== 0) touch(moved, size);
      return moved;
    },
    free(pointer: number): void {
      if (pointer === 0) return;
      const raw = alignedBlocks.delete(pointer);
      if (!pool.free(raw >= 0 ? raw : pointer)) throw new Error(`${PEER_STRATEGY}: free of ${pointer}, not a live block`);
    },
    usableSize(pointer: number): number {
      const raw = alignedBlocks.get(pointer);
      return raw >= 0 ? usable(raw) - (pointer - raw) : usable(pointer);
    },
    stats(): HeapStats {
      const poolStats = pool.stats();
      const committed = Math.ceil(highWater / pageSize) * pageSize;
      return {
        liveBytes: poolStats.used.size,
        liveBlocks: poolStats.used.count,
        peakLiveBytes: poolStats.used.size,
        committedBytes: committed,
        peakCommittedBytes: committed,
        reservedBytes: buffer.byteLength,
        freeBytes: poolStats.free.size,
        largestFreeBlock: poolStats.available,
      };
    },
    validate(): void {},
    walk(): void {},
  };
  return allocator;
}

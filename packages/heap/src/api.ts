/**
 * The contract of @mem/heap in one file: where strategies get memory (PageSource, HeapMemory),
 * what a strategy implements (HeapStrategy), and what users hold (Allocator).
 * Implementations live elsewhere: strategies in src/strategies/, page sources in src/sources/.
 *
 * Refinements by the strategies helper (kept compatible with the first draft):
 * - PageSource.reserve takes a multiple of the page size (not of the granularity): a fixed heap
 *   reserves its maximum rounded to 0x400·ptr (H-004). The base is still granularity-aligned.
 * - HeapStrategy gains the optional `frontEndActive` (the LFH's; what HeapQueryInformation reports).
 * - HeapWalkEntry gains kind 'subsegment' (an LFH user-blocks back-end block; its busy chunks follow
 *   it as 'busy' entries with frontEnd: true) and exact meanings of size/overhead per kind.
 */

/**
 * Loads and stores into the managed memory, little-endian, by absolute address.
 * `k.mem` of a simulated process satisfies it; so does the DataView-backed accessor of a buffer.
 */
export interface HeapMemory {
  getUint8(address: number): number;
  setUint8(address: number, value: number): void;
  getUint16(address: number): number;
  setUint16(address: number, value: number): void;
  getUint32(address: number): number;
  setUint32(address: number, value: number): void;
  getFloat64(address: number): number;
  setFloat64(address: number, value: number): void;
  /** A copy of `length` bytes. */
  read(address: number, length: number): Uint8Array;
  write(address: number, bytes: Uint8Array): void;
  fill(address: number, length: number, byte: number): void;
  /** memmove: overlapping ranges allowed. */
  copy(destination: number, source: number, length: number): void;
}

/**
 * Where a strategy gets its pages (rpmalloc's memory interface). Addresses are absolute in
 * `memory`'s space. Failure is reported by return value, never by throwing.
 */
export interface PageSource {
  readonly memory: HeapMemory;
  /** Page size of the geometry (4096, or 8192 on ia64). */
  readonly pageSize: number;
  /** Reservation granularity (65536 on Windows; the page size for flat buffers). */
  readonly granularity: number;
  /** Pointer size of the geometry (4 or 8): decides header size and block granularity. */
  readonly pointerSize: 4 | 8;
  /** Reserves `size` bytes (a multiple of pageSize) at a granularity-aligned base; returns the base, or 0. */
  reserve(size: number): number;
  /** Commits pages of a reservation (read/write, zero-filled when first committed); false when out of memory. */
  commit(address: number, size: number): boolean;
  /** Decommits pages; their contents are lost. */
  decommit(address: number, size: number): void;
  /** Releases a whole reservation made by reserve(). */
  release(address: number, size: number): void;
  /**
   * Grows the reservation [address, address + size) in place to `newSize` (both page multiples) when
   * the range after it is free; false (nothing changed) otherwise. Optional: flat buffers can; a
   * Windows process cannot (its heap never extends a large block's reservation, H-021).
   */
  extend?(address: number, size: number, newSize: number): boolean;
}

/**
 * One entry of a heap walk. Order: for each segment, its 'region', then its blocks in address order
 * (a 'subsegment' followed by its busy LFH chunks), then its 'uncommitted' tail; then every 'large' block.
 * - region: address = segment base, size = reserved bytes, overhead = segment header bytes.
 * - busy / large: address = user pointer, size = REQUESTED size (HeapWalk's cbData, H-030),
 *   overhead = block bytes − size (header + unused tail; for large: committed bytes − size).
 * - free: address = user pointer of the free block, size = block bytes − header, overhead = header.
 * - subsegment: a busy back-end block holding LFH chunks (address/size/overhead as for busy).
 * - uncommitted: address = first uncommitted byte, size = bytes to the segment end, overhead 0.
 */
export interface HeapWalkEntry {
  kind: 'region' | 'busy' | 'free' | 'uncommitted' | 'large' | 'subsegment';
  /** User address of a block, base of a region or uncommitted range. */
  address: number;
  /** Requested size of a busy block, body size of a free block, or the size of a region or range. */
  size: number;
  /** Header and alignment bytes around a block. */
  overhead: number;
  /** Index of the segment (region) the entry lies in (64 for large blocks, as Windows reports). */
  regionIndex: number;
  /** For a region: committed and uncommitted bytes, first block (header) address, and segment end. */
  committedSize?: number;
  uncommittedSize?: number;
  firstBlock?: number;
  lastBlock?: number;
  /** Served by the LFH front end. */
  frontEnd?: boolean;
}

export interface HeapStats {
  /** Sum of requested sizes of live blocks. */
  liveBytes: number;
  liveBlocks: number;
  peakLiveBytes: number;
  /** Bytes of pages committed from the page source (for flat buffers: the high-water mark, page-rounded). */
  committedBytes: number;
  peakCommittedBytes: number;
  reservedBytes: number;
  /** Bytes in free blocks the strategy could hand out without committing more. */
  freeBytes: number;
  largestFreeBlock: number;
}

export interface HeapStrategyOptions {
  source: PageSource;
  /** Bytes to reserve at once (0: the strategy's default, growable). */
  initialReserve?: number;
  /** Bytes to commit at once. */
  initialCommit?: number;
  /** Upper bound on reserved bytes; 0 means growable (HeapCreate's dwMaximumSize). */
  maximumSize?: number;
}

/**
 * What a strategy implements. Pointers are absolute addresses in source.memory; 0 is never a block.
 * Misuse (double free, foreign or interior pointer, corrupted header) throws a MemError and changes nothing.
 */
export interface HeapStrategy {
  readonly name: string;
  /**
   * Strategies with an LFH-style front end: true once it serves some size (HeapQueryInformation then
   * reports 2). Absent means no front end.
   */
  readonly frontEndActive?: boolean;
  /** Returns the user address of a block of at least `size` bytes aligned to `alignment`, or 0. */
  allocate(size: number, alignment?: number): number;
  free(pointer: number): void;
  /** Grows or shrinks without moving; false (nothing changed) when it cannot. */
  resizeInPlace(pointer: number, size: number): boolean;
  /** The requested size recorded for a live block. */
  sizeOf(pointer: number): number;
  /** The bytes the caller may use (>= sizeOf). */
  usableSize(pointer: number): number;
  /** True when `pointer` is a live block of this heap (never throws). */
  owns(pointer: number): boolean;
  walk(visit: (entry: HeapWalkEntry) => void): void;
  /** Checks every structure; throws MemError(ERROR_INVALID_... / heap corruption) naming the bad block. */
  validate(pointer?: number): void;
  stats(): HeapStats;
  /** Returns free pages to the source; the size of the largest free block afterwards. */
  compact(): number;
  /** Releases everything to the source. */
  destroy(): void;
}

export type HeapStrategyFactory = (options: HeapStrategyOptions) => HeapStrategy;

/** What createAllocator hands out: offsets into `memory`, 0 when out of memory. */
export interface Allocator {
  readonly strategy: string;
  readonly memory: HeapMemory;
  /** Contiguous bytes of the whole managed memory when it is a flat buffer (undefined for a process). */
  readonly bytes: Uint8Array | undefined;
  alloc(size: number, alignment?: number): number;
  /** alloc with zeroed contents (calloc). */
  calloc(count: number, size: number): number;
  /** Moves when it must, keeping the contents; 0 (block untouched) when out of memory. */
  realloc(pointer: number, size: number): number;
  free(pointer: number): void;
  usableSize(pointer: number): number;
  stats(): HeapStats;
  validate(): void;
  walk(visit: (entry: HeapWalkEntry) => void): void;
}

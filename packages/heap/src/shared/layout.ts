// Where a shared heap keeps its state inside its SharedArrayBuffer: the control block (lock word,
// top of the heap, counters, free-list heads and their bitmap), the per-thread slots of the front
// end, the live-block bitmap, then the blocks. Everything is 32-bit words addressed through one
// Int32Array, so every thread that attaches sees the same heap; nothing lives on the JS side.
//
// Offsets are byte offsets below 2^31 (the managed size is capped at MAX_MANAGED_BYTES), so the
// 32-bit operators used on them here are exact.
//
// Block layout (16-byte granule, 16-byte header, user pointer p = block + 16, 16-aligned):
//   b + 0   word0: block size in bytes (a multiple of 16, >= 32) | flags (BUSY, FRONT, CACHED)
//   b + 4   word1: size of the previous block in bytes (0 for the first block)
//   b + 8   word2: requested size of a live block
//   b + 12  word3: tag = check (bits 24-31) | front-end class (8-15) | owning slot (0-7)
//   b + 16  user data; a back-end free block keeps its list links here (next, previous),
//           a cached front-end block its cache link (next).

/** 'SHEP' — a shared heap's control block starts with it. */
export const SHARED_HEAP_MAGIC = 0x50454853;
export const SHARED_HEAP_VERSION = 1;

export const GRANULE = 16;
export const HEADER_SIZE = 16;
export const MIN_BLOCK = 32;
/** Offsets stay below 2^31 so that they fit an Int32Array word. */
export const MAX_MANAGED_BYTES = 0x7fff0000;
export const PAGE_SIZE = 4096;

// Block flags (low bits of word0; sizes are multiples of 16).
export const BLOCK_BUSY = 0x1;
/** Carved for the front end: stays BUSY for the back end for ever. */
export const BLOCK_FRONT = 0x2;
/** A front-end block sitting in a slot's cache (free for the user, busy for the back end). */
export const BLOCK_CACHED = 0x4;
export const FLAG_MASK = 0xf;
export const SIZE_MASK = ~0xf;

// Control block: word indexes.
export const C_MAGIC = 0;
export const C_VERSION = 1;
/** End of the managed bytes (maxByteLength of the buffer, capped and rounded down to a page). */
export const C_LIMIT = 2;
/** 1 when created with HEAP_NO_SERIALIZE. */
export const C_NO_SERIALIZE = 3;
/** The futex word: 0 free, 1 held, 2 held with waiters. */
export const C_LOCK = 4;
/** Thread id holding the heap lock (0 = nobody) and its recursion depth. */
export const C_LOCK_OWNER = 5;
export const C_LOCK_DEPTH = 6;
/** Last thread id handed out. */
export const C_THREAD_COUNTER = 7;
export const C_HEAP_START = 8;
/** First byte after the last block; [top, limit) is the untouched wilderness. */
export const C_TOP = 9;
export const C_PEAK_TOP = 10;
/** Size of the block that ends at top (0 when the heap is empty). */
export const C_LAST_SIZE = 11;
/** Bytes and count of blocks in the back end's free lists. */
export const C_FREE_BYTES = 12;
export const C_FREE_BLOCKS = 13;
/** Counters of threads without a slot (updated with Atomics.add). */
export const C_SHARED_LIVE_BYTES = 14;
export const C_SHARED_LIVE_BLOCKS = 15;
export const C_SHARED_CACHED_BYTES = 16;
export const C_PEAK_LIVE = 17;
export const C_BITMAP_START = 18;
export const C_SLOTS_START = 19;
/** 1 when the front end (per-thread caches) serves small sizes. */
export const C_FRONT_END = 20;
export const C_LIST_BITMAP = 32;

// Back-end free lists: exact lists below 64 granules, then 8 log-linear classes per power of two.
const EXACT_LISTS = 64;
export const LIST_COUNT = EXACT_LISTS + (27 - 6 + 1) * 8;
export const LIST_BITMAP_WORDS = Math.ceil(LIST_COUNT / 32);
export const C_LIST_HEADS = C_LIST_BITMAP + LIST_BITMAP_WORDS;
export const CONTROL_WORDS = C_LIST_HEADS + LIST_COUNT;
export const CONTROL_BYTES = Math.ceil((CONTROL_WORDS * 4) / 64) * 64;

/** The list a free block of `size` bytes belongs to. */
export function listIndex(size: number): number {
  const granules = size >>> 4;
  if (granules < EXACT_LISTS) return granules;
  const band = 31 - Math.clz32(granules);
  return EXACT_LISTS + (band - 6) * 8 + ((granules >>> (band - 3)) & 7);
}

/** The first list whose every block holds `size` bytes (the size rounded up to its class). */
export function searchIndex(size: number): number {
  const granules = size >>> 4;
  if (granules < EXACT_LISTS) return granules;
  const band = 31 - Math.clz32(granules);
  const rounded = granules + (1 << (band - 3)) - 1;
  return listIndex(rounded * GRANULE);
}

// Front end: size classes of 16 bytes up to FRONT_MAX_BLOCK (blocks of 2..64 granules, requests up to
// 1008 bytes); each slot has a local cache (its thread only) and a remote list (other threads push
// with CAS, the owner takes the whole list with one exchange: no ABA) per class.
export const FRONT_MAX_BLOCK = 1024;
export const FRONT_MAX_REQUEST = FRONT_MAX_BLOCK - HEADER_SIZE;
export const CLASS_COUNT = FRONT_MAX_BLOCK / GRANULE + 1;
/** Slots of the front end; a thread that finds none free is served by the locked back end. */
export const SLOT_COUNT = 32;
export const S_OWNER = 0;
export const S_LIVE_BYTES = 1;
export const S_LIVE_BLOCKS = 2;
export const S_CACHED_BYTES = 3;
export const S_LOCAL_HEADS = 16;
export const S_REMOTE_HEADS = S_LOCAL_HEADS + CLASS_COUNT;
/** Words per slot, a multiple of 16 (64-byte lines: slots never share a cache line). */
export const SLOT_WORDS = Math.ceil((S_REMOTE_HEADS + CLASS_COUNT) / 16) * 16;
/**
 * Bytes the front end carves for a slot's class at once, aligned to their own size: 8 KiB of blocks is
 * exactly one 64-byte line of the live bitmap, so threads never set bits in the same cache line.
 */
export const REFILL_BYTES = 8192;

/** Block size for a request of `size` bytes (header included, 16-byte steps, at least MIN_BLOCK). */
export function blockSizeFor(size: number): number {
  const rounded = Math.ceil((size + HEADER_SIZE) / GRANULE) * GRANULE;
  return Math.max(rounded, MIN_BLOCK);
}

/** The check byte of a block header: ties the header to its address and size. */
export function headerCheck(block: number, size: number): number {
  return (Math.imul(block ^ Math.imul(size, 0x9e3779b1), 0x85ebca6b) >>> 24) ^ 0xa5;
}

export function makeTag(block: number, size: number, sizeClass: number, slot: number): number {
  return (headerCheck(block, size) << 24) | (sizeClass << 8) | slot;
}

export function tagCheck(tag: number): number {
  return tag >>> 24;
}
export function tagClass(tag: number): number {
  return (tag >>> 8) & 0xff;
}
export function tagSlot(tag: number): number {
  return tag & 0xff;
}

/** Where the pieces go for a heap managing `limit` bytes. */
export function computeLayout(limit: number): { slotsStart: number; bitmapStart: number; heapStart: number } {
  const slotsStart = CONTROL_BYTES;
  const bitmapStart = slotsStart + SLOT_COUNT * SLOT_WORDS * 4;
  // One bit per granule of the managed bytes: set where a live block's user pointer is.
  const bitmapBytes = Math.ceil(limit / GRANULE / 32) * 4;
  const heapStart = Math.ceil((bitmapStart + bitmapBytes) / PAGE_SIZE) * PAGE_SIZE;
  return { slotsStart, bitmapStart, heapStart };
}

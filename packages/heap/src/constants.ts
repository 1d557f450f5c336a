// The numbers of @mem/heap in one table: Win32 heap flags (spec win32-facts §1.5–1.7), the NT heap's
// thresholds (spec internals §4.1–4.2) and the block-header flag bits of our in-memory layout.

// HeapCreate / HeapAlloc / HeapReAlloc / HeapFree flags (win32-facts §1.5).
export const HEAP_NO_SERIALIZE = 0x1;
export const HEAP_GROWABLE = 0x2;
export const HEAP_GENERATE_EXCEPTIONS = 0x4;
export const HEAP_ZERO_MEMORY = 0x8;
export const HEAP_REALLOC_IN_PLACE_ONLY = 0x10;
export const HEAP_TAIL_CHECKING_ENABLED = 0x20;
export const HEAP_FREE_CHECKING_ENABLED = 0x40;
export const HEAP_DISABLE_COALESCE_ON_FREE = 0x80;
export const HEAP_CREATE_SEGMENT_HEAP = 0x100;
export const HEAP_CREATE_HARDENED = 0x200;
export const HEAP_CREATE_ALIGN_16 = 0x10000;
export const HEAP_CREATE_ENABLE_TRACING = 0x20000;
export const HEAP_CREATE_ENABLE_EXECUTE = 0x40000;
export const HEAP_MAXIMUM_TAG = 0xfff;
export const HEAP_PSEUDO_TAG_FLAG = 0x8000;
export const HEAP_TAG_SHIFT = 18;
export const HEAP_SHARED = 0x04000000;

// PROCESS_HEAP_ENTRY.wFlags (win32-facts §1.6).
export const PROCESS_HEAP_REGION = 0x1;
export const PROCESS_HEAP_UNCOMMITTED_RANGE = 0x2;
export const PROCESS_HEAP_ENTRY_BUSY = 0x4;
export const PROCESS_HEAP_SEG_ALLOC = 0x8;
export const PROCESS_HEAP_ENTRY_MOVEABLE = 0x10;
export const PROCESS_HEAP_ENTRY_DDESHARE = 0x20;

// HEAP_INFORMATION_CLASS and HeapCompatibilityInformation values (win32-facts §1.7).
export const HeapCompatibilityInformation = 0;
export const HeapEnableTerminationOnCorruption = 1;
export const HeapOptimizeResources = 3;
export const HeapTag = 7;
export const HEAP_COMPATIBILITY_STANDARD = 0;
export const HEAP_COMPATIBILITY_LOOKASIDE = 1;
export const HEAP_COMPATIBILITY_LFH = 2;

// NT back end (internals §4.1). Sizes are in bytes unless named in granules.
/** Large-block threshold in granules: 0xFE00 (x86, 508 KiB) / 0xFF00 (x64, 1020 KiB) = 0x20000·ptr − 0x1000 bytes. */
export function largeBlockThreshold(pointerSize: 4 | 8): number {
  return 0x20000 * pointerSize - 0x1000;
}
/** A free block at the end of a segment is decommitted only when at least this big… */
export const DECOMMIT_FREE_BLOCK_THRESHOLD = 0x1000;
/** …and only when the heap's total free bytes exceed this (hysteresis). */
export const DECOMMIT_TOTAL_FREE_THRESHOLD = 0x10000;
/** Default first reservation of a growable heap (HeapCreate(0, 0, 0) reserves 64 KiB, H-029). */
export const DEFAULT_INITIAL_RESERVE = 0x10000;
/** Size of the second segment; each later one doubles (H-003)… */
export const SEGMENT_GROWTH_START = 0x100000;
/** …up to this cap (H-003). */
export const SEGMENT_GROWTH_CAP = 0xfd0000;
/** Commit step when a segment grows into its uncommitted tail. */
export const COMMIT_STEP = 0x10000;
/** MaximumAllocationSize: 0x7FFDEFFF (x86) / 0x7FFFFFFDEFFF (x64). */
export function maximumAllocationSize(pointerSize: 4 | 8): number {
  return pointerSize === 4 ? 0x7ffdefff : 0x7ffffffdefff;
}

// Our in-memory block header (segregated.ts): the low 2 bits of the flags byte; the high 6 bits hold
// the unused bytes at the end of a busy block.
export const BLOCK_BUSY = 0x01;
/** The last block before the segment's uncommitted tail (or the segment end). */
export const BLOCK_LAST = 0x02;
/** Header bytes of the first segment (the heap header: our _HEAP + lists), by pointer size. */
export function heapHeaderSize(pointerSize: 4 | 8): number {
  return pointerSize === 4 ? 0x600 : 0xa00;
}
/** Header bytes of every later segment (_HEAP_SEGMENT), by pointer size. */
export function segmentHeaderSize(pointerSize: 4 | 8): number {
  return 16 * pointerSize;
}

// LFH front end (internals §4.2).
export const LFH_BUCKET_COUNT = 128;
export const LFH_MAXIMUM_BLOCK = 16384;
/** A bucket switches to the LFH when more than this many of its blocks are live (Windows 8+)… */
export const LFH_ACTIVE_THRESHOLD = 16;
/** …or when its request counter saturates at 0x7F8 = 2040. */
export const LFH_REQUEST_THRESHOLD = 0x7f8;
/** Signature of a user-blocks (subsegment) header, Win8+ _HEAP_USERDATA_HEADER. */
export const LFH_USERDATA_SIGNATURE = 0xf0e0d0c0;
/** Signature of a back-end segment header (_HEAP_SEGMENT). */
export const SEGMENT_SIGNATURE = 0xffeeffee;
/** Signature of a large block's header (_HEAP_VIRTUAL_ALLOC_ENTRY). */
export const LARGE_BLOCK_SIGNATURE = 0x4c524741;

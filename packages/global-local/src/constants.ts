// The numbers of @mem/global-local in one table: the GMEM_* / LMEM_* flags with their Windows values
// (spec win32-facts §1.8), and the layout of a handle-table slot as Windows keeps it in memory
// (observed by Wine's kernel32 heap tests through the handle's address).

// GlobalAlloc / GlobalReAlloc flags.
export const GMEM_FIXED = 0x0000;
export const GMEM_MOVEABLE = 0x0002;
export const GMEM_NOCOMPACT = 0x0010;
export const GMEM_NODISCARD = 0x0020;
export const GMEM_ZEROINIT = 0x0040;
export const GMEM_MODIFY = 0x0080;
export const GMEM_DISCARDABLE = 0x0100;
export const GMEM_NOT_BANKED = 0x1000;
export const GMEM_LOWER = GMEM_NOT_BANKED;
export const GMEM_SHARE = 0x2000;
export const GMEM_DDESHARE = GMEM_SHARE;
export const GMEM_NOTIFY = 0x4000;
export const GMEM_VALID_FLAGS = 0x7f72;
export const GMEM_INVALID_HANDLE = 0x8000;
export const GHND = GMEM_MOVEABLE | GMEM_ZEROINIT;
export const GPTR = GMEM_FIXED | GMEM_ZEROINIT;
// GlobalFlags results.
export const GMEM_DISCARDED = 0x4000;
export const GMEM_LOCKCOUNT = 0x00ff;

// LocalAlloc / LocalReAlloc flags.
export const LMEM_FIXED = 0x0000;
export const LMEM_MOVEABLE = 0x0002;
export const LMEM_NOCOMPACT = 0x0010;
export const LMEM_NODISCARD = 0x0020;
export const LMEM_ZEROINIT = 0x0040;
export const LMEM_MODIFY = 0x0080;
export const LMEM_DISCARDABLE = 0x0f00;
export const LMEM_VALID_FLAGS = 0x0f72;
export const LMEM_INVALID_HANDLE = 0x8000;
export const LHND = LMEM_MOVEABLE | LMEM_ZEROINIT;
export const LPTR = LMEM_FIXED | LMEM_ZEROINIT;
// LocalFlags results.
export const LMEM_DISCARDED = 0x4000;
export const LMEM_LOCKCOUNT = 0x00ff;

/**
 * Live moveable handles a process may hold at once, Global and Local together (GL-002): the
 * 65,537th GlobalAlloc(GMEM_MOVEABLE) fails with ERROR_NOT_ENOUGH_MEMORY.
 */
export const MAX_MOVEABLE_HANDLES = 0x10000;

/** The highest lock count; GlobalLock saturates there (Wine test_GlobalAlloc: 256 locks read 0xFF). */
export const MAX_LOCK_COUNT = 0xff;

// Slot layout: { UINT_PTR flags; void *ptr }, 2·ptr bytes; the HGLOBAL is the address of `ptr`, so a
// handle is ≡ ptr (mod 2·ptr) while heap pointers are ≡ 0. The flags word of a live slot holds these
// bits and the lock count in bits 16..23; a free slot's flags word holds the address of the next free
// slot (never 0), as Windows leaves it.
export const SLOT_USED = 0x1;
export const SLOT_MOVEABLE = 0x2;
export const SLOT_DISCARDABLE = 0x4;
export const SLOT_DISCARDED = 0x8;
export const SLOT_DDESHARE = 0x8000;
/** The lock count sits at flags / SLOT_LOCK_UNIT (bits 16..23). */
export const SLOT_LOCK_UNIT = 0x10000;

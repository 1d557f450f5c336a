// The Win32 door of @mem/global-local: Global* and Local* with their Win32 names, each taking the
// calling Process first (Kernel32 binds them). They never throw for bad input: each returns what
// Windows returns and sets the last error Windows sets (spec win32-facts §15–16, Wine's
// kernel32/tests/heap.c test_GlobalAlloc / test_LocalAlloc), or leaves it alone where Windows does.
//
// What a handle argument is decides the answer (MovableMemory.classify): NULL; a live moveable handle;
// a stale handle (freed, or handle-shaped but never one); a live heap block (fixed block, or the data
// block of a moveable handle, which stands for its handle as Windows' heap user value makes it); a
// readable non-block; an unreadable address. Where Windows faults inside the call (a wild pointer, a
// double GlobalFree on 64-bit) we answer as 32-bit Windows does, or with ERROR_NOACCESS where Windows
// reports the fault it caught; crashes are not conformance cases (spec §20).
import type { Process } from '@mem/pages';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOACCESS, ERROR_NOT_LOCKED } from '@mem/pages';
import {
  GMEM_DDESHARE,
  GMEM_DISCARDABLE,
  GMEM_INVALID_HANDLE,
  GMEM_MODIFY,
  GMEM_MOVEABLE,
  GMEM_VALID_FLAGS,
  GMEM_ZEROINIT,
  LMEM_DISCARDABLE,
  LMEM_INVALID_HANDLE,
  LMEM_MODIFY,
  LMEM_MOVEABLE,
  LMEM_VALID_FLAGS,
  LMEM_ZEROINIT,
} from './constants';
import {
  ALLOC_DDESHARE,
  ALLOC_DISCARDABLE,
  ALLOC_MOVEABLE,
  ALLOC_ZEROINIT,
  VALUE_BLOCK,
  VALUE_HANDLE,
  VALUE_NOT_A_BLOCK,
  VALUE_NULL,
  VALUE_STALE_HANDLE,
  VALUE_WILD,
} from './movable-memory';
import { processMovableMemory } from './process-movable';

/** A SIZE_T argument: anything that is not a non-negative integer is too big to allocate. */
function sizeArgument(bytes: number): number {
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : Number.POSITIVE_INFINITY;
}

function failWith(process: Process, code: number): 0 {
  process.lastError = code;
  return 0;
}

// ---------------------------------------------------------------------------------------------------
// Shared bodies (Global and Local differ in flags and in a few answers; `local` selects them).

function allocate(process: Process, flags: number, bytes: number, local: boolean): number {
  const valid = local ? LMEM_VALID_FLAGS : GMEM_VALID_FLAGS;
  if (flags & ~valid) return failWith(process, ERROR_INVALID_PARAMETER);
  let size = sizeArgument(bytes);
  // LocalAlloc accepts a 0-byte fixed block; GlobalAlloc makes it 1 byte (GlobalSize reads 1).
  if (!local && (flags & GMEM_MOVEABLE) === 0 && size === 0) size = 1;
  let options = 0;
  if (flags & GMEM_MOVEABLE) options |= ALLOC_MOVEABLE;
  if (flags & GMEM_ZEROINIT) options |= ALLOC_ZEROINIT;
  if (flags & (local ? LMEM_DISCARDABLE : GMEM_DISCARDABLE)) options |= ALLOC_DISCARDABLE;
  if (!local && flags & GMEM_DDESHARE) options |= ALLOC_DDESHARE;
  const memory = processMovableMemory(process);
  const result = memory.allocate(size, options);
  if (result === 0) process.lastError = memory.error;
  return result;
}

function free(process: Process, hMem: number): number {
  const memory = processMovableMemory(process);
  switch (memory.classify(hMem)) {
    case VALUE_NULL:
      return 0;
    case VALUE_HANDLE:
      memory.freeSlot(memory.slot);
      return 0;
    case VALUE_BLOCK:
      if (memory.slot >= 0) {
        memory.freeSlot(memory.slot);
        return 0;
      }
      if (memory.freeBlock(hMem)) return 0;
      process.lastError = memory.error;
      return hMem;
    case VALUE_WILD:
      process.lastError = ERROR_NOACCESS;
      return hMem;
    default:
      process.lastError = ERROR_INVALID_HANDLE;
      return hMem;
  }
}

function lock(process: Process, hMem: number, local: boolean): number {
  const memory = processMovableMemory(process);
  const kind = memory.classify(hMem);
  if (kind === VALUE_HANDLE) {
    const pointer = memory.lockSlot(memory.slot);
    if (pointer === 0) process.lastError = memory.error;
    return pointer;
  }
  // A pointer locks to itself when it can be read (a fixed block needs no lock count).
  if (kind === VALUE_BLOCK || kind === VALUE_NOT_A_BLOCK) return hMem;
  // LocalLock of an unreadable pointer (or NULL) leaves the last error alone (LG-004).
  if (local && (kind === VALUE_WILD || kind === VALUE_NULL)) return 0;
  return failWith(process, ERROR_INVALID_HANDLE);
}

function unlock(process: Process, hMem: number, local: boolean): boolean {
  const memory = processMovableMemory(process);
  const kind = memory.classify(hMem);
  if (kind === VALUE_HANDLE) {
    const result = memory.unlockSlot(memory.slot);
    process.lastError = memory.error; // NO_ERROR when the last lock goes, ERROR_NOT_LOCKED when none was held
    return result === 1;
  }
  if (kind === VALUE_STALE_HANDLE) {
    // A dead handle: GlobalUnlock answers TRUE anyway, LocalUnlock FALSE (both set ERROR_INVALID_HANDLE).
    process.lastError = ERROR_INVALID_HANDLE;
    return !local;
  }
  // A pointer is never locked: GlobalUnlock says TRUE and leaves the last error, LocalUnlock says it was
  // not locked (GL-012, LG-004, and the fixed-block asymmetry of §16).
  if (!local) return true;
  process.lastError = ERROR_NOT_LOCKED;
  return false;
}

function reallocate(process: Process, hMem: number, bytes: number, flags: number, local: boolean): number {
  const valid = (local ? LMEM_VALID_FLAGS : GMEM_VALID_FLAGS) | (local ? LMEM_MODIFY : GMEM_MODIFY);
  if (flags & ~valid) return failWith(process, ERROR_INVALID_PARAMETER);
  const memory = processMovableMemory(process);
  const size = sizeArgument(bytes);
  // The core speaks GMEM_*: Local's discardable mask becomes GMEM_DISCARDABLE.
  let coreFlags = flags & (GMEM_MOVEABLE | GMEM_MODIFY | GMEM_DDESHARE);
  if (flags & (local ? LMEM_DISCARDABLE : GMEM_DISCARDABLE)) coreFlags |= GMEM_DISCARDABLE;
  if (local) coreFlags &= ~GMEM_DDESHARE;
  const zeroInit = (flags & (local ? LMEM_ZEROINIT : GMEM_ZEROINIT)) !== 0;
  const kind = memory.classify(hMem);
  if (kind === VALUE_HANDLE || (kind === VALUE_BLOCK && memory.slot >= 0)) {
    const slot = memory.slot;
    if (memory.reallocSlot(slot, size, coreFlags, zeroInit)) return memory.handleOfSlot(slot);
    return failWith(process, memory.error);
  }
  if (kind === VALUE_BLOCK) {
    const result = memory.reallocBlock(hMem, size, coreFlags, zeroInit, !local);
    if (result === 0) process.lastError = memory.error;
    return result;
  }
  return failWith(process, kind === VALUE_WILD ? ERROR_NOACCESS : ERROR_INVALID_HANDLE);
}

function sizeOf(process: Process, hMem: number): number {
  const memory = processMovableMemory(process);
  const kind = memory.classify(hMem);
  let size: number;
  if (kind === VALUE_HANDLE || (kind === VALUE_BLOCK && memory.slot >= 0)) size = memory.sizeOfSlot(memory.slot);
  else if (kind === VALUE_BLOCK) size = memory.sizeOfBlock(hMem);
  else return failWith(process, ERROR_INVALID_HANDLE);
  if (memory.error !== 0) process.lastError = memory.error; // a block whose header was overwritten
  return size;
}

function flagsOf(process: Process, hMem: number, local: boolean): number {
  const memory = processMovableMemory(process);
  const kind = memory.classify(hMem);
  if (kind === VALUE_HANDLE || (kind === VALUE_BLOCK && memory.slot >= 0)) {
    const flags = memory.flagsOfSlot(memory.slot);
    // LocalFlags reports discardable as the whole LMEM_DISCARDABLE mask (LG-011).
    return local && flags & GMEM_DISCARDABLE ? (flags & ~GMEM_DISCARDABLE) | LMEM_DISCARDABLE : flags;
  }
  if (kind === VALUE_BLOCK) return 0;
  process.lastError = local && kind === VALUE_WILD ? ERROR_NOACCESS : ERROR_INVALID_HANDLE;
  return local ? LMEM_INVALID_HANDLE : GMEM_INVALID_HANDLE;
}

function handleOf(process: Process, pMem: number, local: boolean): number {
  const memory = processMovableMemory(process);
  const kind = memory.classify(pMem);
  if (kind === VALUE_HANDLE) return pMem;
  if (kind === VALUE_BLOCK) return memory.slot >= 0 ? memory.handleOfSlot(memory.slot) : pMem;
  const wild = kind === VALUE_WILD || kind === VALUE_NULL;
  return failWith(process, local && wild ? ERROR_NOACCESS : ERROR_INVALID_HANDLE);
}

// ---------------------------------------------------------------------------------------------------
// Global*

/** GlobalAlloc: a fixed block's address or a moveable handle; NULL with the last error on failure. */
export function GlobalAlloc(process: Process, uFlags: number, dwBytes: number): number {
  return allocate(process, uFlags, dwBytes, false);
}

/** GlobalFree: NULL on success (locked blocks too); the handle itself on failure. */
export function GlobalFree(process: Process, hMem: number): number {
  return free(process, hMem);
}

/** GlobalLock: the block's address (one more lock on a moveable handle); NULL on failure. */
export function GlobalLock(process: Process, hMem: number): number {
  return lock(process, hMem, false);
}

/** GlobalUnlock: TRUE while still locked; FALSE with NO_ERROR when unlocked, ERROR_NOT_LOCKED when not locked. */
export function GlobalUnlock(process: Process, hMem: number): boolean {
  return unlock(process, hMem, false);
}

/** GlobalReAlloc: the (maybe new) handle or pointer; NULL on failure, the block unchanged. */
export function GlobalReAlloc(process: Process, hMem: number, dwBytes: number, uFlags: number): number {
  return reallocate(process, hMem, dwBytes, uFlags, false);
}

/** GlobalSize: the block's size (0 when discarded); 0 with ERROR_INVALID_HANDLE for a bad handle. */
export function GlobalSize(process: Process, hMem: number): number {
  return sizeOf(process, hMem);
}

/** GlobalFlags: lock count | GMEM_DISCARDABLE | GMEM_DDESHARE | GMEM_DISCARDED, or GMEM_INVALID_HANDLE. */
export function GlobalFlags(process: Process, hMem: number): number {
  return flagsOf(process, hMem, false);
}

/** GlobalHandle: the handle of a block's address (the address itself for a fixed block). */
export function GlobalHandle(process: Process, pMem: number): number {
  return handleOf(process, pMem, false);
}

/** GlobalDiscard (a macro in WinBase.h): GlobalReAlloc(h, 0, GMEM_MOVEABLE). */
export function GlobalDiscard(process: Process, hMem: number): number {
  return reallocate(process, hMem, 0, GMEM_MOVEABLE, false);
}

// ---------------------------------------------------------------------------------------------------
// Local*

/** LocalAlloc: as GlobalAlloc, with LMEM_* flags (a 0-byte fixed block stays 0 bytes). */
export function LocalAlloc(process: Process, uFlags: number, uBytes: number): number {
  return allocate(process, uFlags, uBytes, true);
}

/** LocalFree: NULL on success; the handle itself on failure. */
export function LocalFree(process: Process, hMem: number): number {
  return free(process, hMem);
}

/** LocalLock: as GlobalLock, but an unreadable pointer fails without touching the last error. */
export function LocalLock(process: Process, hMem: number): number {
  return lock(process, hMem, true);
}

/** LocalUnlock: as GlobalUnlock, but a fixed block answers FALSE with ERROR_NOT_LOCKED. */
export function LocalUnlock(process: Process, hMem: number): boolean {
  return unlock(process, hMem, true);
}

/** LocalReAlloc: as GlobalReAlloc, but LMEM_MODIFY never turns a fixed block into a moveable one. */
export function LocalReAlloc(process: Process, hMem: number, uBytes: number, uFlags: number): number {
  return reallocate(process, hMem, uBytes, uFlags, true);
}

/** LocalSize: as GlobalSize. */
export function LocalSize(process: Process, hMem: number): number {
  return sizeOf(process, hMem);
}

/** LocalFlags: as GlobalFlags, with LMEM_DISCARDABLE (0x0F00) for discardable blocks. */
export function LocalFlags(process: Process, hMem: number): number {
  return flagsOf(process, hMem, true);
}

/** LocalHandle: as GlobalHandle (an unreadable pointer gives ERROR_NOACCESS). */
export function LocalHandle(process: Process, pMem: number): number {
  return handleOf(process, pMem, true);
}

/** LocalDiscard (a macro in WinBase.h): LocalReAlloc(h, 0, LMEM_MOVEABLE). */
export function LocalDiscard(process: Process, hMem: number): number {
  return reallocate(process, hMem, 0, LMEM_MOVEABLE, true);
}

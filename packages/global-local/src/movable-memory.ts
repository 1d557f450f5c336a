// The core of Global* and Local*: fixed blocks (plain heap blocks whose handle is their address) and
// moveable blocks (a handle-table slot pointing at a heap block that may move, be discarded and come
// back), over one heap — the process heap for the Win32 door. Both doors sit on it: the Win32 one maps
// its answers to each function's return value and last error, the idiomatic one throws MemError.
//
// Calls answer with a value and leave the Windows error of a failure in `error` (0 on success), so the
// hot paths (lock, unlock, alloc, free) make no objects and throw nothing.
//
// Invariants: the pointer index holds exactly the data blocks of live, undiscarded slots; a slot is
// DISCARDED exactly when its pointer is 0; a discarded slot has lock count 0.
import { HEAP_REALLOC_IN_PLACE_ONLY, HEAP_ZERO_MEMORY, type PageSource } from '@mem/heap';
import {
  ERROR_DISCARDED,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOT_ENOUGH_MEMORY,
  ERROR_NOT_LOCKED,
  isMemError,
  isWin32Exception,
  MemError,
} from '@mem/pages';
import {
  GMEM_DDESHARE,
  GMEM_DISCARDABLE,
  GMEM_DISCARDED,
  GMEM_MODIFY,
  GMEM_MOVEABLE,
  SLOT_DDESHARE,
  SLOT_DISCARDABLE,
  SLOT_DISCARDED,
  SLOT_MOVEABLE,
  SLOT_USED,
} from './constants';
import { HandleTable } from './handle-table';
import { PointerIndex } from './pointer-index';

/** What the core needs of a heap: @mem/heap's Heap has all of it. Its methods throw MemError on failure. */
export interface BlockHeap {
  readonly source: PageSource;
  readonly strategy: { owns(pointer: number): boolean };
  alloc(size: number, flags?: number): number;
  free(pointer: number): void;
  realloc(pointer: number, size: number, flags?: number): number;
  size(pointer: number): number;
}

/** What an LFH strategy can tell about its blocks (duck-typed: other strategies have neither). */
interface FrontEndQueries {
  isFrontEndBlock?(pointer: number): boolean;
  isBucketActive?(size: number): boolean;
}

// What a value passed as an HGLOBAL / HLOCAL turns out to be (classify()).
/** NULL. */
export const VALUE_NULL = 0;
/** A live moveable handle (`slot` is set). */
export const VALUE_HANDLE = 1;
/** Shaped like a handle (ptr mod 2·ptr) but no live slot: freed, or never one. */
export const VALUE_STALE_HANDLE = 2;
/** A live heap block: a fixed block (`slot` -1) or the data block of a moveable handle (`slot` set). */
export const VALUE_BLOCK = 3;
/** Readable memory that is no live heap block (a freed fixed block, a stack or global address). */
export const VALUE_NOT_A_BLOCK = 4;
/** An address that cannot be read: Windows faults inside the call (ERROR_NOACCESS where it catches it). */
export const VALUE_WILD = 5;

/** Options of an allocation, as flags of the core (not GMEM_*: the doors translate). */
export const ALLOC_MOVEABLE = 0x1;
export const ALLOC_DISCARDABLE = 0x2;
export const ALLOC_DDESHARE = 0x4;
export const ALLOC_ZEROINIT = 0x8;

export class MovableMemory {
  readonly heap: BlockHeap;
  readonly table: HandleTable;
  readonly pointerSize: 4 | 8;
  /** Windows error of the last failed call; 0 after a success. */
  error = 0;
  /** The slot found by the last classify() (or -1). */
  slot = -1;
  private readonly index = new PointerIndex();

  /**
   * @param handleCapacity live moveable handles at most (65,536 as Windows)
   * @param tableSource where the handle table reserves its pages (default: the heap's own page source)
   */
  constructor(heap: BlockHeap, handleCapacity?: number, tableSource: PageSource = heap.source) {
    this.heap = heap;
    this.table = new HandleTable(tableSource, handleCapacity);
    this.pointerSize = heap.source.pointerSize;
  }

  /** Live moveable handles. */
  get handleCount(): number {
    return this.table.liveCount;
  }

  /** Sorts out a handle argument (VALUE_*); sets `slot` for handles and moveable data blocks. */
  classify(value: number): number {
    this.slot = -1;
    if (value === 0) return VALUE_NULL;
    if (!Number.isSafeInteger(value) || value < 0) return VALUE_STALE_HANDLE;
    if (this.table.isHandleShaped(value)) {
      const slot = this.table.slotOf(value);
      if (slot < 0) return VALUE_STALE_HANDLE;
      this.slot = slot;
      return VALUE_HANDLE;
    }
    if (value % (2 * this.pointerSize) !== 0) return VALUE_STALE_HANDLE;
    if (this.heap.strategy.owns(value)) {
      this.slot = this.index.get(value);
      return VALUE_BLOCK;
    }
    return this.readable(value) ? VALUE_NOT_A_BLOCK : VALUE_WILD;
  }

  /**
   * A new block: with ALLOC_MOVEABLE a handle (discarded from the start when `size` is 0), else a fixed
   * block's address. 0 with ERROR_NOT_ENOUGH_MEMORY when the heap or the handle table is full.
   */
  allocate(size: number, options: number): number {
    this.error = 0;
    const heapFlags = options & ALLOC_ZEROINIT ? HEAP_ZERO_MEMORY : 0;
    if ((options & ALLOC_MOVEABLE) === 0) return this.heapAlloc(size, heapFlags);
    let state = SLOT_MOVEABLE;
    if (options & ALLOC_DISCARDABLE) state |= SLOT_DISCARDABLE;
    if (options & ALLOC_DDESHARE) state |= SLOT_DDESHARE;
    if (size === 0) state |= SLOT_DISCARDED;
    const slot = this.table.allocate(state, 0);
    if (slot < 0) return this.fail(ERROR_NOT_ENOUGH_MEMORY);
    if (size !== 0) {
      const pointer = this.heapAlloc(size, heapFlags);
      if (pointer === 0) {
        this.table.release(slot);
        return 0;
      }
      this.table.setPointer(slot, pointer);
      this.index.set(pointer, slot);
    }
    return this.table.handleOf(slot);
  }

  /** Frees a moveable handle and its data block, locked or not (GlobalFree frees locked blocks too). */
  freeSlot(slot: number): void {
    const pointer = this.table.pointer[slot]!;
    if (pointer !== 0) {
      this.index.delete(pointer);
      this.heapFree(pointer);
    }
    this.table.release(slot);
    this.error = 0;
  }

  /** Frees a fixed block; false (ERROR_INVALID_HANDLE) when the heap refuses it. */
  freeBlock(pointer: number): boolean {
    this.error = 0;
    if (!this.heapFree(pointer)) return this.fail(ERROR_INVALID_HANDLE) !== 0;
    return true;
  }

  /** GlobalLock of a handle: the data pointer with one more lock (saturating), or 0 with ERROR_DISCARDED. */
  lockSlot(slot: number): number {
    const pointer = this.table.pointer[slot]!;
    if (pointer === 0) return this.fail(ERROR_DISCARDED);
    this.table.lock(slot);
    this.error = 0;
    return pointer;
  }

  /**
   * GlobalUnlock of a handle: 1 while still locked, 0 when this unlock released the last lock (error 0),
   * -1 when it was not locked (ERROR_NOT_LOCKED).
   */
  unlockSlot(slot: number): number {
    const count = this.table.lockCount[slot]!;
    if (count === 0) {
      this.error = ERROR_NOT_LOCKED;
      return -1;
    }
    this.table.unlock(slot);
    this.error = 0;
    return count > 1 ? 1 : 0;
  }

  /** Bytes of a handle's block (0 when discarded). */
  sizeOfSlot(slot: number): number {
    this.error = 0;
    const pointer = this.table.pointer[slot]!;
    if (pointer === 0) return 0;
    const size = this.heapSize(pointer);
    return size < 0 ? this.fail(ERROR_INVALID_HANDLE) : size;
  }

  /** GlobalFlags of a handle: lock count | GMEM_DISCARDABLE | GMEM_DDESHARE | GMEM_DISCARDED. */
  flagsOfSlot(slot: number): number {
    this.error = 0;
    const state = this.table.state[slot]!;
    let flags = this.table.lockCount[slot]!;
    if (state & SLOT_DISCARDABLE) flags |= GMEM_DISCARDABLE;
    if (state & SLOT_DDESHARE) flags |= GMEM_DDESHARE;
    if (state & SLOT_DISCARDED) flags |= GMEM_DISCARDED;
    return flags;
  }

  handleOfSlot(slot: number): number {
    return this.table.handleOf(slot);
  }

  /**
   * GlobalReAlloc of a moveable handle, with GMEM_* semantics (Wine test_GlobalAlloc's matrix):
   * - GMEM_MODIFY: only marks the block discardable when GMEM_DISCARDABLE is given; size ignored.
   * - otherwise GMEM_DISCARDABLE fails (ERROR_INVALID_PARAMETER).
   * - size 0: with GMEM_MOVEABLE on an unlocked block, discards it; otherwise fails.
   * - size > 0: a discarded block gets a new data block; a live one shrinks in place, and grows in place
   *   when the heap can or moves when it cannot — if it is unlocked or GMEM_MOVEABLE allows moving a
   *   locked one (a locked block growing without GMEM_MOVEABLE fails when it cannot stay).
   * Failure leaves the handle, its block and its contents as they were (GL-028).
   */
  reallocSlot(slot: number, size: number, flags: number, zeroInit: boolean): boolean {
    this.error = 0;
    const table = this.table;
    const state = table.state[slot]!;
    if (flags & GMEM_MODIFY) {
      if (flags & GMEM_DISCARDABLE) table.setState(slot, state | SLOT_DISCARDABLE);
      return true;
    }
    if (flags & GMEM_DISCARDABLE) return this.fail(ERROR_INVALID_PARAMETER) !== 0;
    const pointer = table.pointer[slot]!;
    const locked = table.lockCount[slot]! !== 0;
    if (size === 0) {
      if ((flags & GMEM_MOVEABLE) === 0 || locked) return this.fail(ERROR_INVALID_PARAMETER) !== 0;
      if (pointer !== 0) this.discardData(slot, pointer);
      return true;
    }
    const heapFlags = zeroInit ? HEAP_ZERO_MEMORY : 0;
    if (pointer === 0) {
      const fresh = this.heapAlloc(size, heapFlags);
      if (fresh === 0) return false;
      table.setPointer(slot, fresh);
      table.setState(slot, state & ~SLOT_DISCARDED);
      this.index.set(fresh, slot);
      return true;
    }
    // A locked block may only grow in place unless GMEM_MOVEABLE says it may move; shrinking never
    // moves a block (an LFH block keeps its chunk, a back-end block splits), so it takes the plain path.
    const pinned = locked && (flags & GMEM_MOVEABLE) === 0 && size > this.heapSize(pointer);
    const moved = this.heapRealloc(pointer, size, pinned ? heapFlags | HEAP_REALLOC_IN_PLACE_ONLY : heapFlags);
    if (moved === 0) return false;
    this.error = 0;
    if (moved !== pointer) this.rehome(slot, pointer, moved);
    return true;
  }

  /**
   * GlobalReAlloc of a fixed block (GMEM_* semantics):
   * - GMEM_MODIFY | GMEM_MOVEABLE with `convert` (Global, not Local): the block becomes moveable — its
   *   contents move to a new data block under a new handle, which is returned; otherwise MODIFY returns
   *   the pointer unchanged, size ignored.
   * - GMEM_DISCARDABLE without MODIFY fails (ERROR_INVALID_PARAMETER): a fixed block cannot be discarded.
   * - otherwise a heap realloc, in place only unless GMEM_MOVEABLE: 0 with ERROR_NOT_ENOUGH_MEMORY when
   *   it cannot (GL-015).
   */
  reallocBlock(pointer: number, size: number, flags: number, zeroInit: boolean, convert: boolean): number {
    this.error = 0;
    if (flags & GMEM_MODIFY) {
      if ((flags & GMEM_MOVEABLE) === 0 || !convert) return pointer;
      return this.convertToMoveable(pointer, flags);
    }
    if (flags & GMEM_DISCARDABLE) return this.fail(ERROR_INVALID_PARAMETER);
    const moveable = (flags & GMEM_MOVEABLE) !== 0;
    if (this.frontEndBlock(pointer)) {
      // Windows never resizes a fixed LFH block in place: without GMEM_MOVEABLE it fails (even to the
      // same size, GL-015), with it the block always moves (GL-016, GL-019).
      if (!moveable) return this.fail(ERROR_NOT_ENOUGH_MEMORY);
      return this.relocate(pointer, size, zeroInit);
    }
    let heapFlags = zeroInit ? HEAP_ZERO_MEMORY : 0;
    if (!moveable) heapFlags |= HEAP_REALLOC_IN_PLACE_ONLY;
    const result = this.heapRealloc(pointer, size, heapFlags);
    if (result === 0) return this.fail(ERROR_NOT_ENOUGH_MEMORY);
    return result;
  }

  /** Bytes of a fixed block. */
  sizeOfBlock(pointer: number): number {
    this.error = 0;
    const size = this.heapSize(pointer);
    return size < 0 ? this.fail(ERROR_INVALID_HANDLE) : size;
  }

  /**
   * Moves unlocked moveable blocks to fresh blocks when the heap places the copy lower (packing live data
   * towards the start of the heap), and with `discard` drops unlocked discardable blocks. Handles stay
   * valid and contents are preserved. Returns the number of blocks moved or discarded.
   */
  compact(discard = false): number {
    let changed = 0;
    const table = this.table;
    table.forEachLive((slot) => {
      const pointer = table.pointer[slot]!;
      if (pointer === 0 || table.lockCount[slot]! !== 0) return;
      if (discard && table.state[slot]! & SLOT_DISCARDABLE) {
        this.discardData(slot, pointer);
        changed++;
        return;
      }
      const size = this.heapSize(pointer);
      if (size < 0) return;
      const fresh = this.heapAlloc(size, 0);
      if (fresh === 0) return;
      if (fresh < pointer) {
        this.heap.source.memory.copy(fresh, pointer, size);
        this.heapFree(pointer);
        this.rehome(slot, pointer, fresh);
        changed++;
      } else {
        this.heapFree(fresh);
      }
    });
    this.error = 0;
    return changed;
  }

  /**
   * Checks the table against the index and the heap: every live undiscarded slot's block is a live heap
   * block recorded in the index, discarded slots have no block and no lock, and the index holds nothing
   * else. Throws MemError(ERROR_INVALID_HANDLE) naming the first inconsistency.
   */
  validate(): void {
    const table = this.table;
    let blocks = 0;
    table.forEachLive((slot) => {
      const handle = table.handleOf(slot);
      const state = table.state[slot]!;
      const pointer = table.pointer[slot]!;
      if ((state & SLOT_USED) === 0) throw invalid(handle, 'live slot without the used bit');
      if (table.readPointerField(slot) !== pointer) throw invalid(handle, 'ptr field differs from the table');
      const word = table.readFlagsWord(slot);
      if (word % 0x10000 !== state || Math.floor(word / 0x10000) !== table.lockCount[slot]) {
        throw invalid(handle, 'flags word differs from the table');
      }
      if ((pointer === 0) !== ((state & SLOT_DISCARDED) !== 0)) throw invalid(handle, 'discarded bit and pointer disagree');
      if (pointer === 0) {
        if (table.lockCount[slot] !== 0) throw invalid(handle, 'a discarded block is locked');
        return;
      }
      blocks++;
      if (!this.heap.strategy.owns(pointer)) throw invalid(handle, 'data block is not a live heap block');
      if (this.index.get(pointer) !== slot) throw invalid(handle, 'data block not indexed');
    });
    if (blocks !== this.index.count) {
      throw new MemError(ERROR_INVALID_HANDLE, `index holds ${this.index.count} blocks, table ${blocks}`);
    }
  }

  /** Releases the handle table's reservation (the heap's blocks are the heap's). */
  destroy(): void {
    this.table.destroy();
  }

  /** A new block of `size` bytes holding the old contents (zero-filled past them with `zeroInit`); the old one freed. */
  private relocate(pointer: number, size: number, zeroInit: boolean): number {
    const oldSize = this.heapSize(pointer);
    if (oldSize < 0) return this.fail(ERROR_INVALID_HANDLE);
    const fresh = this.heapAlloc(size, 0);
    if (fresh === 0) return 0;
    const memory = this.heap.source.memory;
    memory.copy(fresh, pointer, Math.min(oldSize, size));
    if (zeroInit && size > oldSize) memory.fill(fresh + oldSize, size - oldSize, 0);
    this.heapFree(pointer);
    return fresh;
  }

  /**
   * Whether the heap's front end (the LFH) serves this block: asked of the strategy when it can tell
   * (`isFrontEndBlock`), else read from whether the LFH bucket of the block's size is active.
   */
  private frontEndBlock(pointer: number): boolean {
    const strategy = this.heap.strategy as FrontEndQueries;
    if (typeof strategy.isFrontEndBlock === 'function') return strategy.isFrontEndBlock(pointer);
    if (typeof strategy.isBucketActive === 'function') return strategy.isBucketActive(this.heapSize(pointer));
    return false;
  }

  private convertToMoveable(pointer: number, flags: number): number {
    const size = this.heapSize(pointer);
    if (size < 0) return this.fail(ERROR_INVALID_HANDLE);
    let state = SLOT_MOVEABLE;
    if (flags & GMEM_DISCARDABLE) state |= SLOT_DISCARDABLE;
    if (flags & GMEM_DDESHARE) state |= SLOT_DDESHARE;
    const slot = this.table.allocate(state, 0);
    if (slot < 0) return this.fail(ERROR_NOT_ENOUGH_MEMORY);
    const fresh = this.heapAlloc(size, 0);
    if (fresh === 0) {
      this.table.release(slot);
      return 0;
    }
    this.heap.source.memory.copy(fresh, pointer, size);
    this.heapFree(pointer);
    this.table.setPointer(slot, fresh);
    this.index.set(fresh, slot);
    return this.table.handleOf(slot);
  }

  private discardData(slot: number, pointer: number): void {
    this.index.delete(pointer);
    this.heapFree(pointer);
    this.table.setPointer(slot, 0);
    this.table.setState(slot, this.table.state[slot]! | SLOT_DISCARDED);
  }

  private rehome(slot: number, from: number, to: number): void {
    this.index.delete(from);
    this.index.set(to, slot);
    this.table.setPointer(slot, to);
  }

  private heapAlloc(size: number, flags: number): number {
    try {
      return this.heap.alloc(size, flags);
    } catch (error) {
      if (!isMemError(error)) throw error;
      return this.fail(ERROR_NOT_ENOUGH_MEMORY);
    }
  }

  private heapRealloc(pointer: number, size: number, flags: number): number {
    try {
      return this.heap.realloc(pointer, size, flags);
    } catch (error) {
      if (!isMemError(error)) throw error;
      return this.fail(ERROR_NOT_ENOUGH_MEMORY);
    }
  }

  /** HeapSize, or -1 when the heap refuses the block (its header was overwritten). */
  private heapSize(pointer: number): number {
    try {
      return this.heap.size(pointer);
    } catch (error) {
      if (!isMemError(error)) throw error;
      return -1;
    }
  }

  private heapFree(pointer: number): boolean {
    try {
      this.heap.free(pointer);
      return true;
    } catch (error) {
      if (!isMemError(error)) throw error;
      return false;
    }
  }

  /** Whether the process could read a byte at `address` (no fault). */
  private readable(address: number): boolean {
    try {
      this.heap.source.memory.getUint8(address);
      return true;
    } catch (error) {
      // An access violation from a process's memory, a RangeError from a flat buffer.
      if (isWin32Exception(error) || error instanceof RangeError) return false;
      throw error;
    }
  }

  private fail(code: number): 0 {
    this.error = code;
    return 0;
  }
}

function invalid(handle: number, detail: string): MemError {
  return new MemError(ERROR_INVALID_HANDLE, `handle 0x${handle.toString(16)}: ${detail}`);
}

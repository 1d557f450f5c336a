// The idiomatic door of @mem/global-local: movable memory as objects. `Movable` hands out
// `MovableHandle`s; a handle is locked to get an address, unlocked to let the block move, resized,
// discarded (contents dropped, handle kept) and freed. Failures throw MemError with the Windows code.
// A Movable made for a process shares its handle table with the process's Global*/Local* calls.
import type { Process } from '@mem/pages';
import { ERROR_INVALID_HANDLE, MemError } from '@mem/pages';
import { GMEM_MODIFY, GMEM_MOVEABLE, GMEM_DISCARDABLE, SLOT_DDESHARE, SLOT_DISCARDABLE, SLOT_DISCARDED } from './constants';
import {
  ALLOC_DDESHARE,
  ALLOC_DISCARDABLE,
  ALLOC_MOVEABLE,
  ALLOC_ZEROINIT,
  type BlockHeap,
  MovableMemory,
  VALUE_BLOCK,
  VALUE_HANDLE,
} from './movable-memory';
import { processMovableMemory } from './process-movable';

export interface MovableAllocOptions {
  /** The block may be discarded (GMEM_DISCARDABLE). @defaultValue false */
  discardable?: boolean;
  /** Zero the contents (GMEM_ZEROINIT). @defaultValue false */
  zeroInit?: boolean;
  /** Mark it for DDE sharing (GMEM_DDESHARE; informational on NT). @defaultValue false */
  ddeShare?: boolean;
}

export interface MovableReallocOptions {
  /** Zero the bytes added when growing. @defaultValue false */
  zeroInit?: boolean;
  /**
   * Allow a locked block to move when it cannot grow in place (GMEM_MOVEABLE on a locked block; its
   * address then changes under the lock). An unlocked block always may move. @defaultValue false
   */
  moveLocked?: boolean;
}

export interface MovableOptions {
  /** Moveable handles that may be live at once. @defaultValue 65536, as Windows */
  handleCapacity?: number;
}

/** Moveable memory over one heap: a handle table and the blocks it points at. */
export class Movable {
  readonly memory: MovableMemory;

  /** A Movable of its own over `heap` (any @mem/heap Heap). */
  constructor(heap: BlockHeap | MovableMemory, options: MovableOptions = {}) {
    this.memory = heap instanceof MovableMemory ? heap : new MovableMemory(heap, options.handleCapacity);
  }

  /** The moveable memory of a process: the same handles GlobalAlloc and LocalAlloc hand out. */
  static of(process: Process): Movable {
    return new Movable(processMovableMemory(process));
  }

  /** A new moveable block of `size` bytes (0: born discarded). Throws MemError(ERROR_NOT_ENOUGH_MEMORY). */
  alloc(size: number, options: MovableAllocOptions = {}): MovableHandle {
    let flags = ALLOC_MOVEABLE;
    if (options.discardable) flags |= ALLOC_DISCARDABLE;
    if (options.zeroInit) flags |= ALLOC_ZEROINIT;
    if (options.ddeShare) flags |= ALLOC_DDESHARE;
    const memory = this.memory;
    const handle = memory.allocate(checkedSize(size), flags);
    if (handle === 0) throw new MemError(memory.error, `cannot allocate ${size} movable bytes`);
    memory.classify(handle);
    return new MovableHandle(memory, handle, memory.slot);
  }

  /** The object for an existing HGLOBAL / HLOCAL, or for the address of a moveable block's data. */
  handle(value: number): MovableHandle {
    const memory = this.memory;
    const kind = memory.classify(value);
    if ((kind !== VALUE_HANDLE && kind !== VALUE_BLOCK) || memory.slot < 0) {
      throw new MemError(ERROR_INVALID_HANDLE, `0x${value.toString(16)} is no live moveable handle`);
    }
    return new MovableHandle(memory, memory.handleOfSlot(memory.slot), memory.slot);
  }

  /**
   * Moves unlocked blocks down into free space the heap offers lower (and, with `discard`, drops unlocked
   * discardable blocks). Handles stay valid; contents are kept. Returns how many blocks changed.
   */
  compact(options: { discard?: boolean } = {}): number {
    return this.memory.compact(options.discard ?? false);
  }

  /** Every live moveable handle, in table order (for tools such as the explorer; not a hot path). */
  handles(): MovableHandle[] {
    const memory = this.memory;
    const live: MovableHandle[] = [];
    memory.table.forEachLive((slot) => {
      live.push(new MovableHandle(memory, memory.handleOfSlot(slot), slot));
    });
    return live;
  }

  /** Live moveable handles. */
  get handleCount(): number {
    return this.memory.handleCount;
  }

  /** Checks the handle table against the heap; throws MemError on an inconsistency. */
  validate(): void {
    this.memory.validate();
  }
}

/** One moveable block. Lock it for an address; while unlocked the block may move. */
export class MovableHandle {
  /** The HGLOBAL value (the address of the handle-table slot's pointer field). */
  readonly handle: number;
  private readonly memory: MovableMemory;
  private readonly slot: number;
  private readonly generation: number;

  constructor(memory: MovableMemory, handle: number, slot: number) {
    this.memory = memory;
    this.handle = handle;
    this.slot = slot;
    this.generation = memory.table.generation[slot]!;
  }

  /** False once freed (by this object or by GlobalFree / LocalFree). */
  get alive(): boolean {
    const table = this.memory.table;
    return table.state[this.slot] !== 0 && table.generation[this.slot] === this.generation;
  }

  /** Locks the block (up to 255 locks count) and returns its address. Throws ERROR_DISCARDED when discarded. */
  lock(): number {
    const memory = this.memory;
    const pointer = memory.lockSlot(this.live());
    if (pointer === 0) throw new MemError(memory.error, 'the block is discarded');
    return pointer;
  }

  /** Removes one lock; true while locks remain. Throws ERROR_NOT_LOCKED when it was not locked. */
  unlock(): boolean {
    const memory = this.memory;
    const result = memory.unlockSlot(this.live());
    if (result < 0) throw new MemError(memory.error, 'the block is not locked');
    return result === 1;
  }

  /**
   * Resizes the block (0 discards it, as GlobalReAlloc(h, 0, GMEM_MOVEABLE)); a discarded block gets new
   * memory. An unlocked block may move; a locked one only with `moveLocked`. Throws MemError and changes
   * nothing when it cannot.
   */
  realloc(size: number, options: MovableReallocOptions = {}): void {
    const memory = this.memory;
    const flags = size === 0 || options.moveLocked ? GMEM_MOVEABLE : 0;
    if (!memory.reallocSlot(this.live(), checkedSize(size), flags, options.zeroInit ?? false)) {
      throw new MemError(memory.error, `cannot resize to ${size} bytes`);
    }
  }

  /** Drops the contents, keeping the handle (it locks again after a realloc). Throws while locked. */
  discard(): void {
    const memory = this.memory;
    if (!memory.reallocSlot(this.live(), 0, GMEM_MOVEABLE, false)) {
      throw new MemError(memory.error, 'a locked block cannot be discarded');
    }
  }

  /** Marks the block discardable (GlobalReAlloc with GMEM_MODIFY | GMEM_DISCARDABLE). */
  makeDiscardable(): void {
    this.memory.reallocSlot(this.live(), 0, GMEM_MODIFY | GMEM_DISCARDABLE, false);
  }

  /** Frees the block and the handle, locked or not. */
  free(): void {
    this.memory.freeSlot(this.live());
  }

  /** Bytes of the block (0 when discarded). */
  get size(): number {
    const memory = this.memory;
    const size = memory.sizeOfSlot(this.live());
    if (memory.error !== 0) throw new MemError(memory.error, 'the heap refuses the block (header overwritten?)');
    return size;
  }

  /** Current lock count (0..255). */
  get lockCount(): number {
    return this.memory.table.lockCount[this.live()]!;
  }

  get discarded(): boolean {
    return (this.memory.table.state[this.live()]! & SLOT_DISCARDED) !== 0;
  }

  get discardable(): boolean {
    return (this.memory.table.state[this.live()]! & SLOT_DISCARDABLE) !== 0;
  }

  get ddeShare(): boolean {
    return (this.memory.table.state[this.live()]! & SLOT_DDESHARE) !== 0;
  }

  /** The block's address now (0 when discarded); valid only until it moves — lock() to pin it. */
  get address(): number {
    return this.memory.table.pointer[this.live()]!;
  }

  /** GlobalFlags' value: lock count | GMEM_DISCARDABLE | GMEM_DDESHARE | GMEM_DISCARDED. */
  get flags(): number {
    return this.memory.flagsOfSlot(this.live());
  }

  private live(): number {
    if (!this.alive) throw new MemError(ERROR_INVALID_HANDLE, `handle 0x${this.handle.toString(16)} was freed`);
    return this.slot;
  }
}

function checkedSize(size: number): number {
  return Number.isSafeInteger(size) && size >= 0 ? size : Number.POSITIVE_INFINITY;
}

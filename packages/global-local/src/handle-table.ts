// The moveable-handle table of one process, as Windows keeps it: 65,536 slots of { UINT_PTR flags;
// void *ptr } (2·ptr bytes each) in a reservation of the process's own address space, committed a page
// at a time as slots come into use. A handle (HGLOBAL / HLOCAL) is the address of a slot's `ptr` field,
// so it is ≡ ptr (mod 2·ptr) and never looks like a heap pointer.
//
// The slot state lives in typed arrays (the authority, read on every call) and is written through to
// simulated memory on every change, so the process (and the explorer) sees the same table Windows
// would show: flags word = state bits | lock count << 16 for a live slot, the address of the next free
// slot for a free one; ptr = data block or 0.
//
// Invariants: `liveCount` slots are USED; a free slot is either on the free stack or at or past
// `unusedFrom`; every slot below `unusedFrom` lies on committed pages.
import type { PageSource } from '@mem/heap';
import { MAX_LOCK_COUNT, MAX_MOVEABLE_HANDLES, SLOT_LOCK_UNIT, SLOT_USED } from './constants';

const TWO_TO_32 = 0x100000000;

export class HandleTable {
  readonly source: PageSource;
  readonly pointerSize: 4 | 8;
  /** Bytes per slot: 2·ptr. */
  readonly slotSize: number;
  readonly capacity: number;
  /** Base of the reservation (0 when it could not be made: every allocation then fails). */
  readonly base: number;
  /** Bytes reserved. */
  readonly reservedSize: number;
  /** Slots in use. */
  liveCount = 0;
  /** State bits of each slot (SLOT_*; 0 when free). */
  readonly state: Uint16Array;
  /** Lock count of each slot (0..255). */
  readonly lockCount: Uint8Array;
  /** Data block of each slot (0 when discarded or free). */
  readonly pointer: Float64Array;
  /** Times each slot was handed out: tells a reused slot from the handle that held it before. */
  readonly generation: Uint32Array;
  /** Freed slots, most recent last (Windows reuses the last freed first). */
  private readonly freeStack: Int32Array;
  private freeTop = 0;
  /** Slots from here on were never used. */
  private unusedFrom = 0;
  /** Bytes of the reservation committed so far. */
  private committedSize = 0;

  constructor(source: PageSource, capacity = MAX_MOVEABLE_HANDLES) {
    this.source = source;
    this.pointerSize = source.pointerSize;
    this.slotSize = 2 * source.pointerSize;
    this.capacity = capacity;
    const bytes = capacity * this.slotSize;
    this.reservedSize = Math.ceil(bytes / source.granularity) * source.granularity;
    this.base = source.reserve(this.reservedSize);
    this.state = new Uint16Array(capacity);
    this.lockCount = new Uint8Array(capacity);
    this.pointer = new Float64Array(capacity);
    this.generation = new Uint32Array(capacity);
    this.freeStack = new Int32Array(capacity);
  }

  /** The handle of slot `index`: the address of its ptr field. */
  handleOf(index: number): number {
    return this.base + index * this.slotSize + this.pointerSize;
  }

  /** The slot a handle-shaped value names, if it lies in the table and is live; -1 otherwise. */
  slotOf(handle: number): number {
    const offset = handle - this.pointerSize - this.base;
    if (this.base === 0 || offset < 0 || offset % this.slotSize !== 0) return -1;
    const index = offset / this.slotSize;
    if (index >= this.unusedFrom || this.state[index] === 0) return -1;
    return index;
  }

  /** True when `value` has the residue of a handle (ptr mod 2·ptr). */
  isHandleShaped(value: number): boolean {
    return value % this.slotSize === this.pointerSize;
  }

  /** Takes a free slot with `state` bits (SLOT_USED added); -1 when the table is full or cannot commit. */
  allocate(state: number, pointer: number): number {
    let index: number;
    if (this.freeTop > 0) {
      index = this.freeStack[--this.freeTop]!;
    } else {
      if (this.unusedFrom >= this.capacity || this.base === 0) return -1;
      const end = (this.unusedFrom + 1) * this.slotSize;
      if (end > this.committedSize && !this.commitThrough(end)) return -1;
      index = this.unusedFrom++;
    }
    this.state[index] = state | SLOT_USED;
    this.generation[index] = this.generation[index]! + 1;
    this.lockCount[index] = 0;
    this.pointer[index] = pointer;
    this.liveCount++;
    this.writeFlags(index);
    this.writePointer(index);
    return index;
  }

  /** Returns slot `index` to the free list; its flags word then links to the next free slot. */
  release(index: number): void {
    this.state[index] = 0;
    this.lockCount[index] = 0;
    this.pointer[index] = 0;
    this.liveCount--;
    const next = this.freeTop > 0 ? this.freeStack[this.freeTop - 1]! : this.unusedFrom;
    this.freeStack[this.freeTop++] = index;
    this.writeWord(this.base + index * this.slotSize, this.base + next * this.slotSize);
    this.writePointer(index);
  }

  setState(index: number, state: number): void {
    this.state[index] = state;
    this.writeFlags(index);
  }

  setPointer(index: number, pointer: number): void {
    this.pointer[index] = pointer;
    this.writePointer(index);
  }

  /** Adds one lock, saturating at 255 as Windows does. */
  lock(index: number): void {
    const count = this.lockCount[index]!;
    if (count < MAX_LOCK_COUNT) {
      this.lockCount[index] = count + 1;
      this.writeFlags(index);
    }
  }

  /** Removes one lock (the caller checked the count is not 0). */
  unlock(index: number): void {
    this.lockCount[index] = this.lockCount[index]! - 1;
    this.writeFlags(index);
  }

  /** Calls `visit` with each live slot index (validation, the explorer). */
  forEachLive(visit: (index: number) => void): void {
    for (let index = 0; index < this.unusedFrom; index++) if (this.state[index] !== 0) visit(index);
  }

  /** Reads the flags word of slot `index` from simulated memory (tests and the explorer compare it). */
  readFlagsWord(index: number): number {
    return this.readWord(this.base + index * this.slotSize);
  }

  /** Reads the ptr field of slot `index` from simulated memory. */
  readPointerField(index: number): number {
    return this.readWord(this.base + index * this.slotSize + this.pointerSize);
  }

  /** Releases the reservation (the process is going away). */
  destroy(): void {
    if (this.base !== 0) this.source.release(this.base, this.reservedSize);
  }

  private commitThrough(end: number): boolean {
    const page = this.source.pageSize;
    const target = Math.min(this.reservedSize, Math.ceil(end / page) * page);
    if (!this.source.commit(this.base + this.committedSize, target - this.committedSize)) return false;
    this.committedSize = target;
    return true;
  }

  private writeFlags(index: number): void {
    this.writeWord(this.base + index * this.slotSize, this.state[index]! + this.lockCount[index]! * SLOT_LOCK_UNIT);
  }

  private writePointer(index: number): void {
    this.writeWord(this.base + index * this.slotSize + this.pointerSize, this.pointer[index]!);
  }

  /** A pointer-sized little-endian store (two DWORDs on 64-bit: addresses may pass 2^32). */
  private writeWord(address: number, value: number): void {
    const memory = this.source.memory;
    if (this.pointerSize === 4) {
      memory.setUint32(address, value);
      return;
    }
    memory.setUint32(address, value % TWO_TO_32);
    memory.setUint32(address + 4, Math.floor(value / TWO_TO_32));
  }

  private readWord(address: number): number {
    const memory = this.source.memory;
    const low = memory.getUint32(address);
    return this.pointerSize === 4 ? low : low + memory.getUint32(address + 4) * TWO_TO_32;
  }
}

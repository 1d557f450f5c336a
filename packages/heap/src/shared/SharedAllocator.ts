// One thread's door to a heap that lives entirely in a SharedArrayBuffer: the Allocator interface,
// HeapLock/HeapUnlock (a recursive heap lock on a futex word), and the small-size front end — a slot
// per thread with a cache per size class (LFH-like), so that threads rarely meet on the lock.
//
// Paths: a small request pops the thread's own cache (no lock, no atomics but one bitmap bit); an
// empty cache first takes what other threads freed into the slot's remote list (one exchange), then
// refills from the back end under the heap lock. Freeing a small block pushes it back to the cache of
// the slot that carved it (its own list, or that slot's remote list with a CAS). Large or aligned
// requests, threads without a slot and HEAP_NO_SERIALIZE heaps use the back end. A live block is
// exactly one whose user pointer has its bit set in the shared bitmap: the atomic clear of that bit is
// what makes a double free (even two racing ones) fail with nothing changed.
//
// As on Windows (H-033..H-035): while a thread holds the heap lock, other threads' back-end calls wait;
// front-end calls served from a cache do not; on a HEAP_NO_SERIALIZE heap lock() serializes nothing.
import { ERROR_NOT_LOCKED, MemError } from '@mem/pages';
import type { Allocator, HeapStats, HeapWalkEntry } from '../api';
import { badPointer, heapCorruption, invalidParameter } from '../errors';
import { assertAlignment, assertSize } from '../numbers';
import { SharedBackEnd } from './backEnd';
import { SharedMemory } from './SharedMemory';
import { LOCK_CONTENDED, LOCK_FREE, mutexLock, mutexUnlock } from './futexLock';
import {
  BLOCK_BUSY,
  BLOCK_CACHED,
  BLOCK_FRONT,
  CLASS_COUNT,
  C_BITMAP_START,
  C_FREE_BYTES,
  C_FRONT_END,
  C_HEAP_START,
  C_LIMIT,
  C_LOCK,
  C_LOCK_DEPTH,
  C_LOCK_OWNER,
  C_MAGIC,
  C_NO_SERIALIZE,
  C_PEAK_LIVE,
  C_PEAK_TOP,
  C_SHARED_CACHED_BYTES,
  C_SHARED_LIVE_BLOCKS,
  C_SHARED_LIVE_BYTES,
  C_SLOTS_START,
  C_THREAD_COUNTER,
  C_TOP,
  C_VERSION,
  FRONT_MAX_REQUEST,
  GRANULE,
  HEADER_SIZE,
  PAGE_SIZE,
  REFILL_BYTES,
  SHARED_HEAP_MAGIC,
  SHARED_HEAP_VERSION,
  SIZE_MASK,
  SLOT_COUNT,
  SLOT_WORDS,
  S_CACHED_BYTES,
  S_LIVE_BLOCKS,
  S_LIVE_BYTES,
  S_LOCAL_HEADS,
  S_OWNER,
  S_REMOTE_HEADS,
  blockSizeFor,
  headerCheck,
  tagCheck,
  tagClass,
  tagSlot,
} from './layout';
import { validateSharedHeap, walkSharedHeap } from './inspect';

/** What a worker needs to attach: post it with worker.postMessage (the buffer is shared, not copied). */
export interface SharedAllocatorHandle {
  readonly memory: SharedArrayBuffer;
}

export type SharedLockState = 'free' | 'held' | 'contended';

export class SharedAllocator implements Allocator {
  readonly strategy = 'shared';
  readonly memory: SharedMemory;
  readonly buffer: SharedArrayBuffer;
  /** This attachment's thread id (1, 2, …): the heap lock's owner id and the slot affinity key. */
  readonly threadId: number;
  /** True on a HEAP_NO_SERIALIZE heap: no locking at all, one thread at a time is the caller's business. */
  readonly noSerialize: boolean;
  /** Fixed-length view of the buffer, re-made after it grew (syncViews). */
  private words: Int32Array;
  private readonly backEnd: SharedBackEnd;
  private readonly heapStart: number;
  private readonly limit: number;
  private readonly bitmapBase: number;
  private readonly slotsBase: number;
  /** Front-end slot (1…SLOT_COUNT) this thread owns, 0 for none. */
  private slotIndex = 0;
  /** Word index of the owned slot. */
  private slotBase = 0;
  /** HeapLock count of a HEAP_NO_SERIALIZE heap (which serializes nothing but counts, to refuse an extra unlock). */
  private unserializedLocks = 0;

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.backEnd = new SharedBackEnd(buffer);
    this.words = this.backEnd.words;
    const w = this.words;
    if (w.length < 64 || Atomics.load(w, C_MAGIC) !== SHARED_HEAP_MAGIC || w[C_VERSION] !== SHARED_HEAP_VERSION) {
      throw invalidParameter('memory does not hold a shared heap (create it with createSharedAllocator)');
    }
    this.memory = new SharedMemory(buffer);
    this.noSerialize = w[C_NO_SERIALIZE] === 1;
    this.heapStart = w[C_HEAP_START]!;
    this.limit = w[C_LIMIT]!;
    this.bitmapBase = w[C_BITMAP_START]! >> 2;
    this.slotsBase = w[C_SLOTS_START]! >> 2;
    this.threadId = Atomics.add(w, C_THREAD_COUNTER, 1) + 1;
    if (w[C_FRONT_END] === 1) this.claimSlot();
  }

  /** Takes the first free slot from this thread's affinity position on. */
  private claimSlot(): void {
    for (let k = 0; k < SLOT_COUNT; k++) {
      const slot = ((this.threadId - 1 + k) % SLOT_COUNT) + 1;
      const base = this.slotsBase + (slot - 1) * SLOT_WORDS;
      if (Atomics.compareExchange(this.words, base + S_OWNER, 0, this.threadId) === 0) {
        this.syncViews(); // an adopted slot may cache blocks carved after this view was made
        this.slotIndex = slot;
        this.slotBase = base;
        return;
      }
    }
  }

  /** The front-end slot this thread owns (1…32), or 0 when it has none and uses the back end only. */
  get slot(): number {
    return this.slotIndex;
  }

  get bytes(): Uint8Array {
    return this.memory.bytes;
  }

  /** What another thread passes to attachSharedAllocator. */
  handle(): SharedAllocatorHandle {
    return { memory: this.buffer };
  }

  /**
   * Gives this thread's cached blocks (its own frees and those other threads sent back) to the back end,
   * where they coalesce; returns their bytes. HeapCompact's part for the caches.
   */
  trim(): number {
    if (this.slotIndex === 0) return 0;
    let released = 0;
    this.enter();
    try {
      const w = this.words;
      for (let sizeClass = 0; sizeClass < CLASS_COUNT; sizeClass++) {
        const localAt = this.slotBase + S_LOCAL_HEADS + sizeClass;
        const local = w[localAt]!;
        w[localAt] = 0;
        released += this.releaseChain(local);
        released += this.releaseChain(Atomics.exchange(w, this.slotBase + S_REMOTE_HEADS + sizeClass, 0));
      }
      w[this.slotBase + S_CACHED_BYTES]! -= released;
    } finally {
      this.leave();
    }
    return released;
  }

  /** Frees a chain of cached blocks into the back end (heap lock held); their bytes. */
  private releaseChain(first: number): number {
    const w = this.words;
    let released = 0;
    for (let pointer = first; pointer !== 0; ) {
      const next = w[pointer >> 2]!;
      const block = pointer - HEADER_SIZE;
      const size = w[block >> 2]! & SIZE_MASK;
      this.backEnd.setHeader(block, size, BLOCK_BUSY, 0, 0);
      this.backEnd.freeBlock(block);
      released += size;
      pointer = next;
    }
    return released;
  }

  /**
   * Gives this thread's slot back after trimming its cache (blocks other threads free into it later wait
   * there for the next thread that claims it). The allocator remains usable through the back end.
   */
  detach(): void {
    if (this.slotIndex === 0) return;
    this.trim();
    Atomics.store(this.words, this.slotBase + S_OWNER, 0);
    this.slotIndex = 0;
    this.slotBase = 0;
  }

  // ---- the heap lock -------------------------------------------------------------------------

  /** Re-makes the views when the buffer grew: the back end may touch any block below top. */
  private syncViews(): void {
    this.backEnd.refresh();
    this.words = this.backEnd.words;
  }

  private enter(): void {
    if (this.noSerialize) {
      this.syncViews();
      return;
    }
    const w = this.words;
    if (Atomics.load(w, C_LOCK_OWNER) === this.threadId) {
      w[C_LOCK_DEPTH]! += 1;
      return;
    }
    mutexLock(w, C_LOCK);
    Atomics.store(w, C_LOCK_OWNER, this.threadId);
    w[C_LOCK_DEPTH] = 1;
    this.syncViews();
  }

  private leave(): void {
    if (this.noSerialize) return;
    const w = this.words;
    const depth = w[C_LOCK_DEPTH]! - 1;
    w[C_LOCK_DEPTH] = depth;
    if (depth === 0) {
      Atomics.store(w, C_LOCK_OWNER, 0);
      mutexUnlock(w, C_LOCK);
    }
  }

  /** HeapLock: blocks until this thread owns the heap lock (recursive). Serializes nothing on a HEAP_NO_SERIALIZE heap. */
  lock(): void {
    if (this.noSerialize) {
      this.unserializedLocks++;
      return;
    }
    this.enter();
  }

  /** HeapUnlock: MemError(ERROR_NOT_LOCKED) when this thread does not hold the heap lock. */
  unlock(): void {
    if (this.noSerialize) {
      if (this.unserializedLocks === 0) throw new MemError(ERROR_NOT_LOCKED, 'the heap is not locked');
      this.unserializedLocks--;
      return;
    }
    if (Atomics.load(this.words, C_LOCK_OWNER) !== this.threadId) {
      throw new MemError(ERROR_NOT_LOCKED, 'the heap is not locked by this thread');
    }
    this.leave();
  }

  /** The lock word as other threads see it: 'contended' means some thread sleeps waiting for it. */
  lockState(): SharedLockState {
    const state = Atomics.load(this.words, C_LOCK);
    return state === LOCK_FREE ? 'free' : state === LOCK_CONTENDED ? 'contended' : 'held';
  }

  /** Thread id holding the heap lock (0 when free). */
  lockOwner(): number {
    return Atomics.load(this.words, C_LOCK_OWNER);
  }

  // ---- counters -------------------------------------------------------------------------------

  /** Live and cached counters go to this thread's slot (plain stores: only it writes them), else to shared atomics. */
  private count(liveBytes: number, liveBlocks: number, cachedBytes: number): void {
    const w = this.words;
    if (this.slotIndex !== 0) {
      const base = this.slotBase;
      w[base + S_LIVE_BYTES]! += liveBytes;
      w[base + S_LIVE_BLOCKS]! += liveBlocks;
      w[base + S_CACHED_BYTES]! += cachedBytes;
    } else {
      if (liveBytes !== 0) Atomics.add(w, C_SHARED_LIVE_BYTES, liveBytes);
      if (liveBlocks !== 0) Atomics.add(w, C_SHARED_LIVE_BLOCKS, liveBlocks);
      if (cachedBytes !== 0) Atomics.add(w, C_SHARED_CACHED_BYTES, cachedBytes);
    }
  }

  /** Sum of live bytes over all slots (readers see each slot's last store). */
  private liveBytesNow(): number {
    const w = this.words;
    let total = Atomics.load(w, C_SHARED_LIVE_BYTES);
    for (let slot = 0; slot < SLOT_COUNT; slot++) total += w[this.slotsBase + slot * SLOT_WORDS + S_LIVE_BYTES]!;
    return total;
  }

  /** Samples the live total into the peak (under the heap lock: on back-end calls and stats()). */
  private samplePeak(): void {
    const live = this.liveBytesNow();
    if (live > this.words[C_PEAK_LIVE]!) this.words[C_PEAK_LIVE] = live;
  }

  // ---- allocation -----------------------------------------------------------------------------

  alloc(size: number, alignment?: number): number {
    assertSize(size);
    const align = alignment ?? 0;
    if (align !== 0) assertAlignment(align);
    if (size <= FRONT_MAX_REQUEST && align <= GRANULE && this.slotIndex !== 0) return this.allocFront(size);
    return this.allocBack(size, align);
  }

  private allocFront(size: number): number {
    let w = this.words;
    const blockSize = blockSizeFor(size);
    const sizeClass = blockSize >>> 4;
    const localAt = this.slotBase + S_LOCAL_HEADS + sizeClass;
    let pointer = w[localAt]!;
    if (pointer === 0) {
      pointer = Atomics.exchange(w, this.slotBase + S_REMOTE_HEADS + sizeClass, 0);
      if (pointer === 0) {
        pointer = this.refill(sizeClass);
        if (pointer === 0) return 0;
        w = this.words; // re-made if the refill grew the buffer
      }
    }
    w[localAt] = w[pointer >> 2]!;
    const at = (pointer - HEADER_SIZE) >> 2;
    const word0 = w[at]! & ~BLOCK_CACHED;
    w[at] = word0;
    w[at + 2] = size;
    const granule = pointer >>> 4;
    Atomics.or(w, this.bitmapBase + (granule >>> 5), 1 << (granule & 31));
    const base = this.slotBase;
    w[base + S_LIVE_BYTES]! += size;
    w[base + S_LIVE_BLOCKS]! += 1;
    w[base + S_CACHED_BYTES]! -= word0 & SIZE_MASK;
    return pointer;
  }

  /** Carves a run of blocks of one class from the back end into this slot's cache; the run's first user pointer, or 0. */
  private refill(sizeClass: number): number {
    const blockSize = sizeClass * GRANULE;
    let count = Math.floor(REFILL_BYTES / blockSize);
    this.enter();
    try {
      let run = this.backEnd.allocateAlignedBlock(count * blockSize, REFILL_BYTES);
      if (run === 0) {
        count = 1;
        run = this.backEnd.allocateBlock(blockSize);
      }
      if (run === 0) return 0;
      const w = (this.words = this.backEnd.words);
      const total = w[run >> 2]! & SIZE_MASK;
      const slot = this.slotIndex;
      const flags = BLOCK_BUSY | BLOCK_FRONT | BLOCK_CACHED;
      // The run's spare bytes (< 32) go to its last block, which stays in the same class.
      for (let i = 0; i < count; i++) {
        const block = run + i * blockSize;
        const size = i === count - 1 ? total - i * blockSize : blockSize;
        const at = block >> 2;
        if (i > 0) w[at + 1] = blockSize;
        w[at + 2] = 0;
        this.backEnd.setHeader(block, size, flags, sizeClass, slot);
        w[at + 4] = i === count - 1 ? 0 : block + blockSize + HEADER_SIZE;
      }
      const last = run + (count - 1) * blockSize;
      this.backEnd.linkNext(last, total - (count - 1) * blockSize);
      w[this.slotBase + S_CACHED_BYTES]! += total;
      this.samplePeak();
      return run + HEADER_SIZE;
    } finally {
      this.leave();
    }
  }

  private allocBack(size: number, alignment: number): number {
    if (size > this.limit) return 0;
    const blockSize = blockSizeFor(size);
    this.enter();
    try {
      const block = alignment > GRANULE ? this.backEnd.allocateAlignedBlock(blockSize, alignment) : this.backEnd.allocateBlock(blockSize);
      if (block === 0) return 0;
      const w = (this.words = this.backEnd.words);
      w[(block >> 2) + 2] = size;
      const pointer = block + HEADER_SIZE;
      const granule = pointer >>> 4;
      Atomics.or(w, this.bitmapBase + (granule >>> 5), 1 << (granule & 31));
      this.count(size, 1, 0);
      this.samplePeak();
      return pointer;
    } finally {
      this.leave();
    }
  }

  calloc(count: number, size: number): number {
    if (!Number.isInteger(count) || count < 0) throw invalidParameter(`count must be a non-negative integer, got ${count}`);
    assertSize(size);
    const total = count * size;
    if (!Number.isSafeInteger(total) || total > this.limit) return 0;
    const pointer = this.alloc(total);
    if (pointer !== 0 && total > 0) this.memory.fill(pointer, total, 0);
    return pointer;
  }

  // ---- checks -----------------------------------------------------------------------------------

  /** Throws unless `pointer` is a live block (its bitmap bit set, its header intact); returns its header word0. */
  private liveHeader(pointer: number): number {
    if (typeof pointer !== 'number' || !Number.isInteger(pointer) || pointer < this.heapStart + HEADER_SIZE || pointer >= this.limit || pointer % GRANULE !== 0) {
      throw badPointer(pointer);
    }
    let w = this.words;
    const granule = pointer >>> 4;
    if ((Atomics.load(w, this.bitmapBase + (granule >>> 5)) & (1 << (granule & 31))) === 0) throw badPointer(pointer);
    // A block carved by another thread after the buffer grew lies past this thread's view.
    if (pointer + HEADER_SIZE > w.length * 4) {
      this.syncViews();
      w = this.words;
    }
    const block = pointer - HEADER_SIZE;
    const at = block >> 2;
    const word0 = w[at]!;
    const size = word0 & SIZE_MASK;
    if ((word0 & BLOCK_BUSY) === 0 || (word0 & BLOCK_CACHED) !== 0 || tagCheck(w[at + 3]!) !== headerCheck(block, size)) {
      throw heapCorruption(block, 'header does not match a live block');
    }
    return word0;
  }

  /** Clears a live block's bit; false when another thread cleared it first (then nothing changed). */
  private clearLive(pointer: number): boolean {
    const granule = pointer >>> 4;
    const mask = 1 << (granule & 31);
    return (Atomics.and(this.words, this.bitmapBase + (granule >>> 5), ~mask) & mask) !== 0;
  }

  // ---- free, realloc, sizes ---------------------------------------------------------------------

  free(pointer: number): void {
    if (pointer === 0) return;
    const word0 = this.liveHeader(pointer);
    if ((word0 & BLOCK_FRONT) !== 0) this.freeFront(pointer, word0);
    else this.freeBack(pointer);
  }

  private freeFront(pointer: number, word0: number): void {
    const w = this.words;
    const at = (pointer - HEADER_SIZE) >> 2;
    if (!this.clearLive(pointer)) throw badPointer(pointer);
    const tag = w[at + 3]!;
    w[at] = word0 | BLOCK_CACHED;
    this.count(-w[at + 2]!, -1, word0 & SIZE_MASK);
    const owner = tagSlot(tag);
    const sizeClass = tagClass(tag);
    if (owner === this.slotIndex) {
      const localAt = this.slotBase + S_LOCAL_HEADS + sizeClass;
      w[pointer >> 2] = w[localAt]!;
      w[localAt] = pointer;
      return;
    }
    // Another slot's block: push it on that slot's remote list (push-only CAS, no ABA).
    const remoteAt = this.slotsBase + (owner - 1) * SLOT_WORDS + S_REMOTE_HEADS + sizeClass;
    let head = Atomics.load(w, remoteAt);
    for (;;) {
      w[pointer >> 2] = head;
      const seen = Atomics.compareExchange(w, remoteAt, head, pointer);
      if (seen === head) return;
      head = seen;
    }
  }

  private freeBack(pointer: number): void {
    this.enter();
    try {
      // Checked again under the lock: a racing double free must find the bit already clear.
      this.liveHeader(pointer);
      if (!this.clearLive(pointer)) throw badPointer(pointer);
      const block = pointer - HEADER_SIZE;
      this.count(-this.words[(block >> 2) + 2]!, -1, 0);
      this.backEnd.freeBlock(block);
    } finally {
      this.leave();
    }
  }

  realloc(pointer: number, size: number): number {
    if (pointer === 0) return this.alloc(size);
    assertSize(size);
    const word0 = this.liveHeader(pointer);
    const w = this.words;
    const at = (pointer - HEADER_SIZE) >> 2;
    const oldSize = w[at + 2]!;
    if ((word0 & BLOCK_FRONT) !== 0) {
      if (size + HEADER_SIZE <= (word0 & SIZE_MASK)) {
        w[at + 2] = size;
        this.count(size - oldSize, 0, 0);
        return pointer;
      }
    } else if (size <= this.limit) {
      this.enter();
      try {
        this.liveHeader(pointer);
        if (this.backEnd.resizeInPlace(pointer - HEADER_SIZE, blockSizeFor(size))) {
          this.words = this.backEnd.words;
          this.words[at + 2] = size;
          this.count(size - oldSize, 0, 0);
          this.samplePeak();
          return pointer;
        }
      } finally {
        this.leave();
      }
    }
    const moved = this.alloc(size);
    if (moved === 0) return 0;
    const keep = Math.min(oldSize, size);
    if (keep > 0) this.memory.copy(moved, pointer, keep);
    this.free(pointer);
    return moved;
  }

  usableSize(pointer: number): number {
    return (this.liveHeader(pointer) & SIZE_MASK) - HEADER_SIZE;
  }

  /** The requested size recorded for a live block. */
  sizeOf(pointer: number): number {
    this.liveHeader(pointer);
    return this.words[((pointer - HEADER_SIZE) >> 2) + 2]!;
  }

  /** True when `pointer` is a live block of this heap (never throws). */
  owns(pointer: number): boolean {
    try {
      this.liveHeader(pointer);
      return true;
    } catch {
      return false;
    }
  }

  // ---- whole-heap views ---------------------------------------------------------------------------

  stats(): HeapStats {
    this.enter();
    try {
      const w = this.words;
      let liveBytes = Atomics.load(w, C_SHARED_LIVE_BYTES);
      let liveBlocks = Atomics.load(w, C_SHARED_LIVE_BLOCKS);
      let cachedBytes = Atomics.load(w, C_SHARED_CACHED_BYTES);
      for (let slot = 0; slot < SLOT_COUNT; slot++) {
        const base = this.slotsBase + slot * SLOT_WORDS;
        liveBytes += w[base + S_LIVE_BYTES]!;
        liveBlocks += w[base + S_LIVE_BLOCKS]!;
        cachedBytes += w[base + S_CACHED_BYTES]!;
      }
      if (liveBytes > w[C_PEAK_LIVE]!) w[C_PEAK_LIVE] = liveBytes;
      const pageUp = (value: number) => Math.ceil(value / PAGE_SIZE) * PAGE_SIZE;
      return {
        liveBytes,
        liveBlocks,
        peakLiveBytes: w[C_PEAK_LIVE]!,
        committedBytes: pageUp(w[C_TOP]!),
        peakCommittedBytes: pageUp(w[C_PEAK_TOP]!),
        reservedBytes: this.limit,
        freeBytes: w[C_FREE_BYTES]! + cachedBytes,
        largestFreeBlock: this.backEnd.largestFreeBody(),
      };
    } finally {
      this.leave();
    }
  }

  /**
   * Checks every structure (blocks, free lists, caches, bitmap, counters); throws MemError naming the bad
   * block. Call it while no other thread allocates: it takes the heap lock, which does not stop the caches.
   */
  validate(): void {
    this.enter();
    try {
      validateSharedHeap(this.words);
    } finally {
      this.leave();
    }
  }

  walk(visit: (entry: HeapWalkEntry) => void): void {
    this.enter();
    try {
      walkSharedHeap(this.words, visit);
    } finally {
      this.leave();
    }
  }
}

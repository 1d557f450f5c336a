// The back end of a shared heap: boundary-tag blocks tiling [heapStart, top), segregated free lists
// (exact below 1 KiB, 8 log-linear classes per power of two above) with a bitmap index, immediate
// coalescing, and a wilderness [top, limit) carved on demand (the buffer grows with it). All of its
// state is words of the SharedArrayBuffer; every method runs with the heap lock held (or on a
// HEAP_NO_SERIALIZE heap, where serializing is the caller's business).
//
// Invariants: blocks tile [heapStart, top) and each word1 holds its predecessor's size; no two free
// blocks touch and no free block touches top (it is given back to the wilderness); a free block is in
// exactly the list listIndex(size) names; C_LAST_SIZE is the size of the block ending at top.
import {
  BLOCK_BUSY,
  C_FREE_BLOCKS,
  C_FREE_BYTES,
  C_HEAP_START,
  C_LAST_SIZE,
  C_LIMIT,
  C_LIST_BITMAP,
  C_LIST_HEADS,
  C_PEAK_TOP,
  C_TOP,
  HEADER_SIZE,
  LIST_BITMAP_WORDS,
  LIST_COUNT,
  MIN_BLOCK,
  PAGE_SIZE,
  SIZE_MASK,
  listIndex,
  makeTag,
  searchIndex,
} from './layout';

interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  readonly growable: boolean;
  readonly maxByteLength: number;
  grow(length: number): void;
}

export class SharedBackEnd {
  /** A fixed-length view of the buffer as it was when last refreshed (see SharedMemory for why). */
  words: Int32Array;
  readonly buffer: SharedArrayBuffer;

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer, 0, Math.floor(buffer.byteLength / 4));
  }

  /** Re-makes the view when the buffer grew (here or in another thread). */
  refresh(): void {
    const wordCount = Math.floor(this.buffer.byteLength / 4);
    if (wordCount !== this.words.length) this.words = new Int32Array(this.buffer, 0, wordCount);
  }

  /** Makes the buffer at least `end` bytes long (growable buffers grow, at least doubling); false if it cannot. */
  ensureLength(end: number): boolean {
    const buffer = this.buffer as GrowableSharedArrayBuffer;
    // byteLength of a growable SharedArrayBuffer is shared: another thread may have grown it already.
    if (end <= buffer.byteLength) {
      if (end > this.words.length * 4) this.refresh();
      return true;
    }
    if (!buffer.growable || end > buffer.maxByteLength) return false;
    const wanted = Math.min(buffer.maxByteLength, Math.max(end, Math.min(buffer.byteLength * 2, end + 0x400000)));
    const length = Math.min(buffer.maxByteLength, Math.ceil(wanted / PAGE_SIZE) * PAGE_SIZE);
    // grow() throws when asked to shrink: another thread may have grown past `length` meanwhile.
    if (length > buffer.byteLength) buffer.grow(length);
    this.refresh();
    return true;
  }

  /** Writes a block's size, flags and tag (the check byte covers the address and size). */
  setHeader(block: number, size: number, flags: number, sizeClass: number, slot: number): void {
    const w = this.words;
    const at = block >> 2;
    w[at] = size | flags;
    w[at + 3] = makeTag(block, size, sizeClass, slot);
  }

  /** Sets word1 of the block after [block, block + size), or C_LAST_SIZE when that block ends at top. */
  linkNext(block: number, size: number): void {
    const w = this.words;
    const next = block + size;
    if (next === w[C_TOP]) w[C_LAST_SIZE] = size;
    else w[(next >> 2) + 1] = size;
  }

  private insert(block: number, size: number): void {
    const w = this.words;
    const index = listIndex(size);
    const headAt = C_LIST_HEADS + index;
    const head = w[headAt]!;
    const at = block >> 2;
    this.setHeader(block, size, 0, 0, 0);
    w[at + 2] = 0;
    w[at + 4] = head; // next
    w[at + 5] = 0; // previous
    if (head !== 0) w[(head >> 2) + 5] = block;
    w[headAt] = block;
    w[C_LIST_BITMAP + (index >>> 5)]! |= 1 << (index & 31);
    w[C_FREE_BYTES]! += size;
    w[C_FREE_BLOCKS]! += 1;
  }

  private remove(block: number, size: number): void {
    const w = this.words;
    const at = block >> 2;
    const next = w[at + 4]!;
    const previous = w[at + 5]!;
    const index = listIndex(size);
    if (previous !== 0) w[(previous >> 2) + 4] = next;
    else w[C_LIST_HEADS + index] = next;
    if (next !== 0) w[(next >> 2) + 5] = previous;
    if (previous === 0 && next === 0) w[C_LIST_BITMAP + (index >>> 5)]! &= ~(1 << (index & 31));
    w[C_FREE_BYTES]! -= size;
    w[C_FREE_BLOCKS]! -= 1;
  }

  /** The first non-empty list at or after `index`, or -1. */
  private nextNonEmpty(index: number): number {
    const w = this.words;
    let word = index >>> 5;
    let bits = w[C_LIST_BITMAP + word]! & (-1 << (index & 31));
    while (bits === 0) {
      word++;
      if (word >= LIST_BITMAP_WORDS) return -1;
      bits = w[C_LIST_BITMAP + word]!;
    }
    return word * 32 + (31 - Math.clz32(bits & -bits));
  }

  /** A busy block of at least `size` bytes (a block size) with flags BUSY, or 0 when memory is exhausted. */
  allocateBlock(size: number): number {
    let w = this.words;
    const start = searchIndex(size);
    const index = start < LIST_COUNT ? this.nextNonEmpty(start) : -1;
    // The class below the search class may still hold a block big enough (exact lists always fit).
    if (index < 0 && start > 0) {
      const lower = listIndex(size);
      if (lower < start) {
        for (let b = w[C_LIST_HEADS + lower]!; b !== 0; b = w[(b >> 2) + 4]!) {
          if ((w[b >> 2]! & SIZE_MASK) >= size) return this.take(b, size);
        }
      }
    }
    if (index >= 0) return this.take(w[C_LIST_HEADS + index]!, size);
    // Carve from the wilderness.
    const top = w[C_TOP]!;
    const end = top + size;
    if (end > w[C_LIMIT]! || !this.ensureLength(end)) return 0;
    w = this.words; // re-made if the buffer grew
    const at = top >> 2;
    w[at + 1] = w[C_LAST_SIZE]!;
    w[at + 2] = 0;
    this.setHeader(top, size, BLOCK_BUSY, 0, 0);
    w[C_TOP] = end;
    w[C_LAST_SIZE] = size;
    if (end > w[C_PEAK_TOP]!) w[C_PEAK_TOP] = end;
    return top;
  }

  /** Takes free block `block` for a request of `size` bytes, splitting off the rest when it can stand alone. */
  private take(block: number, size: number): number {
    const w = this.words;
    const blockSize = w[block >> 2]! & SIZE_MASK;
    this.remove(block, blockSize);
    const rest = blockSize - size;
    if (rest >= MIN_BLOCK) {
      this.setHeader(block, size, BLOCK_BUSY, 0, 0);
      const tail = block + size;
      w[(tail >> 2) + 1] = size;
      this.linkNext(tail, rest);
      this.insert(tail, rest);
    } else {
      this.setHeader(block, blockSize, BLOCK_BUSY, 0, 0);
    }
    w[(block >> 2) + 2] = 0;
    return block;
  }

  /**
   * A busy block whose user pointer (block + 16) is a multiple of `alignment` (> 16, a power of two),
   * at least `size` bytes (a block size); 0 when memory is exhausted.
   */
  allocateAlignedBlock(size: number, alignment: number): number {
    const padded = size + alignment + MIN_BLOCK;
    const block = this.allocateBlock(padded);
    if (block === 0) return 0;
    const w = this.words;
    const total = w[block >> 2]! & SIZE_MASK;
    let user = block + HEADER_SIZE;
    let start = block;
    if (user % alignment !== 0) {
      user = Math.ceil((user + MIN_BLOCK) / alignment) * alignment;
      start = user - HEADER_SIZE;
      const lead = start - block;
      // The lead becomes a block of its own, then is freed (it coalesces with a free predecessor).
      this.setHeader(block, lead, BLOCK_BUSY, 0, 0);
      w[(start >> 2) + 1] = lead;
      this.setHeader(start, total - lead, BLOCK_BUSY, 0, 0);
      w[(start >> 2) + 2] = 0;
      this.linkNext(start, total - lead);
      this.freeBlock(block);
    }
    this.shrinkBlock(start, size);
    return start;
  }

  /** Gives the tail of busy block `block` beyond `size` bytes back, when it can stand alone as a block. */
  private shrinkBlock(block: number, size: number): void {
    const w = this.words;
    const at = block >> 2;
    const blockSize = w[at]! & SIZE_MASK;
    const rest = blockSize - size;
    if (rest < MIN_BLOCK) return;
    const flags = w[at]! & ~SIZE_MASK;
    const tag = w[at + 3]!;
    this.setHeader(block, size, flags, (tag >>> 8) & 0xff, tag & 0xff);
    const tail = block + size;
    w[(tail >> 2) + 1] = size;
    this.setHeader(tail, rest, BLOCK_BUSY, 0, 0);
    this.linkNext(tail, rest);
    this.freeBlock(tail);
  }

  /** Frees busy block `block`: coalesces with free neighbours, gives a block touching top back to the wilderness. */
  freeBlock(block: number): void {
    const w = this.words;
    let size = w[block >> 2]! & SIZE_MASK;
    const previousSize = w[(block >> 2) + 1]!;
    if (previousSize !== 0 && block > w[C_HEAP_START]!) {
      const previous = block - previousSize;
      const previousWord = w[previous >> 2]!;
      if ((previousWord & BLOCK_BUSY) === 0) {
        this.remove(previous, previousWord & SIZE_MASK);
        block = previous;
        size += previousSize;
      }
    }
    const next = block + size;
    const top = w[C_TOP]!;
    if (next < top) {
      const nextWord = w[next >> 2]!;
      if ((nextWord & BLOCK_BUSY) === 0) {
        const nextSize = nextWord & SIZE_MASK;
        this.remove(next, nextSize);
        size += nextSize;
      }
    }
    if (block + size === top) {
      w[C_TOP] = block;
      w[C_LAST_SIZE] = block === w[C_HEAP_START]! ? 0 : w[(block >> 2) + 1]!;
      return;
    }
    this.insert(block, size);
    w[((block + size) >> 2) + 1] = size;
  }

  /** Resizes busy block `block` to `size` bytes (a block size) without moving it; false (nothing changed) if it cannot. */
  resizeInPlace(block: number, size: number): boolean {
    const w = this.words;
    const at = block >> 2;
    const blockSize = w[at]! & SIZE_MASK;
    if (size <= blockSize) {
      this.shrinkBlock(block, size);
      return true;
    }
    const next = block + blockSize;
    const top = w[C_TOP]!;
    const flags = w[at]! & ~SIZE_MASK;
    if (next === top) {
      const end = block + size;
      if (end > w[C_LIMIT]! || !this.ensureLength(end)) return false;
      this.setHeader(block, size, flags, 0, 0);
      const grown = this.words;
      grown[C_TOP] = end;
      grown[C_LAST_SIZE] = size;
      if (end > grown[C_PEAK_TOP]!) grown[C_PEAK_TOP] = end;
      return true;
    }
    const nextWord = w[next >> 2]!;
    if ((nextWord & BLOCK_BUSY) !== 0) return false;
    const combined = blockSize + (nextWord & SIZE_MASK);
    if (combined < size) return false;
    this.remove(next, nextWord & SIZE_MASK);
    this.setHeader(block, combined, flags, 0, 0);
    this.linkNext(block, combined);
    this.shrinkBlock(block, size);
    return true;
  }

  /** Body bytes of the largest block in the free lists (0 if none). */
  largestFreeBody(): number {
    const w = this.words;
    for (let index = LIST_COUNT - 1; index >= 0; index--) {
      let largest = 0;
      for (let b = w[C_LIST_HEADS + index]!; b !== 0; b = w[(b >> 2) + 4]!) {
        const size = w[b >> 2]! & SIZE_MASK;
        if (size > largest) largest = size;
      }
      if (largest > 0) return largest - HEADER_SIZE;
    }
    return 0;
  }
}

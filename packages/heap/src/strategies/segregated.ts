// The NT heap back end ('segregated'): blocks with boundary-tag headers in the managed memory,
// segregated free lists with a bitmap index, immediate coalescing, segments that grow as on Windows,
// tail decommit with hysteresis, and large blocks in their own reservations. With sizeClasses 'tlsf' the
// same blocks are indexed by TLSF's two-level classes ('tlsf', tlsf.ts).
//
// Block layout (P = pointer size, G = granule = 2·P, H = header = 2·P: 8 B on x86, 16 B on x64):
//   b + H − 8  word0: size in granules (bits 0–23) | flags (bits 24–25: BUSY, LAST) | unused bytes (26–31)
//   b + H − 4  word1: previous block's size in granules (bits 0–23) | checksum of the header (24–31)
//   b + H      user data; in a free block: forward link (P bytes), then backward link (P bytes)
// On x64 the first 8 header bytes are _HEAP_ENTRY's PreviousBlockPrivateData and unchecked.
// Links are absolute addresses (x64 addresses exceed 2^32: written as two 32-bit halves).
//
// Invariants (validate() checks them all against memory): in each segment the blocks tile
// [first block, committed end) exactly; prev sizes match; no two neighbours are free; only the last
// block carries LAST; every free block is in the list its size maps to, and only there; a busy block
// starts where the host-side shadow bitmap says one does (the shadow makes free() of a foreign or
// interior pointer an O(1) refusal that never reads memory it should not).
//
// Segments keep committed memory as one prefix [base, committed end) and the uncommitted tail after it;
// decommit only shrinks that prefix (a free last block at least DECOMMIT_FREE_BLOCK_THRESHOLD while the
// heap's free bytes exceed DECOMMIT_TOTAL_FREE_THRESHOLD), so a free block in the middle stays committed.
import type { HeapMemory, HeapStats, HeapStrategy, HeapStrategyOptions, HeapWalkEntry, PageSource } from '../api';
import {
  BLOCK_BUSY,
  BLOCK_LAST,
  COMMIT_STEP,
  DECOMMIT_FREE_BLOCK_THRESHOLD,
  DECOMMIT_TOTAL_FREE_THRESHOLD,
  DEFAULT_INITIAL_RESERVE,
  LARGE_BLOCK_SIGNATURE,
  SEGMENT_GROWTH_CAP,
  SEGMENT_GROWTH_START,
  SEGMENT_SIGNATURE,
  heapHeaderSize,
  largeBlockThreshold,
  maximumAllocationSize,
  segmentHeaderSize,
} from '../constants';
import { badPointer, heapCorruption, hex } from '../errors';
import { assertAlignment, assertSize, countBits, roundUp } from '../numbers';
import { ERROR_NOT_ENOUGH_MEMORY, MemError } from '@mem/pages';
import { makeDoubleFields } from './doubleFields';
import { TLSF_LIST_COUNT, tlsfListIndex, tlsfSearchIndex } from './tlsfClasses';

const TWO_24 = 0x1000000;
const TWO_32 = 0x100000000;
const SIZE_MASK = 0xffffff;
const MIN_BLOCK_GRANULES = 2;
/** Salt of the header checksum, so that an all-zero header is never valid. */
const CHECK_SALT = 0x5a;
/** A large block's header has its own salt, so a stray copy inside a segment never passes. */
const LARGE_CHECK_SALT = 0xa7;
/** Exact-size lists for 2..127 granules, then 8 log-linear classes per power of two. */
const SMALL_LISTS = 128;
const NT_LIST_COUNT = SMALL_LISTS + (24 - 7) * 8;
/** Bytes per entry of the segment table (Windows' reservation granularity). */
const SEGMENT_CHUNK = 0x10000;
const INVERSE_SEGMENT_CHUNK = 1 / SEGMENT_CHUNK;
/** The segment table covers addresses below 4 GiB (64 Ki entries at most); segments above are scanned. */
const SEGMENT_TABLE_LIMIT = 2 ** 32;
/** Segment-table entry of a chunk two segments share (flat buffers place segments page by page). */
const SHARED_CHUNK = -1;
/** How many blocks of a class list best-fit examines before taking the next class's head. */
const CLASS_SCAN_LIMIT = 32;

/**
 * The NT policy's list for a free block of `granules` granules: exact lists below 128 granules, then 8
 * log-linear classes per power of two (a block in list i is at least the class's lower bound).
 */
export function ntListIndex(granules: number): number {
  if (granules < SMALL_LISTS) return granules;
  const band = 31 - Math.clz32(granules);
  return SMALL_LISTS + (band - 7) * 8 + ((granules >>> (band - 3)) & 7);
}

/** The smallest size (in granules) a block in NT list `index` can have. */
export function ntListLowerBound(index: number): number {
  if (index < SMALL_LISTS) return index;
  const band = 7 + Math.floor((index - SMALL_LISTS) / 8);
  return 2 ** band + ((index - SMALL_LISTS) % 8) * 2 ** (band - 3);
}

function headerCheck(word0: number, previousGranules: number, salt: number): number {
  const x = (word0 ^ previousGranules) >>> 0;
  return ((x ^ (x >>> 8) ^ (x >>> 16) ^ (x >>> 24) ^ salt) & 0xff) >>> 0;
}

export interface SegregatedHeapOptions extends HeapStrategyOptions {
  /** Number of free lists the index uses (subclasses with another size-class map override). */
  listCount?: number;
  /**
   * Size classes of the free lists: 'nt' (the default: exact lists, then best fit in a class) or 'tlsf'
   * (two-level segregated fit, tlsf.ts). A field rather than a subclass, so the hot methods see one object shape.
   */
  sizeClasses?: 'nt' | 'tlsf';
}

export class SegregatedHeap implements HeapStrategy {
  readonly name: string;
  readonly source: PageSource;
  readonly memory: HeapMemory;
  readonly pointerSize: 4 | 8;
  /** Block granularity and header size in bytes (8 on x86, 16 on x64). */
  readonly granule: number;
  readonly headerSize: number;
  readonly largeThreshold: number;
  readonly maximumSize: number;
  readonly growable: boolean;
  /** Address of the first segment: the heap's handle on Windows. */
  base = 0;

  private readonly coreOffset: number;
  private readonly inverseGranule: number;
  private readonly pageSize: number;
  private readonly maxSegmentBytes: number;
  private readonly maxAllocation: number;
  private nextSegmentSize = SEGMENT_GROWTH_START;

  // Segments, in creation order (= region index).
  private segBase: number[] = [];
  private segEnd: number[] = [];
  private segCommit: number[] = [];
  private segFirst: number[] = [];
  private segLast: number[] = [];
  private segShadow: Uint32Array[] = [];
  private lastSegment = 0;
  /**
   * Per 64-KiB chunk below the highest segment end (under 4 GiB): 1 + the index of the segment reserving it,
   * 0 for none, SHARED_CHUNK when two share it. Segment look-ups cost one load instead of a scan.
   */
  private segmentTable = new Int16Array(0);
  private segmentTableLimit = 0;
  /** The segment of the last list neighbour inSegments found (links often stay in one segment). */
  private lastLinkSegment = 0;

  // Free lists: heads and tails by list index, and a bitmap of non-empty lists.
  protected readonly listCount: number;
  /** The 'tlsf' size-class policy (else NT's). */
  private readonly tlsf: boolean;
  private readonly heads: Float64Array;
  private readonly tails: Float64Array;
  private readonly nonEmpty: Uint32Array;

  // Large blocks (own reservations), in allocation order.
  private largeBase: number[] = [];
  private largeReserve: number[] = [];
  private largeCommit: number[] = [];
  private largeUser: number[] = [];
  private largeSize: number[] = [];

  // Counters.
  liveBytes = 0;
  liveBlocks = 0;
  peakLiveBytes = 0;
  committedBytes = 0;
  peakCommittedBytes = 0;
  reservedBytes = 0;
  /** Sum of whole free-block sizes (headers included) and their count. */
  private freeBlockBytes = 0;
  private freeBlockCount = 0;

  // Scratch of readHeader (no per-call objects).
  private hSize = 0;
  private hFlags = 0;
  private hUnused = 0;
  private hPrevious = 0;
  // Neighbours seen by checkBlock: size (0 when none or busy) and, for the next one, its LAST flag.
  private freeBeforeSize = 0;
  private freeBeforePrevious = 0;
  private freeAfterSize = 0;
  private freeAfterLast = 0;
  /** First header word of the block after the one checkBlock checked (when there is one). */
  private afterWord0 = 0;
  // Their list links as checkBlock read them (free() unlinks with these instead of reading them again).
  private freeBeforeForward = 0;
  private freeBeforeBackward = 0;
  private freeAfterForward = 0;
  private freeAfterBackward = 0;
  // Links read by checkedLinks.
  private linkForward = 0;
  private linkBackward = 0;

  constructor(options: SegregatedHeapOptions) {
    const source = options.source;
    this.source = source;
    this.memory = source.memory;
    this.pointerSize = source.pointerSize;
    this.granule = 2 * source.pointerSize;
    this.headerSize = 2 * source.pointerSize;
    this.coreOffset = this.headerSize - 8;
    this.inverseGranule = 1 / this.granule;
    this.pageSize = source.pageSize;
    this.largeThreshold = largeBlockThreshold(source.pointerSize);
    this.maxAllocation = maximumAllocationSize(source.pointerSize);
    this.maxSegmentBytes = Math.floor((SIZE_MASK * this.granule) / source.granularity) * source.granularity;
    this.maximumSize = options.maximumSize ?? 0;
    this.growable = this.maximumSize === 0;
    this.tlsf = options.sizeClasses === 'tlsf';
    this.name = this.tlsf ? 'tlsf' : 'segregated';
    this.listCount = options.listCount ?? (this.tlsf ? TLSF_LIST_COUNT : NT_LIST_COUNT);
    this.heads = new Float64Array(this.listCount);
    this.tails = new Float64Array(this.listCount);
    this.nonEmpty = new Uint32Array(Math.ceil(this.listCount / 32));

    const headerBytes = heapHeaderSize(this.pointerSize);
    const minimumCommit = roundUp(headerBytes + MIN_BLOCK_GRANULES * this.granule, this.pageSize);
    let commit = roundUp(Math.max(options.initialCommit ?? 0x400 * this.pointerSize, minimumCommit), this.pageSize);
    let reserve: number;
    if (this.growable) {
      // Page-rounded: HeapCreate(0, initial, 0) reserves initial + 64 KiB exactly (H-003).
      reserve = roundUp(Math.max(options.initialReserve || DEFAULT_INITIAL_RESERVE, commit), this.pageSize);
    } else {
      // A fixed heap reserves its maximum, rounded to 0x400·ptr (H-004), and never grows.
      reserve = roundUp(Math.max(this.maximumSize, commit), Math.max(0x400 * this.pointerSize, this.pageSize));
    }
    reserve = Math.min(reserve, this.maxSegmentBytes);
    commit = Math.min(commit, reserve);
    let base = source.reserve(reserve);
    // A small flat buffer may not hold the default reservation: take what fits.
    while (base === 0 && this.growable && reserve / 2 >= minimumCommit) {
      reserve = roundUp(reserve / 2, this.pageSize);
      commit = Math.min(commit, reserve);
      base = source.reserve(reserve);
    }
    if (base === 0) throw new MemError(ERROR_NOT_ENOUGH_MEMORY, `cannot reserve ${reserve} bytes for a heap`);
    if (!source.commit(base, commit)) {
      source.release(base, reserve);
      throw new MemError(ERROR_NOT_ENOUGH_MEMORY, `cannot commit ${commit} bytes for a heap`);
    }
    this.base = base;
    this.addSegment(base, reserve, commit, headerBytes);
    // Byte counts and links read from Float64Arrays or memory hold doubles in a replay over a flat buffer;
    // fields that stay small integers are left out (a double field costs a load more on every read).
    makeDoubleFields(this, [
      'liveBytes',
      'peakLiveBytes',
      'freeBlockBytes',
      'freeBeforeForward',
      'freeBeforeBackward',
      'freeAfterForward',
      'freeAfterBackward',
      'linkForward',
      'linkBackward',
    ]);
  }

  // ---- header access -------------------------------------------------------------------------

  /** Reads the header of the block at `block` into the scratch fields; false when the checksum fails. */
  private readHeader(block: number): boolean {
    const at = block + this.coreOffset;
    const word0 = this.memory.getUint32(at);
    const word1 = this.memory.getUint32(at + 4);
    this.hSize = word0 & SIZE_MASK;
    const flagsByte = word0 >>> 24;
    this.hFlags = flagsByte & 3;
    this.hUnused = flagsByte >>> 2;
    this.hPrevious = word1 & SIZE_MASK;
    return word1 >>> 24 === headerCheck(word0, this.hPrevious, CHECK_SALT);
  }

  /** Decodes a header the heap itself just checked or wrote (no checksum: the hot paths). */
  private decodeHeader(block: number): void {
    const at = block + this.coreOffset;
    const word0 = this.memory.getUint32(at);
    this.hSize = word0 & SIZE_MASK;
    const flagsByte = word0 >>> 24;
    this.hFlags = flagsByte & 3;
    this.hUnused = flagsByte >>> 2;
    this.hPrevious = this.memory.getUint32(at + 4) & SIZE_MASK;
  }

  private writeHeader(block: number, sizeGranules: number, flags: number, unused: number, previous: number): void {
    const word0 = sizeGranules + (flags + unused * 4) * TWO_24;
    const at = block + this.coreOffset;
    this.memory.setUint32(at, word0);
    this.memory.setUint32(at + 4, previous + headerCheck(word0, previous, CHECK_SALT) * TWO_24);
  }

  /** Rewrites only the previous-size field (and the checksum) of the block at `block`. */
  private setPrevious(block: number, previous: number): void {
    const at = block + this.coreOffset;
    const word0 = this.memory.getUint32(at);
    this.memory.setUint32(at + 4, previous + headerCheck(word0, previous, CHECK_SALT) * TWO_24);
  }

  /** setPrevious for a block whose first header word the heap has just read (`word0`). */
  private setPreviousKnown(block: number, word0: number, previous: number): void {
    this.memory.setUint32(block + this.coreOffset + 4, previous + headerCheck(word0, previous, CHECK_SALT) * TWO_24);
  }

  /** Writes a null link (writePointer without the split into 32-bit halves). */
  private writeNull(address: number): void {
    if (this.pointerSize === 4) this.memory.setUint32(address, 0);
    else {
      this.memory.setUint32(address, 0);
      this.memory.setUint32(address + 4, 0);
    }
  }

  private readPointer(address: number): number {
    if (this.pointerSize === 4) return this.memory.getUint32(address);
    return this.memory.getUint32(address) + this.memory.getUint32(address + 4) * TWO_32;
  }

  private writePointer(address: number, value: number): void {
    if (this.pointerSize === 4) {
      this.memory.setUint32(address, value);
    } else {
      // Not value % 2^32: a floating-point modulo is a slow library call.
      const high = Math.floor(value / TWO_32);
      this.memory.setUint32(address, value - high * TWO_32);
      this.memory.setUint32(address + 4, high);
    }
  }

  // ---- free-list index (NT or TLSF size classes; subclasses may override) -----------------------

  /** The list a free block of `granules` granules lives in. */
  protected listIndex(granules: number): number {
    return this.tlsf ? tlsfListIndex(granules) : ntListIndex(granules);
  }

  /** A free block of at least `granules` granules, or 0. NT policy: exact lists, then best fit in a class. */
  protected findFit(granules: number): number {
    if (this.tlsf) {
      // TLSF: the head of the first non-empty list whose every block fits.
      const index = this.nextNonEmpty(tlsfSearchIndex(granules));
      return index < 0 ? 0 : (this.heads[index] as number);
    }
    let index = this.nextNonEmpty(granules < SMALL_LISTS ? granules : this.listIndex(granules));
    if (index < 0) return 0;
    if (index < SMALL_LISTS || granules < SMALL_LISTS) return this.heads[index] as number;
    if (index === this.listIndex(granules)) {
      // Best fit among the first blocks of the request's own class.
      let best = 0;
      let bestSize = Number.POSITIVE_INFINITY;
      let block = this.heads[index] as number;
      for (let seen = 0; block !== 0 && seen < CLASS_SCAN_LIMIT; seen++) {
        const size = this.memory.getUint32(block + this.coreOffset) & SIZE_MASK;
        if (size >= granules && size < bestSize) {
          best = block;
          bestSize = size;
          if (size === granules) break;
        }
        block = this.readPointer(block + this.headerSize);
      }
      if (best !== 0) return best;
      index = this.nextNonEmpty(index + 1);
      if (index < 0) return 0;
    }
    return this.heads[index] as number;
  }

  /** The first non-empty list at or after `index`, or −1. */
  protected nextNonEmpty(index: number): number {
    if (index >= this.listCount) return -1;
    let word = index >>> 5;
    let bits = (this.nonEmpty[word] as number) & (0xffffffff << (index & 31));
    while (bits === 0) {
      word++;
      if (word >= this.nonEmpty.length) return -1;
      bits = this.nonEmpty[word] as number;
    }
    return word * 32 + 31 - Math.clz32(bits & -bits);
  }

  protected listHead(index: number): number {
    return this.heads[index] as number;
  }

  /** Safe unlinking (Windows since XP SP2): both list neighbours of a free block point back at it. */
  private linksIntact(block: number, granules: number): boolean {
    const link = block + this.headerSize;
    return this.neighboursPointBack(this.listIndex(granules), block, this.readPointer(link), this.readPointer(link + this.pointerSize));
  }

  /**
   * The list neighbours `forward` and `backward` of the free block `block` in list `index` point back at it
   * (the list's ends when 0). A neighbour outside the heap's committed blocks is never read.
   */
  private neighboursPointBack(index: number, block: number, forward: number, backward: number): boolean {
    if (backward === 0) {
      if (this.heads[index] !== block) return false;
    } else if (!this.inSegments(backward) || this.readPointer(backward + this.headerSize) !== block) {
      return false;
    }
    if (forward === 0) return this.tails[index] === block;
    return this.inSegments(forward) && this.readPointer(forward + this.headerSize + this.pointerSize) === block;
  }

  /** Reads a free block's links into linkForward/linkBackward after safe-unlink checking them (throws when overwritten). */
  private checkedLinks(block: number, granules: number): void {
    const link = block + this.headerSize;
    const forward = this.readPointer(link);
    const backward = this.readPointer(link + this.pointerSize);
    if (!this.neighboursPointBack(this.listIndex(granules), block, forward, backward)) {
      throw heapCorruption(block, 'free-list links overwritten (a write after free?)');
    }
    this.linkForward = forward;
    this.linkBackward = backward;
  }

  private checkLinks(block: number, granules: number): void {
    if (!this.linksIntact(block, granules)) throw heapCorruption(block, 'free-list links overwritten (a write after free?)');
  }

  private insertFree(block: number, granules: number, atTail: boolean): void {
    const index = this.listIndex(granules);
    const link = block + this.headerSize;
    const pointerSize = this.pointerSize;
    const head = this.heads[index] as number;
    if (head === 0) {
      this.writeNull(link);
      this.writeNull(link + pointerSize);
      this.heads[index] = block;
      this.tails[index] = block;
      const word = index >>> 5;
      this.nonEmpty[word] = ((this.nonEmpty[word] as number) | (1 << (index & 31))) >>> 0;
    } else if (atTail) {
      const tail = this.tails[index] as number;
      this.writeNull(link);
      this.writePointer(link + pointerSize, tail);
      this.writePointer(tail + this.headerSize, block);
      this.tails[index] = block;
    } else {
      this.writePointer(link, head);
      this.writeNull(link + pointerSize);
      this.writePointer(head + this.headerSize + pointerSize, block);
      this.heads[index] = block;
    }
    this.freeBlockBytes += granules * this.granule;
    this.freeBlockCount++;
  }

  private removeFree(block: number, granules: number): void {
    const link = block + this.headerSize;
    this.unlink(this.listIndex(granules), this.readPointer(link), this.readPointer(link + this.pointerSize), granules);
  }

  /** removeFree after safe unlinking: throws heap corruption (nothing changed) when the links were overwritten. */
  private removeFreeChecked(block: number, granules: number): void {
    const index = this.listIndex(granules);
    const link = block + this.headerSize;
    const forward = this.readPointer(link);
    const backward = this.readPointer(link + this.pointerSize);
    if (!this.neighboursPointBack(index, block, forward, backward)) {
      throw heapCorruption(block, 'free-list links overwritten (a write after free?)');
    }
    this.unlink(index, forward, backward, granules);
  }

  /** Joins a free block's list neighbours (its links already read) and counts the block out. */
  private unlink(index: number, forward: number, backward: number, granules: number): void {
    if (backward === 0) this.heads[index] = forward;
    else this.writePointer(backward + this.headerSize, forward);
    if (forward === 0) this.tails[index] = backward;
    else this.writePointer(forward + this.headerSize + this.pointerSize, backward);
    if (forward === 0 && backward === 0) {
      const word = index >>> 5;
      this.nonEmpty[word] = ((this.nonEmpty[word] as number) & ~(1 << (index & 31))) >>> 0;
    }
    this.freeBlockBytes -= granules * this.granule;
    this.freeBlockCount--;
  }

  // ---- segments --------------------------------------------------------------------------------

  private addSegment(base: number, reserve: number, commit: number, headerBytes: number): void {
    const index = this.segBase.length;
    this.segBase.push(base);
    this.segEnd.push(base + reserve);
    this.segCommit.push(base + commit);
    this.segFirst.push(base + headerBytes);
    this.segLast.push(base + headerBytes);
    this.segShadow.push(new Uint32Array(Math.ceil(reserve / this.granule / 32)));
    this.rebuildSegmentTable();
    this.memory.setUint32(base, SEGMENT_SIGNATURE);
    this.memory.setUint32(base + 4, index);
    this.reservedBytes += reserve;
    this.addCommitted(commit);
    const granules = (commit - headerBytes) / this.granule;
    this.writeHeader(base + headerBytes, granules, BLOCK_LAST, 0, 0);
    this.insertFree(base + headerBytes, granules, true);
  }

  private addCommitted(bytes: number): void {
    this.committedBytes += bytes;
    if (this.committedBytes > this.peakCommittedBytes) this.peakCommittedBytes = this.committedBytes;
  }

  /** Writes a free block, tells the block after it its size (or makes it the segment's last) and lists it. */
  private placeFree(segment: number, block: number, granules: number, last: number, previous: number): void {
    // The block's header and links first, then the block after it (grouped by page, see carve).
    this.writeHeader(block, granules, last, 0, previous);
    this.insertFree(block, granules, last !== 0);
    if (last === 0) this.setPrevious(block + granules * this.granule, granules);
    else this.segLast[segment] = block;
  }

  /** True when `address` lies in some segment's committed blocks (link checks: leaves segmentOf's cache alone). */
  private inSegments(address: number): boolean {
    const cached = this.lastLinkSegment;
    if (cached < this.segBase.length && address >= (this.segFirst[cached] as number) && address < (this.segCommit[cached] as number)) {
      return true;
    }
    const found = this.findSegment(address);
    if (found < 0) return false;
    this.lastLinkSegment = found;
    return true;
  }

  /** The segment whose committed blocks contain `address`, or −1: one table load, a scan only where the table cannot say. */
  private findSegment(address: number): number {
    if (address >= 0 && address < this.segmentTableLimit) {
      const entry = this.segmentTable[Math.floor(address * INVERSE_SEGMENT_CHUNK)] as number;
      if (entry === 0) return -1;
      if (entry > 0) {
        const segment = entry - 1;
        return address >= (this.segFirst[segment] as number) && address < (this.segCommit[segment] as number) ? segment : -1;
      }
    }
    const count = this.segBase.length;
    for (let i = 0; i < count; i++) {
      if (address >= (this.segFirst[i] as number) && address < (this.segCommit[i] as number)) return i;
    }
    return -1;
  }

  /** Recomputes the segment table after a segment was added or released (segment indexes may have moved). */
  private rebuildSegmentTable(): void {
    let top = 0;
    for (let i = 0; i < this.segBase.length; i++) top = Math.max(top, Math.min(this.segEnd[i] as number, SEGMENT_TABLE_LIMIT));
    const length = Math.ceil(top * INVERSE_SEGMENT_CHUNK);
    // More segments than an Int16 entry can name: scan instead (never with Windows' segment sizes).
    if (this.segBase.length >= 0x7fff) {
      this.segmentTable = new Int16Array(0);
      this.segmentTableLimit = 0;
      return;
    }
    const table = this.segmentTable.length >= length ? this.segmentTable.fill(0) : new Int16Array(length);
    for (let i = 0; i < this.segBase.length; i++) {
      const base = this.segBase[i] as number;
      const end = this.segEnd[i] as number;
      if (base >= SEGMENT_TABLE_LIMIT) continue;
      const firstChunk = Math.floor(base * INVERSE_SEGMENT_CHUNK);
      const endChunk = Math.min(Math.ceil(end * INVERSE_SEGMENT_CHUNK), table.length);
      // A segment reaching past the table's limit is looked up by scanning, also in its chunks below it.
      const mark = end > SEGMENT_TABLE_LIMIT ? SHARED_CHUNK : i + 1;
      for (let chunk = firstChunk; chunk < endChunk; chunk++) table[chunk] = table[chunk] === 0 ? mark : SHARED_CHUNK;
    }
    this.segmentTable = table;
    this.segmentTableLimit = table.length * SEGMENT_CHUNK;
  }

  /** Index of the segment whose committed blocks contain `address`, or −1. */
  private segmentOf(address: number): number {
    const cached = this.lastSegment;
    if (cached < this.segBase.length && address >= (this.segFirst[cached] as number) && address < (this.segCommit[cached] as number)) {
      return cached;
    }
    const found = this.findSegment(address);
    if (found >= 0) this.lastSegment = found;
    return found;
  }

  /** True when `offset` is a whole number of granules (a floating-point % is a slow library call). */
  private onGranule(offset: number): boolean {
    const granules = offset * this.inverseGranule;
    return granules === Math.floor(granules);
  }

  private shadowIndex(segment: number, block: number): number {
    // Multiplying by 1/G (exact: G is a power of two) is cheaper than dividing.
    return (block - (this.segBase[segment] as number)) * this.inverseGranule;
  }

  private markBusy(segment: number, block: number): void {
    const shadow = this.segShadow[segment] as Uint32Array;
    const bit = this.shadowIndex(segment, block);
    shadow[bit >>> 5] = ((shadow[bit >>> 5] as number) | (1 << (bit & 31))) >>> 0;
  }

  private clearBusy(segment: number, block: number): void {
    const shadow = this.segShadow[segment] as Uint32Array;
    const bit = this.shadowIndex(segment, block);
    shadow[bit >>> 5] = ((shadow[bit >>> 5] as number) & ~(1 << (bit & 31))) >>> 0;
  }

  private isMarkedBusy(segment: number, block: number): boolean {
    const shadow = this.segShadow[segment] as Uint32Array;
    const bit = this.shadowIndex(segment, block);
    return (((shadow[bit >>> 5] as number) >>> (bit & 31)) & 1) === 1;
  }

  /** Commits `bytes` more of segment `segment`'s tail and adds them to its last block; returns that block. */
  private extendSegment(segment: number, bytes: number): number {
    const oldEnd = this.segCommit[segment] as number;
    this.segCommit[segment] = oldEnd + bytes;
    this.addCommitted(bytes);
    const last = this.segLast[segment] as number;
    this.decodeHeader(last);
    const granules = bytes / this.granule;
    if ((this.hFlags & BLOCK_BUSY) === 0) {
      const size = this.hSize;
      this.removeFree(last, size);
      this.writeHeader(last, size + granules, BLOCK_LAST, 0, this.hPrevious);
      this.insertFree(last, size + granules, true);
      return last;
    }
    this.writeHeader(last, this.hSize, BLOCK_BUSY, this.hUnused, this.hPrevious);
    this.writeHeader(oldEnd, granules, BLOCK_LAST, 0, this.hSize);
    this.segLast[segment] = oldEnd;
    this.insertFree(oldEnd, granules, true);
    return oldEnd;
  }

  /**
   * Makes room for a block of `granules`: commits a segment's tail, or adds a segment. Returns the free
   * block (in its list) that now holds at least `granules`, or 0.
   */
  private grow(granules: number): number {
    const needed = granules * this.granule;
    for (let i = 0; i < this.segBase.length; i++) {
      const available = (this.segEnd[i] as number) - (this.segCommit[i] as number);
      if (available <= 0) continue;
      const last = this.segLast[i] as number;
      this.decodeHeader(last);
      const lastFree = (this.hFlags & BLOCK_BUSY) === 0;
      const extra = needed - (lastFree ? this.hSize * this.granule : 0);
      if (extra > available) continue;
      if (lastFree) this.checkLinks(last, this.hSize);
      const exact = roundUp(extra, this.pageSize);
      let bytes = Math.min(available, Math.max(exact, COMMIT_STEP));
      if (!this.source.commit(this.segCommit[i] as number, bytes)) {
        bytes = exact;
        if (!this.source.commit(this.segCommit[i] as number, bytes)) return 0;
      }
      return this.extendSegment(i, bytes);
    }
    if (!this.growable) return 0;
    const headerBytes = segmentHeaderSize(this.pointerSize);
    const minimum = roundUp(headerBytes + needed, this.source.granularity);
    let reserve = Math.min(Math.max(this.nextSegmentSize, minimum), this.maxSegmentBytes);
    let base = this.source.reserve(reserve);
    if (base === 0 && reserve > minimum) {
      reserve = minimum;
      base = this.source.reserve(reserve);
    }
    if (base === 0) return 0;
    const commit = Math.min(reserve, Math.max(roundUp(headerBytes + needed, this.pageSize), COMMIT_STEP));
    if (!this.source.commit(base, commit)) {
      this.source.release(base, reserve);
      return 0;
    }
    this.addSegment(base, reserve, commit, headerBytes);
    this.nextSegmentSize = Math.min(this.nextSegmentSize * 2, SEGMENT_GROWTH_CAP);
    return base + headerBytes;
  }

  // ---- allocation --------------------------------------------------------------------------------

  private granulesFor(size: number): number {
    // Multiplying by 1/G is exact (G is a power of two) and cheaper than dividing.
    return Math.max(MIN_BLOCK_GRANULES, Math.ceil((size + this.headerSize) * this.inverseGranule));
  }

  allocate(size: number, alignment = 0): number {
    assertSize(size);
    assertAlignment(alignment);
    if (size > this.maxAllocation) return 0;
    if (alignment > this.granule) return this.allocateAligned(size, alignment);
    if (size >= this.largeThreshold) return this.allocateLarge(size, 0);
    const granules = this.granulesFor(size);
    let block = this.findFit(granules);
    if (block === 0) {
      block = this.grow(granules);
      if (block === 0) return 0;
    }
    return this.carve(block, granules, size, true);
  }

  /** Turns the free block at `block` (in its list when `inList`) into a busy block of `granules`. */
  private carve(block: number, granules: number, size: number, inList: boolean): number {
    const segment = this.segmentOf(block);
    const at = block + this.coreOffset;
    const word0 = this.memory.getUint32(at);
    const total = word0 & SIZE_MASK;
    const last = (word0 >>> 24) & BLOCK_LAST;
    const previous = this.memory.getUint32(at + 4) & SIZE_MASK;
    if (inList) this.removeFreeChecked(block, total);
    const rest = total - granules;
    const granule = this.granule;
    if (rest >= MIN_BLOCK_GRANULES) {
      // Writes grouped by page (the block, its remainder and the remainder's links, then the block after):
      // a simulated process's memory translates one page at a time.
      this.writeHeader(block, granules, BLOCK_BUSY, granules * granule - this.headerSize - size, previous);
      const remainder = block + granules * granule;
      this.writeHeader(remainder, rest, last, 0, granules);
      this.insertFree(remainder, rest, last !== 0);
      if (last === 0) this.setPrevious(remainder + rest * granule, rest);
      else this.segLast[segment] = remainder;
    } else {
      this.writeHeader(block, total, BLOCK_BUSY | last, total * granule - this.headerSize - size, previous);
    }
    this.markBusy(segment, block);
    this.liveBytes += size;
    this.liveBlocks++;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
    return block + this.headerSize;
  }

  private allocateAligned(size: number, alignment: number): number {
    if (size >= this.largeThreshold || alignment >= this.largeThreshold) return this.allocateLarge(size, alignment);
    const granules = this.granulesFor(size);
    // Room for the block, a leading free block of at least the minimum, and the alignment slack.
    const search = granules + (alignment + MIN_BLOCK_GRANULES * this.granule) / this.granule;
    let block = this.findFit(search);
    if (block === 0) {
      block = this.grow(search);
      if (block === 0) return 0;
    }
    let user = roundUp(block + this.headerSize, alignment);
    let lead = user - this.headerSize - block;
    if (lead !== 0 && lead < MIN_BLOCK_GRANULES * this.granule) {
      user += alignment;
      lead += alignment;
    }
    if (lead === 0) return this.carve(block, granules, size, true);
    const segment = this.segmentOf(block);
    this.decodeHeader(block);
    const total = this.hSize;
    const last = this.hFlags & BLOCK_LAST;
    const previous = this.hPrevious;
    this.removeFreeChecked(block, total);
    const leadGranules = lead / this.granule;
    const aligned = block + lead;
    this.writeHeader(block, leadGranules, 0, 0, previous);
    this.insertFree(block, leadGranules, false);
    this.writeHeader(aligned, total - leadGranules, last, 0, leadGranules);
    if (last === 0) this.setPrevious(aligned + (total - leadGranules) * this.granule, total - leadGranules);
    else this.segLast[segment] = aligned;
    return this.carve(aligned, granules, size, false);
  }

  // ---- large blocks --------------------------------------------------------------------------------

  private allocateLarge(size: number, alignment: number): number {
    if (!this.growable) return 0;
    const headerOffset = 8 * this.pointerSize;
    const slack = alignment > headerOffset ? alignment : 0;
    const reserve = roundUp(headerOffset + size + slack, this.pageSize);
    const base = this.source.reserve(reserve);
    if (base === 0) return 0;
    const user = alignment > 1 ? roundUp(base + headerOffset, alignment) : base + headerOffset;
    const commit = roundUp(user + size - base, this.pageSize);
    if (!this.source.commit(base, commit)) {
      this.source.release(base, reserve);
      return 0;
    }
    // _HEAP_VIRTUAL_ALLOC_ENTRY: signature, requested size, reserve size; then the block header.
    this.memory.setUint32(base, LARGE_BLOCK_SIGNATURE);
    this.memory.setFloat64(base + 8, size);
    this.memory.setFloat64(base + 16, reserve);
    this.writeLargeHeader(user, size);
    this.largeBase.push(base);
    this.largeReserve.push(reserve);
    this.largeCommit.push(commit);
    this.largeUser.push(user);
    this.largeSize.push(size);
    this.reservedBytes += reserve;
    this.addCommitted(commit);
    this.liveBytes += size;
    this.liveBlocks++;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
    return user;
  }

  private writeLargeHeader(user: number, size: number): void {
    const at = user - 8;
    const word0 = BLOCK_BUSY * TWO_24;
    const low = size % TWO_24;
    this.memory.setUint32(at, word0);
    this.memory.setUint32(at + 4, low + headerCheck(word0, low, LARGE_CHECK_SALT) * TWO_24);
  }

  private largeIndexOf(pointer: number): number {
    for (let i = this.largeUser.length - 1; i >= 0; i--) if (this.largeUser[i] === pointer) return i;
    return -1;
  }

  private checkLarge(index: number): void {
    const user = this.largeUser[index] as number;
    const base = this.largeBase[index] as number;
    const word0 = this.memory.getUint32(user - 8);
    const word1 = this.memory.getUint32(user - 4);
    const low = word1 & SIZE_MASK;
    if (
      this.memory.getUint32(base) !== LARGE_BLOCK_SIGNATURE ||
      word0 !== BLOCK_BUSY * TWO_24 ||
      word1 >>> 24 !== headerCheck(word0, low, LARGE_CHECK_SALT) ||
      this.memory.getFloat64(base + 8) !== this.largeSize[index] ||
      low !== (this.largeSize[index] as number) % TWO_24
    ) {
      throw heapCorruption(user - this.headerSize, 'large block header overwritten');
    }
  }

  private removeLarge(index: number): void {
    this.largeBase.splice(index, 1);
    this.largeReserve.splice(index, 1);
    this.largeCommit.splice(index, 1);
    this.largeUser.splice(index, 1);
    this.largeSize.splice(index, 1);
  }

  // ---- locating and checking a pointer ------------------------------------------------------------

  /**
   * Checks that `pointer` is a live block with an intact header and intact neighbours; returns its
   * segment (−2 − index for a large block). Reads nothing outside committed heap memory.
   */
  private locate(pointer: number): number {
    const segment = typeof pointer === 'number' ? this.segmentOf(pointer) : -1;
    if (segment < 0) {
      const large = typeof pointer === 'number' ? this.largeIndexOf(pointer) : -1;
      if (large < 0) throw badPointer(pointer);
      this.checkLarge(large);
      return -2 - large;
    }
    const block = pointer - this.headerSize;
    const first = this.segFirst[segment] as number;
    if (block < first || !this.onGranule(block - first) || !this.isMarkedBusy(segment, block)) {
      throw badPointer(pointer);
    }
    this.checkBlock(segment, block);
    return segment;
  }

  /** Checks a busy block's header and both neighbours' headers; leaves its header in the scratch. */
  private checkBlock(segment: number, block: number): void {
    const commitEnd = this.segCommit[segment] as number;
    if (!this.readHeader(block)) throw heapCorruption(block, 'header checksum mismatch');
    const size = this.hSize;
    const flags = this.hFlags;
    const unused = this.hUnused;
    const previous = this.hPrevious;
    if ((flags & BLOCK_BUSY) === 0) throw heapCorruption(block, 'busy block marked free');
    if (size < MIN_BLOCK_GRANULES || block + size * this.granule > commitEnd) {
      throw heapCorruption(block, `size ${size * this.granule} out of the segment`);
    }
    if (unused > size * this.granule - this.headerSize) throw heapCorruption(block, 'unused bytes exceed the block');
    if ((flags & BLOCK_LAST) !== 0 && block + size * this.granule !== commitEnd) {
      throw heapCorruption(block, 'LAST flag before the end of the committed range');
    }
    this.freeBeforeSize = 0;
    this.freeAfterSize = 0;
    if (block !== (this.segFirst[segment] as number)) {
      const before = block - previous * this.granule;
      if (previous < MIN_BLOCK_GRANULES || before < (this.segFirst[segment] as number)) {
        throw heapCorruption(block, 'previous size out of the segment');
      }
      if (!this.readHeader(before) || this.hSize !== previous) {
        throw heapCorruption(before, 'header of the previous block overwritten');
      }
      if ((this.hFlags & BLOCK_BUSY) === 0) {
        this.freeBeforeSize = previous;
        this.freeBeforePrevious = this.hPrevious;
        this.checkedLinks(before, previous);
        this.freeBeforeForward = this.linkForward;
        this.freeBeforeBackward = this.linkBackward;
      }
    }
    if ((flags & BLOCK_LAST) === 0) {
      const after = block + size * this.granule;
      if (!this.readHeader(after) || this.hPrevious !== size) {
        throw heapCorruption(after, 'header overwritten (overflow of the block before it?)');
      }
      this.afterWord0 = this.hSize + (this.hFlags + this.hUnused * 4) * TWO_24;
      if ((this.hFlags & BLOCK_BUSY) === 0) {
        this.freeAfterSize = this.hSize;
        this.freeAfterLast = this.hFlags & BLOCK_LAST;
        this.checkedLinks(after, this.hSize);
        this.freeAfterForward = this.linkForward;
        this.freeAfterBackward = this.linkBackward;
      }
    }
    this.hSize = size;
    this.hFlags = flags;
    this.hUnused = unused;
    this.hPrevious = previous;
  }

  // ---- free ----------------------------------------------------------------------------------------

  free(pointer: number): void {
    const segment = this.locate(pointer);
    if (segment <= -2) {
      const index = -2 - segment;
      const size = this.largeSize[index] as number;
      const base = this.largeBase[index] as number;
      const reserve = this.largeReserve[index] as number;
      this.committedBytes -= this.largeCommit[index] as number;
      this.reservedBytes -= reserve;
      this.liveBytes -= size;
      this.liveBlocks--;
      this.removeLarge(index);
      this.source.release(base, reserve);
      return;
    }
    const block = pointer - this.headerSize;
    let size = this.hSize;
    let flags = this.hFlags;
    this.liveBytes -= size * this.granule - this.headerSize - this.hUnused;
    this.liveBlocks--;
    this.clearBusy(segment, block);
    let start = block;
    let previous = this.hPrevious;
    // Coalesce with the next block, then with the previous one (checkBlock saw both).
    const afterSize = this.freeAfterSize;
    const beforeSize = this.freeBeforeSize;
    if (afterSize !== 0) {
      const forward = this.freeAfterForward;
      const backward = this.freeAfterBackward;
      this.unlink(this.listIndex(afterSize), forward, backward, afterSize);
      if (beforeSize !== 0) {
        // The block before may have been the one after's list neighbour: its links just changed.
        const before = block - beforeSize * this.granule;
        if (backward === before) this.freeBeforeForward = forward;
        if (forward === before) this.freeBeforeBackward = backward;
      }
      size += afterSize;
      flags = this.freeAfterLast;
    }
    if (beforeSize !== 0) {
      start = block - beforeSize * this.granule;
      this.unlink(this.listIndex(beforeSize), this.freeBeforeForward, this.freeBeforeBackward, beforeSize);
      size += beforeSize;
      previous = this.freeBeforePrevious;
    }
    const last = flags & BLOCK_LAST;
    if (last === 0 && afterSize === 0) {
      // The block after is busy and checkBlock read its header: tell it the new previous size without reading again.
      this.writeHeader(start, size, 0, 0, previous);
      this.insertFree(start, size, false);
      this.setPreviousKnown(start + size * this.granule, this.afterWord0, size);
      return;
    }
    this.placeFree(segment, start, size, last, previous);
    if (last !== 0) this.trimSegment(segment, false);
  }

  /**
   * Gives back the tail of segment `segment` when its last block is free: decommits all but COMMIT_STEP
   * of it when the rest is at least DECOMMIT_FREE_BLOCK_THRESHOLD and the heap holds more than
   * DECOMMIT_TOTAL_FREE_THRESHOLD free bytes (hysteresis: a heap that frees and allocates again at its
   * end does not commit and decommit each time). With `compact`, decommits all it can and releases a
   * later segment that became entirely free (only compact releases: re-reserving costs more).
   */
  private trimSegment(segment: number, compact: boolean): void {
    const last = this.segLast[segment] as number;
    this.decodeHeader(last);
    if ((this.hFlags & BLOCK_BUSY) !== 0) return;
    const size = this.hSize;
    const previous = this.hPrevious;
    const commitEnd = this.segCommit[segment] as number;
    const totalFree = this.freeBlockBytes;
    if (!compact && totalFree <= DECOMMIT_TOTAL_FREE_THRESHOLD) return;
    // A damaged list is left for validate() to report: the free that got here has already succeeded.
    if (!this.linksIntact(last, size)) return;
    if (compact && segment > 0 && last === (this.segFirst[segment] as number) && this.growable) {
      this.releaseSegment(segment, size);
      return;
    }
    let keepEnd = roundUp(last + MIN_BLOCK_GRANULES * this.granule, this.pageSize);
    if (!compact) keepEnd += COMMIT_STEP;
    const bytes = commitEnd - keepEnd;
    if (bytes <= 0 || (!compact && bytes < DECOMMIT_FREE_BLOCK_THRESHOLD)) return;
    this.removeFree(last, size);
    this.source.decommit(keepEnd, bytes);
    this.segCommit[segment] = keepEnd;
    this.committedBytes -= bytes;
    const granules = (keepEnd - last) / this.granule;
    this.writeHeader(last, granules, BLOCK_LAST, 0, previous);
    this.insertFree(last, granules, true);
  }

  private releaseSegment(segment: number, lastSize: number): void {
    const base = this.segBase[segment] as number;
    const reserve = (this.segEnd[segment] as number) - base;
    this.removeFree(this.segFirst[segment] as number, lastSize);
    this.committedBytes -= (this.segCommit[segment] as number) - base;
    this.reservedBytes -= reserve;
    this.segBase.splice(segment, 1);
    this.segEnd.splice(segment, 1);
    this.segCommit.splice(segment, 1);
    this.segFirst.splice(segment, 1);
    this.segLast.splice(segment, 1);
    this.segShadow.splice(segment, 1);
    this.lastSegment = 0;
    this.lastLinkSegment = 0;
    this.rebuildSegmentTable();
    for (let i = segment; i < this.segBase.length; i++) this.memory.setUint32((this.segBase[i] as number) + 4, i);
    this.source.release(base, reserve);
  }

  // ---- resize in place ------------------------------------------------------------------------------

  resizeInPlace(pointer: number, size: number): boolean {
    const segment = this.locate(pointer);
    assertSize(size);
    if (segment <= -2) return this.resizeLarge(-2 - segment, size);
    if (size >= this.largeThreshold) return false;
    const block = pointer - this.headerSize;
    const current = this.hSize;
    const flags = this.hFlags;
    const previous = this.hPrevious;
    const oldSize = current * this.granule - this.headerSize - this.hUnused;
    const granules = this.granulesFor(size);
    if (granules <= current) {
      this.shrinkBlock(segment, block, current, granules, size, flags, previous);
    } else {
      let available = current;
      let nextFree = false;
      let nextLast = false;
      if ((flags & BLOCK_LAST) === 0) {
        this.decodeHeader(block + current * this.granule);
        if ((this.hFlags & BLOCK_BUSY) === 0) {
          nextFree = true;
          nextLast = (this.hFlags & BLOCK_LAST) !== 0;
          available += this.hSize;
        }
      }
      if (available < granules) {
        // The block (with its free neighbour) ends the committed range: commit more of the tail.
        if (!((flags & BLOCK_LAST) !== 0 || nextLast)) return false;
        const extra = (granules - available) * this.granule;
        const room = (this.segEnd[segment] as number) - (this.segCommit[segment] as number);
        if (extra > room) return false;
        const bytes = roundUp(extra, this.pageSize);
        if (!this.source.commit(this.segCommit[segment] as number, bytes)) return false;
        this.extendSegment(segment, bytes);
        return this.resizeInPlace(pointer, size);
      }
      if (nextFree) {
        const after = block + current * this.granule;
        this.removeFree(after, available - current);
      }
      const last = (flags & BLOCK_LAST) !== 0 || nextLast ? BLOCK_LAST : 0;
      this.shrinkBlock(segment, block, available, granules, size, BLOCK_BUSY | last, previous);
    }
    this.liveBytes += size - oldSize;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
    return true;
  }

  /**
   * Makes the busy block at `block` (spanning `current` granules, not in any list) `granules` long,
   * returning the rest to the free lists (merged with a free next block).
   */
  private shrinkBlock(
    segment: number,
    block: number,
    current: number,
    granules: number,
    size: number,
    flags: number,
    previous: number,
  ): void {
    let rest = current - granules;
    const last = flags & BLOCK_LAST;
    if (rest < MIN_BLOCK_GRANULES) {
      this.writeHeader(block, current, BLOCK_BUSY | last, current * this.granule - this.headerSize - size, previous);
      // After growing over a free neighbour, the block behind it must learn the new size.
      if (last === 0) this.setPrevious(block + current * this.granule, current);
      else this.segLast[segment] = block;
      return;
    }
    this.writeHeader(block, granules, BLOCK_BUSY, granules * this.granule - this.headerSize - size, previous);
    const remainder = block + granules * this.granule;
    let remainderLast = last;
    if (last === 0) {
      const after = block + current * this.granule;
      this.decodeHeader(after);
      if ((this.hFlags & BLOCK_BUSY) === 0) {
        this.removeFree(after, this.hSize);
        rest += this.hSize;
        remainderLast = this.hFlags & BLOCK_LAST;
      }
    }
    this.placeFree(segment, remainder, rest, remainderLast, granules);
    if (remainderLast !== 0) this.trimSegment(segment, false);
  }

  /**
   * Commits a large block up to `needed` bytes from its base, extending its reservation first when the
   * page source can (flat buffers: a growing buffer is not copied at every doubling). A Windows process
   * cannot, so there a large block grows only within its committed pages (H-021). False: nothing changed.
   */
  private growLarge(index: number, needed: number): boolean {
    const source = this.source;
    if (source.extend === undefined) return false;
    const base = this.largeBase[index] as number;
    const reserve = this.largeReserve[index] as number;
    const committed = this.largeCommit[index] as number;
    if (needed > reserve && !source.extend(base, reserve, needed)) return false;
    if (!source.commit(base + committed, needed - committed)) {
      if (needed > reserve) source.release(base + reserve, needed - reserve);
      return false;
    }
    if (needed > reserve) {
      this.largeReserve[index] = needed;
      this.reservedBytes += needed - reserve;
      this.memory.setFloat64(base + 16, needed);
    }
    this.largeCommit[index] = needed;
    this.addCommitted(needed - committed);
    return true;
  }

  private resizeLarge(index: number, size: number): boolean {
    const base = this.largeBase[index] as number;
    const user = this.largeUser[index] as number;
    const committed = this.largeCommit[index] as number;
    const needed = roundUp(user + size - base, this.pageSize);
    if (needed > committed && !this.growLarge(index, needed)) return false;
    if (needed < committed) {
      // Shrinking gives the tail pages back (growing again past them fails, H-021).
      this.source.decommit(base + needed, committed - needed);
      this.largeCommit[index] = needed;
      this.committedBytes -= committed - needed;
    }
    this.liveBytes += size - (this.largeSize[index] as number);
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
    this.largeSize[index] = size;
    this.memory.setFloat64(base + 8, size);
    this.writeLargeHeader(user, size);
    return true;
  }

  // ---- queries --------------------------------------------------------------------------------------

  sizeOf(pointer: number): number {
    const segment = this.locate(pointer);
    if (segment <= -2) return this.largeSize[-2 - segment] as number;
    return this.hSize * this.granule - this.headerSize - this.hUnused;
  }

  usableSize(pointer: number): number {
    const segment = this.locate(pointer);
    if (segment <= -2) {
      const index = -2 - segment;
      return (this.largeBase[index] as number) + (this.largeCommit[index] as number) - pointer;
    }
    return this.hSize * this.granule - this.headerSize;
  }

  owns(pointer: number): boolean {
    if (typeof pointer !== 'number') return false;
    const segment = this.segmentOf(pointer);
    if (segment < 0) return this.largeIndexOf(pointer) >= 0;
    const block = pointer - this.headerSize;
    const first = this.segFirst[segment] as number;
    return block >= first && this.onGranule(block - first) && this.isMarkedBusy(segment, block);
  }

  /** True when `address` lies in the committed blocks of a segment (reading it cannot fault). */
  containsAddress(address: number): boolean {
    return this.segmentOf(address) >= 0;
  }

  validate(pointer?: number): void {
    if (pointer !== undefined) {
      this.locate(pointer);
      return;
    }
    let freeCount = 0;
    let freeBytes = 0;
    let liveBytes = 0;
    let liveBlocks = 0;
    for (let segment = 0; segment < this.segBase.length; segment++) {
      const base = this.segBase[segment] as number;
      if (this.memory.getUint32(base) !== SEGMENT_SIGNATURE) throw heapCorruption(base, 'segment signature overwritten');
      const commitEnd = this.segCommit[segment] as number;
      let block = this.segFirst[segment] as number;
      let previous = 0;
      let previousFree = false;
      let busyCount = 0;
      for (;;) {
        if (!this.readHeader(block)) throw heapCorruption(block, 'header checksum mismatch');
        const size = this.hSize;
        const end = block + size * this.granule;
        if (size < MIN_BLOCK_GRANULES || end > commitEnd) throw heapCorruption(block, 'size out of the segment');
        if (this.hPrevious !== previous) throw heapCorruption(block, 'previous size does not match');
        const busy = (this.hFlags & BLOCK_BUSY) !== 0;
        const last = (this.hFlags & BLOCK_LAST) !== 0;
        if (busy !== this.isMarkedBusy(segment, block)) throw heapCorruption(block, 'busy flag does not match the heap');
        if (busy) {
          busyCount++;
          liveBlocks++;
          liveBytes += size * this.granule - this.headerSize - this.hUnused;
          if (this.hUnused > size * this.granule - this.headerSize) throw heapCorruption(block, 'unused bytes exceed the block');
        } else {
          if (previousFree) throw heapCorruption(block, 'two neighbouring free blocks');
          freeCount++;
          freeBytes += size * this.granule;
          const index = this.listIndex(size);
          if (this.heads[index] === 0) throw heapCorruption(block, 'free block missing from its list');
        }
        if (last !== (end === commitEnd)) throw heapCorruption(block, 'LAST flag misplaced');
        if (last) {
          if (this.segLast[segment] !== block) throw heapCorruption(block, 'last block does not match the segment');
          break;
        }
        previous = size;
        previousFree = !busy;
        block = end;
      }
      if (countBits(this.segShadow[segment] as Uint32Array) !== busyCount) throw heapCorruption(base, 'busy blocks missing from the segment');
    }
    // Every list: links consistent, every member a free block of the list's size class.
    let listed = 0;
    for (let index = 0; index < this.listCount; index++) {
      let block = this.heads[index] as number;
      const inBitmap = (((this.nonEmpty[index >>> 5] as number) >>> (index & 31)) & 1) === 1;
      if ((block !== 0) !== inBitmap) throw heapCorruption(block, `free list ${index} bitmap mismatch`);
      let backward = 0;
      while (block !== 0) {
        if (++listed > freeCount) throw heapCorruption(block, `free list ${index} links loop or point outside`);
        const segment = this.segmentOf(block);
        if (segment < 0 || !this.readHeader(block) || (this.hFlags & BLOCK_BUSY) !== 0) {
          throw heapCorruption(block, `free list ${index} link points at a non-free block`);
        }
        if (this.listIndex(this.hSize) !== index) throw heapCorruption(block, `free block in the wrong list ${index}`);
        if (this.readPointer(block + this.headerSize + this.pointerSize) !== backward) {
          throw heapCorruption(block, 'free-list backward link overwritten');
        }
        backward = block;
        block = this.readPointer(block + this.headerSize);
      }
      if (this.tails[index] !== backward) throw heapCorruption(backward, `free list ${index} tail mismatch`);
    }
    if (listed !== freeCount || freeCount !== this.freeBlockCount || freeBytes !== this.freeBlockBytes) {
      throw heapCorruption(this.base, 'free lists do not match the free blocks');
    }
    for (let i = 0; i < this.largeUser.length; i++) {
      this.checkLarge(i);
      liveBlocks++;
      liveBytes += this.largeSize[i] as number;
    }
    if (liveBytes !== this.liveBytes || liveBlocks !== this.liveBlocks) {
      throw heapCorruption(this.base, `live bytes ${liveBytes} in blocks, ${this.liveBytes} counted`);
    }
  }

  walk(visit: (entry: HeapWalkEntry) => void): void {
    for (let segment = 0; segment < this.segBase.length; segment++) {
      const base = this.segBase[segment] as number;
      const end = this.segEnd[segment] as number;
      const commitEnd = this.segCommit[segment] as number;
      const first = this.segFirst[segment] as number;
      visit({
        kind: 'region',
        address: base,
        size: end - base,
        overhead: first - base,
        regionIndex: segment,
        committedSize: commitEnd - base,
        uncommittedSize: end - commitEnd,
        firstBlock: first,
        lastBlock: end,
      });
      let block = first;
      while (block < commitEnd) {
        if (!this.readHeader(block)) throw heapCorruption(block, 'header checksum mismatch');
        const bytes = this.hSize * this.granule;
        if (this.hSize < MIN_BLOCK_GRANULES) throw heapCorruption(block, 'size out of the segment');
        if ((this.hFlags & BLOCK_BUSY) !== 0) {
          const size = bytes - this.headerSize - this.hUnused;
          visit({ kind: 'busy', address: block + this.headerSize, size, overhead: bytes - size, regionIndex: segment });
        } else {
          visit({
            kind: 'free',
            address: block + this.headerSize,
            size: bytes - this.headerSize,
            overhead: this.headerSize,
            regionIndex: segment,
          });
        }
        block += bytes;
      }
      if (commitEnd < end) {
        visit({ kind: 'uncommitted', address: commitEnd, size: end - commitEnd, overhead: 0, regionIndex: segment });
      }
    }
    for (let i = 0; i < this.largeUser.length; i++) {
      const size = this.largeSize[i] as number;
      visit({
        kind: 'large',
        address: this.largeUser[i] as number,
        size,
        overhead: (this.largeCommit[i] as number) - size,
        // Windows reports large blocks with region index 64 (H-031).
        regionIndex: 64,
      });
    }
  }

  /** Bytes a caller could get from free blocks without committing more (headers excluded). */
  get freeBytes(): number {
    return this.freeBlockBytes - this.freeBlockCount * this.headerSize;
  }

  largestFreeBlock(): number {
    const index = this.highestNonEmpty();
    if (index < 0) return 0;
    let largest = 0;
    for (let block = this.heads[index] as number; block !== 0; block = this.readPointer(block + this.headerSize)) {
      const size = this.memory.getUint32(block + this.coreOffset) & SIZE_MASK;
      if (size > largest) largest = size;
    }
    return largest * this.granule - this.headerSize;
  }

  private highestNonEmpty(): number {
    for (let word = this.nonEmpty.length - 1; word >= 0; word--) {
      const bits = this.nonEmpty[word] as number;
      if (bits !== 0) return word * 32 + 31 - Math.clz32(bits);
    }
    return -1;
  }

  stats(): HeapStats {
    return {
      liveBytes: this.liveBytes,
      liveBlocks: this.liveBlocks,
      peakLiveBytes: this.peakLiveBytes,
      committedBytes: this.committedBytes,
      peakCommittedBytes: this.peakCommittedBytes,
      reservedBytes: this.reservedBytes,
      freeBytes: this.freeBytes,
      largestFreeBlock: this.largestFreeBlock(),
    };
  }

  compact(): number {
    for (let segment = this.segBase.length - 1; segment >= 0; segment--) this.trimSegment(segment, true);
    return this.largestFreeBlock();
  }

  destroy(): void {
    for (let i = this.largeBase.length - 1; i >= 0; i--) {
      this.source.release(this.largeBase[i] as number, this.largeReserve[i] as number);
    }
    for (let i = this.segBase.length - 1; i >= 0; i--) {
      const base = this.segBase[i] as number;
      this.source.release(base, (this.segEnd[i] as number) - base);
    }
    this.largeBase = [];
    this.largeReserve = [];
    this.largeCommit = [];
    this.largeUser = [];
    this.largeSize = [];
    this.segBase = [];
    this.segEnd = [];
    this.segCommit = [];
    this.segFirst = [];
    this.segLast = [];
    this.segShadow = [];
    this.rebuildSegmentTable();
    this.heads.fill(0);
    this.tails.fill(0);
    this.nonEmpty.fill(0);
    this.liveBytes = 0;
    this.liveBlocks = 0;
    this.committedBytes = 0;
    this.reservedBytes = 0;
    this.freeBlockBytes = 0;
    this.freeBlockCount = 0;
  }

  /** A describing label for error messages. */
  toString(): string {
    return `${this.name} heap at ${hex(this.base)}`;
  }
}

export function createSegregatedHeap(options: HeapStrategyOptions): SegregatedHeap {
  return new SegregatedHeap(options);
}

// The NT low-fragmentation heap front end ('lfh') over a segregated back end.
//
// 128 buckets up to 16 KiB (internals §4.2): on x86, 8-byte steps to 256 then 16 buckets per power of
// two (16, 32, … 512-byte steps); on x64, 16-byte steps to 1 KiB then 16 per power of two. A bucket is
// served by the back end until the Windows 8+ heuristic activates it: more than 16 of its back-end blocks
// live at once, or 0x7F8 requests (so 18 same-size allocations in a row switch it, H-040). Once any bucket
// is active the heap reports HeapCompatibilityInformation 2. Requests over 16 KiB, or with an alignment
// above the block granularity, are declined to the back end; over a fixed-size back end (maximumSize)
// the front end never activates, as on Windows.
//
// An active bucket carves subsegments (user blocks) from the back end: one busy back-end block holding a
// header (signature 0xF0E0D0C0, subsegment id) and `count` equal chunks. Each chunk has its own header
// in memory (H = 2·P bytes; at +H−8: unused bytes u16, chunk index u16; at +H−4: flags u8, checksum u8,
// subsegment id u16), so an overflow from one chunk into the next is found by validate() and free().
// Freeing rewrites only the second word (flags, checksum): a free chunk keeps its index and last unused count.
// Chunks are handed out lowest-free-first (Windows 8+ picks at random; ours is deterministic so runs
// reproduce) from the subsegment that most recently gained room.
//
// Host side, all in typed arrays (no per-call objects): per subsegment its addresses, a row of small
// fields and a bitmap of free chunks; per bucket a stack of subsegments with room (an intrusive list);
// a page index (2 KiB pages; every subsegment is longer, so at most one starts inside a page) that maps
// an address to the one or two subsegments its page meets, so free() finds a chunk's subsegment in O(1)
// and passes a back-end pointer on without searching; a sorted index of subsegment ranges (validate, and
// the fallback when the heap's addresses span too much for a page index). In a flat buffer free() first
// asks the chunk header: the subsegment id it names counts only if that subsegment's range holds the
// pointer (ranges never overlap), so a back-end block or a damaged header just falls back to the index.
// Hot paths read a chunk header once (two 32-bit words, straight from the words of a flat buffer) and
// trust the index it names only when it leads back to the pointer; anything else takes the slow path,
// which tells a bad pointer from a corrupted header.
import type { HeapMemory, HeapStats, HeapStrategy, HeapStrategyOptions, HeapWalkEntry } from '../api';
import {
  LFH_ACTIVE_THRESHOLD,
  LFH_BUCKET_COUNT,
  LFH_MAXIMUM_BLOCK,
  LFH_REQUEST_THRESHOLD,
  LFH_USERDATA_SIGNATURE,
} from '../constants';
import { badPointer, heapCorruption, hex } from '../errors';
import { assertSize } from '../numbers';
import { BufferMemory } from '../sources/BufferMemory';
import { makeDoubleFields } from './doubleFields';
import { SegregatedHeap } from './segregated';

const CHUNK_BUSY = 0x01;
const CHUNK_MARK = 0x80;
const CHUNK_SALT = 0x3c;
const MAX_CHUNKS = 1024;
const MIN_CHUNKS = 4;
/** Bitmap words per subsegment (one bit per chunk, set when the chunk is free). */
const BITMAP_WORDS = MAX_CHUNKS / 32;
/** Subsegment ids fit the u16 of a chunk header. */
const MAX_SUBSEGMENTS = 65536;

// A subsegment's addresses: ADDRESS_SLOTS doubles per id.
const ADDRESS_SLOTS = 4;
/** The back-end block holding the subsegment. */
const ADDRESS_BLOCK = 0;
/** The first chunk. */
const ADDRESS_FIRST = 1;
/** The end of the last chunk. */
const ADDRESS_END = 2;
// A subsegment's other fields: INFO_SLOTS int32s per id.
const INFO_SLOTS = 8;
/** Chunks; 0 once released (an id in a stale header then names no subsegment). */
const INFO_COUNT = 0;
const INFO_FREE = 1;
const INFO_BUCKET = 2;
/** Chunk header + chunk size. */
const INFO_STRIDE = 4;
/** Bitmap word where the lowest free chunk may be (no free chunk below it). */
const INFO_HINT = 5;
/** Next older subsegment with room in the bucket's stack, or −1. */
const INFO_BELOW = 6;
/** Next newer one, or −1. */
const INFO_ABOVE = 7;

/** Bytes per page of the page index: less than the smallest subsegment (> 2 KiB, see createSubsegment). */
const INDEX_PAGE = 2048;
const INVERSE_INDEX_PAGE = 1 / INDEX_PAGE;
/** Largest page index (pages; 2^22 × 2 KiB = 8 GiB of address span): beyond it, binary search only. */
const MAX_INDEX_PAGES = 2 ** 22;
/** Flat buffers up to this size are read as 32-bit words indexed by `address >>> 2` (no sign wrap). */
const WORD_VIEW_LIMIT = 2 ** 31;
/** Int32Array elements are in the platform's byte order; the managed memory is little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function chunkCheck(word0: number, flags: number, id: number): number {
  const x = (word0 ^ (flags + id * 65536)) >>> 0;
  return ((x ^ (x >>> 8) ^ (x >>> 16) ^ (x >>> 24) ^ CHUNK_SALT) & 0xff) >>> 0;
}

/** Second header word of a chunk: flags, checksum over both words, subsegment id. */
function chunkWord1(word0: number, flags: number, id: number): number {
  return flags + CHUNK_MARK + chunkCheck(word0, flags + CHUNK_MARK, id) * 256 + id * 65536;
}

/** User sizes of buckets 1..128 for a pointer size (index 0 unused). */
export function lfhBucketSizes(pointerSize: 4 | 8): Uint32Array {
  const sizes = new Uint32Array(LFH_BUCKET_COUNT + 1);
  const linear = pointerSize === 4 ? 32 : 64;
  const step = 2 * pointerSize;
  let size = 0;
  for (let bucket = 1; bucket <= LFH_BUCKET_COUNT; bucket++) {
    if (bucket <= linear) size = bucket * step;
    else size += 2 ** Math.floor(Math.log2(size)) / 16;
    sizes[bucket] = size;
  }
  return sizes;
}

export interface LowFragmentationHeapOptions {
  /** Activate every bucket at once instead of by the usage heuristic. @defaultValue false */
  activateImmediately?: boolean;
}

function grownFloat64(array: Float64Array<ArrayBuffer>, length: number): Float64Array<ArrayBuffer> {
  const larger = new Float64Array(length);
  larger.set(array);
  return larger;
}

function grownInt32(array: Int32Array<ArrayBuffer>, length: number): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(length);
  larger.set(array);
  return larger;
}

export class LowFragmentationHeap implements HeapStrategy {
  readonly name = 'lfh';
  readonly backEnd: SegregatedHeap;
  /** The managed memory (the back end's). */
  readonly memory: HeapMemory;
  private readonly headerSize: number;
  private readonly granule: number;
  private readonly bucketSize: Uint32Array;
  /** Bucket of a size, indexed by ceil(size / 8). */
  private readonly bucketOf: Uint8Array;
  private readonly activated = new Uint8Array(LFH_BUCKET_COUNT + 1);
  /** Live back-end blocks of each bucket (the "active allocations" counter). */
  private readonly backEndLive = new Uint16Array(LFH_BUCKET_COUNT + 1);
  private readonly requests = new Uint16Array(LFH_BUCKET_COUNT + 1);
  private readonly subsegmentsMade = new Uint16Array(LFH_BUCKET_COUNT + 1);
  /** Per bucket: the subsegment that most recently gained room (allocation takes it), or −1. */
  private readonly availableTop = new Int32Array(LFH_BUCKET_COUNT + 1).fill(-1);
  /** Per bucket: subsegments with room. */
  private readonly availableCount = new Int32Array(LFH_BUCKET_COUNT + 1);
  private anyActive = false;
  /** Windows never enables the LFH on a fixed-size heap (internals §4.2): every request goes to the back end. */
  private readonly enabled: boolean;

  // Subsegments by id (ids are reused after release); capacity grows by doubling.
  private subAddress = new Float64Array(16 * ADDRESS_SLOTS);
  private subInfo = new Int32Array(16 * INFO_SLOTS);
  /** BITMAP_WORDS words per id: bit set = chunk free. */
  private bits = new Int32Array(16 * BITMAP_WORDS);
  private capacity = 16;
  private nextId = 0;
  private freeIds: number[] = [];
  // Sorted index of live subsegments by block address.
  private sortedStart = new Float64Array(64);
  private sortedId = new Int32Array(64);
  private sortedCount = 0;
  // Page index over [pageBase, pageBase + pageCount) pages of INDEX_PAGE bytes, two entries per page (one
  // cache line for a lookup), each id + 1 or 0: at 2·page the subsegment containing the page's first
  // byte, at 2·page + 1 the subsegment starting inside the page (after its first byte).
  private pages = new Int32Array(0);
  private pageCount = 0;
  private pageBase = 0;
  /** False once the addresses span too much for a page index: subsegmentOf searches the sorted index. */
  private paged = true;
  // A flat buffer's bytes as 32-bit words (chunk headers are 4-byte aligned), re-made when the buffer is
  // replaced or grows; other memories (a process's k.mem) go through HeapMemory.
  private readonly flat: BufferMemory | undefined;
  private words: Int32Array | undefined;
  private wordsOf: Uint8Array | undefined;
  private wordsLength = 0;

  // Counters of the front end.
  private lfhLiveBytes = 0;
  private lfhLiveBlocks = 0;
  private subsegmentBytes = 0;
  private subsegmentCount = 0;
  private peakLive = 0;
  /** Unused bytes and first header word of the chunk locateChunk last checked (no per-call objects). */
  private lastUnused = 0;
  private lastWord0 = 0;

  constructor(backEnd: SegregatedHeap, options: LowFragmentationHeapOptions = {}) {
    this.backEnd = backEnd;
    this.memory = backEnd.memory;
    this.flat = LITTLE_ENDIAN && backEnd.memory instanceof BufferMemory ? backEnd.memory : undefined;
    this.headerSize = backEnd.headerSize;
    this.granule = backEnd.granule;
    this.bucketSize = lfhBucketSizes(backEnd.pointerSize);
    this.bucketOf = new Uint8Array(LFH_MAXIMUM_BLOCK / 8 + 1);
    let bucket = 1;
    for (let units = 0; units <= LFH_MAXIMUM_BLOCK / 8; units++) {
      while ((this.bucketSize[bucket] as number) < units * 8) bucket++;
      this.bucketOf[units] = bucket;
    }
    this.peakLive = backEnd.liveBytes;
    this.enabled = backEnd.growable;
    if (options.activateImmediately && this.enabled) {
      this.activated.fill(1);
      this.anyActive = true;
    }
    this.settleShape();
  }

  /**
   * Gives the first heap the object shape every later one has. V8 folds a field stored once per object
   * into optimized code as the first heap's constant, and keeps a field first stored as a small integer
   * as one; the next heap (a benchmark makes one per run) or the first byte count computed in floating
   * point would then throw away every optimized method that read it, in the middle of a run.
   */
  private settleShape(): void {
    const fields = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      const value = fields[key];
      fields[key] = value;
    }
    makeDoubleFields(this, ['peakLive', 'lfhLiveBytes', 'subsegmentBytes', 'pageBase']);
  }

  /** True once any bucket is served by the front end (HeapQueryInformation then reports 2). */
  get frontEndActive(): boolean {
    return this.anyActive;
  }

  /** HeapCompatibilityInformation: 0 until a bucket activates, 2 after. */
  get compatibility(): 0 | 2 {
    return this.anyActive ? 2 : 0;
  }

  /** True when requests of `size` bytes are served by the front end. */
  isBucketActive(size: number): boolean {
    if (!(size >= 0) || size > LFH_MAXIMUM_BLOCK) return false;
    return this.activated[this.bucketOf[Math.ceil(size / 8)] as number] === 1;
  }

  /** The bucket number (1..128) serving `size` bytes, or 0 above 16 KiB. */
  bucketFor(size: number): number {
    if (!(size >= 0) || size > LFH_MAXIMUM_BLOCK) return 0;
    return this.bucketOf[Math.ceil(size / 8)] as number;
  }

  // ---- allocation --------------------------------------------------------------------------------

  allocate(size: number, alignment = 0): number {
    assertSize(size);
    if (size > LFH_MAXIMUM_BLOCK || alignment > this.granule || !this.enabled) {
      return this.allocateBackEnd(size, alignment, 0);
    }
    // size is an integer in [0, 16384] here, so the shift is exact.
    const bucket = this.bucketOf[(size + 7) >>> 3] as number;
    if (this.activated[bucket] === 0) {
      const requests = this.requests[bucket] as number;
      if (requests < 0xffff) this.requests[bucket] = requests + 1;
      if ((this.backEndLive[bucket] as number) > LFH_ACTIVE_THRESHOLD || requests + 1 >= LFH_REQUEST_THRESHOLD) {
        this.activated[bucket] = 1;
        this.anyActive = true;
      } else {
        return this.allocateBackEnd(size, alignment, bucket);
      }
    }
    const pointer = this.allocateChunk(bucket, size);
    return pointer !== 0 ? pointer : this.allocateBackEnd(size, alignment, 0);
  }

  private allocateBackEnd(size: number, alignment: number, bucket: number): number {
    const pointer = this.backEnd.allocate(size, alignment);
    if (pointer !== 0) {
      if (bucket !== 0) this.backEndLive[bucket] = (this.backEndLive[bucket] as number) + 1;
      this.notePeak();
    }
    return pointer;
  }

  private notePeak(): void {
    const live = this.backEnd.liveBytes - this.subsegmentBytes + this.lfhLiveBytes;
    if (live > this.peakLive) this.peakLive = live;
  }

  /** The flat buffer as words, or undefined when memory must go through HeapMemory. */
  private currentWords(): Int32Array | undefined {
    const flat = this.flat;
    if (flat === undefined) return undefined;
    const bytes = flat.bytes;
    if (bytes === this.wordsOf && bytes.length === this.wordsLength) return this.words;
    return this.remakeWords(bytes);
  }

  private remakeWords(bytes: Uint8Array): Int32Array | undefined {
    this.wordsOf = bytes;
    this.wordsLength = bytes.length;
    // Past 2 GiB, `address >>> 2` could not index every word: HeapMemory serves such buffers.
    this.words =
      bytes.byteOffset === 0 && bytes.length <= WORD_VIEW_LIMIT
        ? new Int32Array(bytes.buffer, 0, Math.floor(bytes.length / 4))
        : undefined;
    return this.words;
  }

  private allocateChunk(bucket: number, size: number): number {
    let id = this.availableTop[bucket] as number;
    if (id < 0) {
      id = this.createSubsegment(bucket);
      if (id < 0) return 0;
      this.pushAvailable(bucket, id);
    }
    const index = this.takeLowestFree(id);
    const info = this.subInfo;
    const row = id * INFO_SLOTS;
    const stride = info[row + INFO_STRIDE] as number;
    const pointer = (this.subAddress[id * ADDRESS_SLOTS + ADDRESS_FIRST] as number) + index * stride + this.headerSize;
    const word0 = stride - this.headerSize - size + index * 65536;
    this.storeHeader(pointer, word0, chunkWord1(word0, CHUNK_BUSY, id));
    const free = (info[row + INFO_FREE] as number) - 1;
    info[row + INFO_FREE] = free;
    if (free === 0) this.removeAvailable(bucket, id);
    this.lfhLiveBytes += size;
    this.lfhLiveBlocks++;
    this.notePeak();
    return pointer;
  }

  /** Marks the lowest free chunk of subsegment `id` busy in its bitmap and returns its index (one is free). */
  private takeLowestFree(id: number): number {
    const bits = this.bits;
    const base = id * BITMAP_WORDS;
    const hint = id * INFO_SLOTS + INFO_HINT;
    let word = this.subInfo[hint] as number;
    let value = bits[base + word] as number;
    while (value === 0) value = bits[base + ++word] as number;
    const bit = 31 - Math.clz32(value & -value);
    bits[base + word] = value & ~(1 << bit);
    this.subInfo[hint] = word;
    return word * 32 + bit;
  }

  /** Writes both words of the chunk header below `pointer`. */
  private storeHeader(pointer: number, word0: number, word1: number): void {
    const words = this.currentWords();
    if (words !== undefined) {
      const at = (pointer - 8) >>> 2;
      words[at] = word0;
      words[at + 1] = word1;
    } else {
      this.memory.setUint32(pointer - 8, word0);
      this.memory.setUint32(pointer - 4, word1);
    }
  }

  private writeChunkHeader(chunk: number, unused: number, index: number, flags: number, id: number): void {
    const at = chunk + this.headerSize - 8;
    const word0 = unused + index * 65536;
    this.memory.setUint32(at, word0);
    this.memory.setUint32(at + 4, chunkWord1(word0, flags, id));
  }

  private createSubsegment(bucket: number): number {
    const size = this.bucketSize[bucket] as number;
    const stride = this.headerSize + size;
    const made = this.subsegmentsMade[bucket] as number;
    const target = 4096 * 2 ** Math.min(made, 4);
    // count·stride > target − stride ≥ 2 KiB, or count ≥ 4 chunks over 2 KiB: every subsegment is
    // longer than INDEX_PAGE, which the page index relies on.
    const count = Math.max(MIN_CHUNKS, Math.min(MAX_CHUNKS, Math.floor(target / stride)));
    const userHeader = 2 * this.granule;
    const bytes = userHeader + count * stride;
    const id = this.freeIds.length > 0 ? (this.freeIds.pop() as number) : this.newId();
    if (id < 0) return -1;
    const block = this.backEnd.allocate(bytes, 0);
    if (block === 0) {
      this.freeIds.push(id);
      return -1;
    }
    this.subsegmentsMade[bucket] = made < 0xffff ? made + 1 : made;
    const first = block + userHeader;
    const end = first + count * stride;
    const bitmapWords = Math.ceil(count / 32);
    const base = id * BITMAP_WORDS;
    this.bits.fill(0, base, base + BITMAP_WORDS);
    this.bits.fill(-1, base, base + bitmapWords);
    if (count % 32 !== 0) this.bits[base + bitmapWords - 1] = 2 ** (count % 32) - 1;
    const address = id * ADDRESS_SLOTS;
    this.subAddress[address + ADDRESS_BLOCK] = block;
    this.subAddress[address + ADDRESS_FIRST] = first;
    this.subAddress[address + ADDRESS_END] = end;
    const row = id * INFO_SLOTS;
    const info = this.subInfo;
    info[row + INFO_COUNT] = count;
    info[row + INFO_FREE] = count;
    info[row + INFO_BUCKET] = bucket;
    info[row + INFO_STRIDE] = stride;
    info[row + INFO_HINT] = 0;
    info[row + INFO_BELOW] = -1;
    info[row + INFO_ABOVE] = -1;
    const memory = this.memory;
    memory.setUint32(block, LFH_USERDATA_SIGNATURE);
    memory.setUint32(block + 4, id);
    const words = this.currentWords();
    if (words !== undefined) {
      // Every chunk starts free: all of it unused.
      const step = stride >>> 2;
      let at = (first + this.headerSize - 8) >>> 2;
      for (let i = 0; i < count; i++, at += step) {
        const word0 = size + i * 65536;
        words[at] = word0;
        words[at + 1] = chunkWord1(word0, 0, id);
      }
    } else {
      for (let i = 0; i < count; i++) this.writeChunkHeader(first + i * stride, size, i, 0, id);
    }
    this.insertSorted(block, id);
    this.indexPages(id, block, end, true);
    this.subsegmentBytes += bytes;
    this.subsegmentCount++;
    return id;
  }

  /** A fresh id, growing the per-subsegment tables when they are full; −1 when every id is taken. */
  private newId(): number {
    if (this.nextId === MAX_SUBSEGMENTS) return -1;
    const id = this.nextId++;
    if (id < this.capacity) return id;
    const larger = this.capacity * 2;
    this.subAddress = grownFloat64(this.subAddress, larger * ADDRESS_SLOTS);
    this.subInfo = grownInt32(this.subInfo, larger * INFO_SLOTS);
    this.bits = grownInt32(this.bits, larger * BITMAP_WORDS);
    this.capacity = larger;
    return id;
  }

  private releaseSubsegment(id: number): void {
    const address = id * ADDRESS_SLOTS;
    const block = this.subAddress[address + ADDRESS_BLOCK] as number;
    const end = this.subAddress[address + ADDRESS_END] as number;
    this.removeSorted(block);
    this.indexPages(id, block, end, false);
    this.subsegmentBytes -= end - block;
    this.subsegmentCount--;
    this.subInfo[id * INFO_SLOTS + INFO_COUNT] = 0;
    this.freeIds.push(id);
    this.backEnd.free(block);
  }

  // ---- the per-bucket stacks of subsegments with room ----------------------------------------------

  private pushAvailable(bucket: number, id: number): void {
    const info = this.subInfo;
    const top = this.availableTop[bucket] as number;
    info[id * INFO_SLOTS + INFO_BELOW] = top;
    info[id * INFO_SLOTS + INFO_ABOVE] = -1;
    if (top >= 0) info[top * INFO_SLOTS + INFO_ABOVE] = id;
    this.availableTop[bucket] = id;
    this.availableCount[bucket] = (this.availableCount[bucket] as number) + 1;
  }

  private removeAvailable(bucket: number, id: number): void {
    const info = this.subInfo;
    const below = info[id * INFO_SLOTS + INFO_BELOW] as number;
    const above = info[id * INFO_SLOTS + INFO_ABOVE] as number;
    if (below >= 0) info[below * INFO_SLOTS + INFO_ABOVE] = above;
    if (above >= 0) info[above * INFO_SLOTS + INFO_BELOW] = below;
    else this.availableTop[bucket] = below;
    this.availableCount[bucket] = (this.availableCount[bucket] as number) - 1;
  }

  // ---- the page index -----------------------------------------------------------------------------

  /** Enters (`present`) or clears subsegment `id` over [start, end) in the page index. */
  private indexPages(id: number, start: number, end: number, present: boolean): void {
    if (!this.paged) return;
    const firstPage = Math.floor(start / INDEX_PAGE);
    const lastPage = Math.floor((end - 1) / INDEX_PAGE);
    if (present && !this.coverPages(firstPage, lastPage)) return;
    const value = present ? id + 1 : 0;
    let page = firstPage - this.pageBase;
    const last = lastPage - this.pageBase;
    if (start !== firstPage * INDEX_PAGE) {
      // Starts inside its first page; no other live subsegment can (each is longer than a page).
      this.pages[2 * page + 1] = value;
      page++;
    }
    for (; page <= last; page++) this.pages[2 * page] = value;
  }

  /** Makes the page index cover pages [firstPage, lastPage]; false (and paging off) when it would grow too large. */
  private coverPages(firstPage: number, lastPage: number): boolean {
    const count = this.pageCount;
    const base = this.pageBase;
    if (count > 0 && firstPage >= base && lastPage < base + count) return true;
    const low = count === 0 ? firstPage : Math.min(firstPage, base);
    const high = count === 0 ? lastPage : Math.max(lastPage, base + count - 1);
    const span = high - low + 1;
    if (span > MAX_INDEX_PAGES) {
      this.paged = false;
      return false;
    }
    // Heaps grow upwards: leave room above for as much again.
    const newCount = Math.min(MAX_INDEX_PAGES, Math.max(64, span * 2));
    const pages = new Int32Array(2 * newCount);
    if (count > 0) pages.set(this.pages, 2 * (base - low));
    this.pages = pages;
    this.pageCount = newCount;
    this.pageBase = low;
    return true;
  }

  // ---- the sorted subsegment index -----------------------------------------------------------------

  private insertSorted(start: number, id: number): void {
    if (this.sortedCount === this.sortedStart.length) {
      this.sortedStart = grownFloat64(this.sortedStart, this.sortedCount * 2);
      this.sortedId = grownInt32(this.sortedId, this.sortedCount * 2);
    }
    const at = this.upperBound(start);
    this.sortedStart.copyWithin(at + 1, at, this.sortedCount);
    this.sortedId.copyWithin(at + 1, at, this.sortedCount);
    this.sortedStart[at] = start;
    this.sortedId[at] = id;
    this.sortedCount++;
  }

  private removeSorted(start: number): void {
    const at = this.upperBound(start) - 1;
    this.sortedStart.copyWithin(at, at + 1, this.sortedCount);
    this.sortedId.copyWithin(at, at + 1, this.sortedCount);
    this.sortedCount--;
  }

  /** Number of subsegments whose block starts at or below `address`. */
  private upperBound(address: number): number {
    let low = 0;
    let high = this.sortedCount;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.sortedStart[middle] as number) <= address) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /**
   * The subsegment whose block contains `pointer`, or −1. In a flat buffer (`words`, from currentWords)
   * the id in the chunk header below `pointer` is tried first (no index look-up); it counts only when that
   * live subsegment's range holds `pointer`, so whatever the header says the answer is the index's.
   */
  private ownerOf(pointer: number, words: Int32Array | undefined): number {
    if (words !== undefined && typeof pointer === 'number' && pointer >= 4 && pointer <= this.wordsLength) {
      const id = (words[(pointer - 4) >>> 2] as number) >>> 16;
      if (
        id < this.nextId &&
        this.subInfo[id * INFO_SLOTS + INFO_COUNT] !== 0 &&
        pointer >= (this.subAddress[id * ADDRESS_SLOTS + ADDRESS_BLOCK] as number) &&
        pointer < (this.subAddress[id * ADDRESS_SLOTS + ADDRESS_END] as number)
      ) {
        return id;
      }
    }
    return this.subsegmentOf(pointer);
  }

  /** The subsegment whose block contains `address`, or −1. */
  private subsegmentOf(address: number): number {
    if (typeof address !== 'number') return -1;
    if (this.paged) {
      // NaN and ±Infinity fail the range test.
      const page = Math.floor(address * INVERSE_INDEX_PAGE) - this.pageBase;
      if (!(page >= 0 && page < this.pageCount)) return -1;
      const pages = this.pages;
      const high = (pages[2 * page + 1] as number) - 1;
      const id =
        high >= 0 && address >= (this.subAddress[high * ADDRESS_SLOTS + ADDRESS_BLOCK] as number)
          ? high
          : (pages[2 * page] as number) - 1;
      return id >= 0 && address < (this.subAddress[id * ADDRESS_SLOTS + ADDRESS_END] as number) ? id : -1;
    }
    const at = this.upperBound(address) - 1;
    if (at < 0) return -1;
    const id = this.sortedId[at] as number;
    return address < (this.subAddress[id * ADDRESS_SLOTS + ADDRESS_END] as number) ? id : -1;
  }

  /**
   * Index of the live chunk whose user address is `pointer` in subsegment `id`, after checking its
   * header; throws on a pointer that is not a live chunk or on a corrupted header. Leaves the chunk's
   * unused bytes in lastUnused.
   */
  private locateChunk(id: number, pointer: number, words: Int32Array | undefined): number {
    // pointer lies in the subsegment's block, so the 8 bytes below it are committed heap memory (the
    // chunk header, or the back-end header of the block).
    const word0 = words !== undefined ? (words[(pointer - 8) >>> 2] as number) : this.memory.getUint32(pointer - 8);
    const index = word0 >>> 16;
    const row = id * INFO_SLOTS;
    const stride = this.subInfo[row + INFO_STRIDE] as number;
    if ((this.subAddress[id * ADDRESS_SLOTS + ADDRESS_FIRST] as number) + index * stride + this.headerSize !== pointer) {
      return this.locateChunkSlowly(id, pointer);
    }
    if ((((this.bits[id * BITMAP_WORDS + (index >>> 5)] as number) >>> (index & 31)) & 1) === 1) {
      throw badPointer(pointer);
    }
    const word1 = words !== undefined ? (words[(pointer - 4) >>> 2] as number) : this.memory.getUint32(pointer - 4);
    const unused = word0 & 0xffff;
    if (
      (word1 & 0xff) !== CHUNK_MARK + CHUNK_BUSY ||
      ((word1 >>> 8) & 0xff) !== chunkCheck(word0, CHUNK_MARK + CHUNK_BUSY, id) ||
      word1 >>> 16 !== id ||
      unused > stride - this.headerSize
    ) {
      throw heapCorruption(pointer - this.headerSize, 'LFH block header overwritten (overflow of the block before it?)');
    }
    this.lastUnused = unused;
    this.lastWord0 = word0;
    return index;
  }

  /** locateChunk when the header does not name the pointer's chunk: a bad pointer, or a corrupted header. */
  private locateChunkSlowly(id: number, pointer: number): number {
    const stride = this.subInfo[id * INFO_SLOTS + INFO_STRIDE] as number;
    const offset = pointer - this.headerSize - (this.subAddress[id * ADDRESS_SLOTS + ADDRESS_FIRST] as number);
    if (offset < 0 || offset % stride !== 0) throw badPointer(pointer);
    const index = offset / stride;
    if (this.isChunkFree(id, index)) throw badPointer(pointer);
    this.lastUnused = this.checkChunk(id, index, true);
    this.lastWord0 = this.lastUnused + index * 65536;
    return index;
  }

  private isChunkFree(id: number, index: number): boolean {
    return (((this.bits[id * BITMAP_WORDS + (index >>> 5)] as number) >>> (index & 31)) & 1) === 1;
  }

  /** Bytes of each chunk of subsegment `id`. */
  private chunkSize(id: number): number {
    return (this.subInfo[id * INFO_SLOTS + INFO_STRIDE] as number) - this.headerSize;
  }

  /** User address of chunk `index` of subsegment `id`. */
  private chunkPointer(id: number, index: number): number {
    const stride = this.subInfo[id * INFO_SLOTS + INFO_STRIDE] as number;
    return (this.subAddress[id * ADDRESS_SLOTS + ADDRESS_FIRST] as number) + index * stride + this.headerSize;
  }

  /** Checks the header of chunk `index` of subsegment `id`; returns its unused bytes. */
  private checkChunk(id: number, index: number, busy: boolean): number {
    const size = this.chunkSize(id);
    const at = this.chunkPointer(id, index) - 8;
    const memory = this.memory;
    const word0 = memory.getUint32(at);
    const word1 = memory.getUint32(at + 4);
    const flags = word1 & 0xff;
    const unused = word0 & 0xffff;
    if (
      ((word1 >>> 8) & 0xff) !== chunkCheck(word0, flags, id) ||
      word1 >>> 16 !== id ||
      word0 >>> 16 !== index ||
      flags !== CHUNK_MARK + (busy ? CHUNK_BUSY : 0) ||
      unused > size
    ) {
      throw heapCorruption(at + 8 - this.headerSize, 'LFH block header overwritten (overflow of the block before it?)');
    }
    return unused;
  }

  // ---- free, resize, queries ------------------------------------------------------------------------

  free(pointer: number): void {
    const words = this.currentWords();
    const id = this.ownerOf(pointer, words);
    if (id < 0) {
      this.freeBackEnd(pointer);
      return;
    }
    const index = this.locateChunk(id, pointer, words);
    const info = this.subInfo;
    const row = id * INFO_SLOTS;
    const size = (info[row + INFO_STRIDE] as number) - this.headerSize;
    const word = index >>> 5;
    const at = id * BITMAP_WORDS + word;
    this.bits[at] = (this.bits[at] as number) | (1 << (index & 31));
    if (word < (info[row + INFO_HINT] as number)) info[row + INFO_HINT] = word;
    // The header turns free: only its second word changes (the first keeps the index and the last unused
    // count, which locateChunk left in lastWord0).
    const word1 = chunkWord1(this.lastWord0, 0, id);
    if (words !== undefined) words[(pointer - 4) >>> 2] = word1;
    else this.memory.setUint32(pointer - 4, word1);
    this.lfhLiveBytes -= size - this.lastUnused;
    this.lfhLiveBlocks--;
    const free = (info[row + INFO_FREE] as number) + 1;
    info[row + INFO_FREE] = free;
    if (free === 1) this.pushAvailable(info[row + INFO_BUCKET] as number, id);
    if (free === info[row + INFO_COUNT]) this.releaseIfSpare(id);
  }

  /** An empty subsegment goes back to the back end unless it is its bucket's only one with room. */
  private releaseIfSpare(id: number): void {
    const bucket = this.subInfo[id * INFO_SLOTS + INFO_BUCKET] as number;
    if ((this.availableCount[bucket] as number) > 1) {
      this.removeAvailable(bucket, id);
      this.releaseSubsegment(id);
    }
  }

  private freeBackEnd(pointer: number): void {
    // The back end's live bytes drop by the block's requested size: its bucket, without a second lookup.
    const before = this.backEnd.liveBytes;
    this.backEnd.free(pointer);
    const size = before - this.backEnd.liveBytes;
    if (size <= LFH_MAXIMUM_BLOCK) {
      const bucket = this.bucketOf[Math.ceil(size / 8)] as number;
      const live = this.backEndLive[bucket] as number;
      if (live > 0) this.backEndLive[bucket] = live - 1;
    }
  }

  resizeInPlace(pointer: number, size: number): boolean {
    const words = this.currentWords();
    const id = this.ownerOf(pointer, words);
    if (id < 0) {
      const before = this.backEnd.liveBytes;
      const done = this.backEnd.resizeInPlace(pointer, size);
      if (done) {
        // The back end's live bytes moved by size − old size.
        this.moveBackEndCount(size - (this.backEnd.liveBytes - before), size);
        this.notePeak();
      }
      return done;
    }
    const index = this.locateChunk(id, pointer, words);
    assertSize(size);
    const capacity = this.chunkSize(id);
    if (size > capacity) return false;
    const unused = this.lastUnused;
    this.writeChunkHeader(pointer - this.headerSize, capacity - size, index, CHUNK_BUSY, id);
    this.lfhLiveBytes += size - (capacity - unused);
    this.notePeak();
    return true;
  }

  /** A back-end block resized in place may change bucket: keep the per-bucket live counts right. */
  private moveBackEndCount(oldSize: number, newSize: number): void {
    if (oldSize <= LFH_MAXIMUM_BLOCK) {
      const bucket = this.bucketOf[Math.ceil(oldSize / 8)] as number;
      const live = this.backEndLive[bucket] as number;
      if (live > 0) this.backEndLive[bucket] = live - 1;
    }
    if (newSize <= LFH_MAXIMUM_BLOCK) {
      const bucket = this.bucketOf[Math.ceil(newSize / 8)] as number;
      if (this.activated[bucket] === 0) this.backEndLive[bucket] = (this.backEndLive[bucket] as number) + 1;
    }
  }

  sizeOf(pointer: number): number {
    const words = this.currentWords();
    const id = this.ownerOf(pointer, words);
    if (id < 0) return this.backEnd.sizeOf(pointer);
    this.locateChunk(id, pointer, words);
    return this.chunkSize(id) - this.lastUnused;
  }

  usableSize(pointer: number): number {
    const words = this.currentWords();
    const id = this.ownerOf(pointer, words);
    if (id < 0) return this.backEnd.usableSize(pointer);
    this.locateChunk(id, pointer, words);
    return this.chunkSize(id);
  }

  /**
   * True when an LFH subsegment serves the live block at `pointer` (Windows never resizes such a block
   * in place for GlobalReAlloc or HEAP_REALLOC_IN_PLACE_ONLY); false for back-end blocks and non-blocks.
   */
  isFrontEndBlock(pointer: number): boolean {
    const words = this.currentWords();
    const id = this.ownerOf(pointer, words);
    if (id < 0) return false;
    try {
      this.locateChunk(id, pointer, words);
      return true;
    } catch {
      return false;
    }
  }

  owns(pointer: number): boolean {
    const words = this.currentWords();
    const id = this.ownerOf(pointer, words);
    if (id < 0) return this.backEnd.owns(pointer);
    try {
      this.locateChunk(id, pointer, words);
      return true;
    } catch {
      return false;
    }
  }

  validate(pointer?: number): void {
    if (pointer !== undefined) {
      const id = this.subsegmentOf(pointer);
      if (id < 0) this.backEnd.validate(pointer);
      else this.locateChunk(id, pointer, this.currentWords());
      return;
    }
    this.backEnd.validate();
    const memory = this.memory;
    let liveBytes = 0;
    let liveBlocks = 0;
    for (let at = 0; at < this.sortedCount; at++) {
      const id = this.sortedId[at] as number;
      const block = this.subAddress[id * ADDRESS_SLOTS + ADDRESS_BLOCK] as number;
      if (!this.backEnd.owns(block)) throw heapCorruption(block, 'LFH subsegment is not a busy back-end block');
      if (memory.getUint32(block) !== LFH_USERDATA_SIGNATURE || memory.getUint32(block + 4) !== id) {
        throw heapCorruption(block, 'LFH subsegment header overwritten');
      }
      const end = this.subAddress[id * ADDRESS_SLOTS + ADDRESS_END] as number;
      if (this.subsegmentOf(block) !== id || this.subsegmentOf(end - 1) !== id) {
        throw heapCorruption(block, 'LFH subsegment index does not find the subsegment');
      }
      const size = this.chunkSize(id);
      const count = this.subInfo[id * INFO_SLOTS + INFO_COUNT] as number;
      let free = 0;
      for (let index = 0; index < count; index++) {
        const isFree = this.isChunkFree(id, index);
        const unused = this.checkChunk(id, index, !isFree);
        if (isFree) free++;
        else {
          liveBytes += size - unused;
          liveBlocks++;
        }
      }
      if (free !== this.subInfo[id * INFO_SLOTS + INFO_FREE]) {
        throw heapCorruption(block, 'LFH free count does not match its bitmap');
      }
    }
    if (liveBytes !== this.lfhLiveBytes || liveBlocks !== this.lfhLiveBlocks) {
      throw heapCorruption(this.backEnd.base, 'LFH live bytes do not match its blocks');
    }
  }

  walk(visit: (entry: HeapWalkEntry) => void): void {
    this.backEnd.walk((entry) => {
      const id = entry.kind === 'busy' ? this.subsegmentOf(entry.address) : -1;
      if (id < 0 || this.subAddress[id * ADDRESS_SLOTS + ADDRESS_BLOCK] !== entry.address) {
        visit(entry);
        return;
      }
      visit({ ...entry, kind: 'subsegment', frontEnd: true });
      const size = this.chunkSize(id);
      const count = this.subInfo[id * INFO_SLOTS + INFO_COUNT] as number;
      for (let index = 0; index < count; index++) {
        if (this.isChunkFree(id, index)) continue;
        const used = size - this.checkChunk(id, index, true);
        visit({
          kind: 'busy',
          address: this.chunkPointer(id, index),
          size: used,
          overhead: this.headerSize + size - used,
          regionIndex: entry.regionIndex,
          frontEnd: true,
        });
      }
    });
  }

  stats(): HeapStats {
    const back = this.backEnd.stats();
    let freeChunkBytes = 0;
    for (let at = 0; at < this.sortedCount; at++) {
      const id = this.sortedId[at] as number;
      freeChunkBytes += (this.subInfo[id * INFO_SLOTS + INFO_FREE] as number) * this.chunkSize(id);
    }
    return {
      liveBytes: back.liveBytes - this.subsegmentBytes + this.lfhLiveBytes,
      liveBlocks: back.liveBlocks - this.subsegmentCount + this.lfhLiveBlocks,
      peakLiveBytes: this.peakLive,
      committedBytes: back.committedBytes,
      peakCommittedBytes: back.peakCommittedBytes,
      reservedBytes: back.reservedBytes,
      freeBytes: back.freeBytes + freeChunkBytes,
      largestFreeBlock: back.largestFreeBlock,
    };
  }

  /** Returns every empty subsegment to the back end (free() keeps one per bucket), then compacts it. */
  compact(): number {
    const info = this.subInfo;
    for (let bucket = 1; bucket <= LFH_BUCKET_COUNT; bucket++) {
      // From the top of the stack down, as allocation would reach them.
      let id = this.availableTop[bucket] as number;
      while (id >= 0) {
        const below = info[id * INFO_SLOTS + INFO_BELOW] as number;
        if (info[id * INFO_SLOTS + INFO_FREE] === info[id * INFO_SLOTS + INFO_COUNT]) {
          this.removeAvailable(bucket, id);
          this.releaseSubsegment(id);
        }
        id = below;
      }
    }
    return this.backEnd.compact();
  }

  destroy(): void {
    this.backEnd.destroy();
    this.sortedCount = 0;
    this.nextId = 0;
    this.freeIds = [];
    this.availableTop.fill(-1);
    this.availableCount.fill(0);
    this.pages = new Int32Array(0);
    this.pageCount = 0;
    this.pageBase = 0;
    this.paged = true;
    this.lfhLiveBytes = 0;
    this.lfhLiveBlocks = 0;
    this.subsegmentBytes = 0;
    this.subsegmentCount = 0;
  }

  toString(): string {
    return `lfh heap at ${hex(this.backEnd.base)}`;
  }
}

/**
 * Puts an LFH front end over an existing back end (HeapSetInformation(HeapCompatibilityInformation, 2)
 * on a live heap): blocks the back end already handed out stay valid and are freed through it.
 */
export function createLowFragmentationHeap(
  backEnd: SegregatedHeap,
  options?: LowFragmentationHeapOptions,
): LowFragmentationHeap {
  return new LowFragmentationHeap(backEnd, options);
}

export function createLfhHeap(options: HeapStrategyOptions): LowFragmentationHeap {
  return new LowFragmentationHeap(new SegregatedHeap(options));
}

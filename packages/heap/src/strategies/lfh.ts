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
// subsegment serial u16), so an overflow from one chunk into the next is found by validate() and free().
// Chunks are handed out lowest-free-first (Windows 8+ picks at random; ours is deterministic so runs
// reproduce). Host side: a bitmap of free chunks per subsegment and a sorted index of subsegment ranges, so free()
// finds a chunk's subsegment by binary search and refuses foreign or interior pointers in O(log n).
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
import { SegregatedHeap } from './segregated';

const CHUNK_BUSY = 0x01;
const CHUNK_MARK = 0x80;
const CHUNK_SALT = 0x3c;
const MAX_CHUNKS = 1024;
const MIN_CHUNKS = 4;

function chunkCheck(word0: number, flags: number, serial: number): number {
  const x = (word0 ^ (flags + serial * 65536)) >>> 0;
  return ((x ^ (x >>> 8) ^ (x >>> 16) ^ (x >>> 24) ^ CHUNK_SALT) & 0xff) >>> 0;
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
  /** Per bucket: ids of subsegments with at least one free chunk (allocation takes the last). */
  private readonly available: number[][] = [];
  private anyActive = false;
  /** Windows never enables the LFH on a fixed-size heap (internals §4.2): every request goes to the back end. */
  private readonly enabled: boolean;

  // Subsegments by id (ids are reused after release).
  private subBlock: number[] = [];
  private subFirst: number[] = [];
  private subEnd: number[] = [];
  private subCount: number[] = [];
  private subFree: number[] = [];
  private subBucket: number[] = [];
  private subSerial: number[] = [];
  private subBits: (Uint32Array | undefined)[] = [];
  private subHint: number[] = [];
  private freeIds: number[] = [];
  private serial = 0;
  // Sorted index of live subsegments by block address.
  private sortedStart = new Float64Array(64);
  private sortedId = new Int32Array(64);
  private sortedCount = 0;

  // Counters of the front end.
  private lfhLiveBytes = 0;
  private lfhLiveBlocks = 0;
  private lfhFreeBytes = 0;
  private subsegmentBytes = 0;
  private subsegmentCount = 0;
  private peakLive = 0;
  /** Unused bytes of the chunk locateChunk last checked (no per-call objects). */
  private lastUnused = 0;

  constructor(backEnd: SegregatedHeap, options: LowFragmentationHeapOptions = {}) {
    this.backEnd = backEnd;
    this.memory = backEnd.memory;
    this.headerSize = backEnd.headerSize;
    this.granule = backEnd.granule;
    this.bucketSize = lfhBucketSizes(backEnd.pointerSize);
    this.bucketOf = new Uint8Array(LFH_MAXIMUM_BLOCK / 8 + 1);
    let bucket = 1;
    for (let units = 0; units <= LFH_MAXIMUM_BLOCK / 8; units++) {
      while ((this.bucketSize[bucket] as number) < units * 8) bucket++;
      this.bucketOf[units] = bucket;
    }
    for (let i = 0; i <= LFH_BUCKET_COUNT; i++) this.available.push([]);
    this.peakLive = backEnd.liveBytes;
    this.enabled = backEnd.growable;
    if (options.activateImmediately && this.enabled) {
      this.activated.fill(1);
      this.anyActive = true;
    }
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
    const bucket = this.bucketOf[Math.ceil(size / 8)] as number;
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

  private allocateChunk(bucket: number, size: number): number {
    const list = this.available[bucket] as number[];
    let id = list.length > 0 ? (list[list.length - 1] as number) : -1;
    if (id < 0) {
      id = this.createSubsegment(bucket);
      if (id < 0) return 0;
      list.push(id);
    }
    const bits = this.subBits[id] as Uint32Array;
    let word = this.subHint[id] as number;
    while (bits[word] === 0) word++;
    const value = bits[word] as number;
    const bit = 31 - Math.clz32(value & -value);
    bits[word] = (value & ~(1 << bit)) >>> 0;
    this.subHint[id] = word;
    const index = word * 32 + bit;
    const stride = this.headerSize + (this.bucketSize[bucket] as number);
    const chunk = (this.subFirst[id] as number) + index * stride;
    this.writeChunkHeader(chunk, stride - this.headerSize - size, index, CHUNK_BUSY, this.subSerial[id] as number);
    const free = (this.subFree[id] as number) - 1;
    this.subFree[id] = free;
    if (free === 0) list.pop();
    this.lfhLiveBytes += size;
    this.lfhLiveBlocks++;
    this.lfhFreeBytes -= this.bucketSize[bucket] as number;
    this.notePeak();
    return chunk + this.headerSize;
  }

  private writeChunkHeader(chunk: number, unused: number, index: number, flags: number, serial: number): void {
    const at = chunk + this.headerSize - 8;
    const word0 = unused + index * 65536;
    const memory = this.backEnd.memory;
    memory.setUint32(at, word0);
    memory.setUint32(at + 4, flags + CHUNK_MARK + chunkCheck(word0, flags + CHUNK_MARK, serial) * 256 + serial * 65536);
  }

  private createSubsegment(bucket: number): number {
    const size = this.bucketSize[bucket] as number;
    const stride = this.headerSize + size;
    const made = this.subsegmentsMade[bucket] as number;
    const target = 4096 * 2 ** Math.min(made, 4);
    const count = Math.max(MIN_CHUNKS, Math.min(MAX_CHUNKS, Math.floor(target / stride)));
    const userHeader = 2 * this.granule;
    const bytes = userHeader + count * stride;
    const block = this.backEnd.allocate(bytes, 0);
    if (block === 0) return -1;
    this.subsegmentsMade[bucket] = made < 0xffff ? made + 1 : made;
    const id = this.freeIds.length > 0 ? (this.freeIds.pop() as number) : this.subBlock.length;
    const serial = (this.serial = (this.serial + 1) % 65536);
    const first = block + userHeader;
    const words = Math.ceil(count / 32);
    const bits = new Uint32Array(words).fill(0xffffffff);
    if (count % 32 !== 0) bits[words - 1] = (2 ** (count % 32) - 1) >>> 0;
    this.subBlock[id] = block;
    this.subFirst[id] = first;
    this.subEnd[id] = first + count * stride;
    this.subCount[id] = count;
    this.subFree[id] = count;
    this.subBucket[id] = bucket;
    this.subSerial[id] = serial;
    this.subBits[id] = bits;
    this.subHint[id] = 0;
    const memory = this.backEnd.memory;
    memory.setUint32(block, LFH_USERDATA_SIGNATURE);
    memory.setUint32(block + 4, id);
    for (let i = 0; i < count; i++) this.writeChunkHeader(first + i * stride, size, i, 0, serial);
    this.insertSorted(block, id);
    this.subsegmentBytes += bytes;
    this.subsegmentCount++;
    this.lfhFreeBytes += count * size;
    return id;
  }

  private releaseSubsegment(id: number): void {
    const block = this.subBlock[id] as number;
    const bucket = this.subBucket[id] as number;
    const count = this.subCount[id] as number;
    this.removeSorted(block);
    this.subsegmentBytes -= (this.subEnd[id] as number) - block;
    this.subsegmentCount--;
    this.lfhFreeBytes -= count * (this.bucketSize[bucket] as number);
    this.subBits[id] = undefined;
    this.subCount[id] = 0;
    this.freeIds.push(id);
    this.backEnd.free(block);
  }

  // ---- the sorted subsegment index -----------------------------------------------------------------

  private insertSorted(start: number, id: number): void {
    if (this.sortedCount === this.sortedStart.length) {
      const starts = new Float64Array(this.sortedCount * 2);
      starts.set(this.sortedStart);
      const ids = new Int32Array(this.sortedCount * 2);
      ids.set(this.sortedId);
      this.sortedStart = starts;
      this.sortedId = ids;
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

  /** The subsegment whose block contains `address`, or −1. */
  private subsegmentOf(address: number): number {
    if (typeof address !== 'number') return -1;
    const at = this.upperBound(address) - 1;
    if (at < 0) return -1;
    const id = this.sortedId[at] as number;
    return address < (this.subEnd[id] as number) ? id : -1;
  }

  /**
   * Index of the live chunk whose user address is `pointer` in subsegment `id`, after checking its
   * header; throws on a pointer that is not a live chunk or on a corrupted header.
   */
  private locateChunk(id: number, pointer: number): number {
    const bucket = this.subBucket[id] as number;
    const stride = this.headerSize + (this.bucketSize[bucket] as number);
    const offset = pointer - this.headerSize - (this.subFirst[id] as number);
    if (offset < 0 || offset % stride !== 0) throw badPointer(pointer);
    const index = offset / stride;
    const bits = this.subBits[id] as Uint32Array;
    if ((((bits[index >>> 5] as number) >>> (index & 31)) & 1) === 1) throw badPointer(pointer);
    this.lastUnused = this.checkChunk(id, index, true);
    return index;
  }

  /** Checks the header of chunk `index` of subsegment `id`; returns its unused bytes. */
  private checkChunk(id: number, index: number, busy: boolean): number {
    const bucket = this.subBucket[id] as number;
    const size = this.bucketSize[bucket] as number;
    const chunk = (this.subFirst[id] as number) + index * (this.headerSize + size);
    const at = chunk + this.headerSize - 8;
    const memory = this.backEnd.memory;
    const word0 = memory.getUint32(at);
    const word1 = memory.getUint32(at + 4);
    const flags = word1 & 0xff;
    const serial = word1 >>> 16;
    const unused = word0 & 0xffff;
    if (
      ((word1 >>> 8) & 0xff) !== chunkCheck(word0, flags, serial) ||
      serial !== this.subSerial[id] ||
      word0 >>> 16 !== index ||
      flags !== CHUNK_MARK + (busy ? CHUNK_BUSY : 0) ||
      unused > size
    ) {
      throw heapCorruption(chunk, 'LFH block header overwritten (overflow of the block before it?)');
    }
    return unused;
  }

  // ---- free, resize, queries ------------------------------------------------------------------------

  free(pointer: number): void {
    const id = this.subsegmentOf(pointer);
    if (id < 0) {
      this.freeBackEnd(pointer);
      return;
    }
    const index = this.locateChunk(id, pointer);
    const bucket = this.subBucket[id] as number;
    const size = this.bucketSize[bucket] as number;
    const unused = this.lastUnused;
    const bits = this.subBits[id] as Uint32Array;
    bits[index >>> 5] = ((bits[index >>> 5] as number) | (1 << (index & 31))) >>> 0;
    if (index >>> 5 < (this.subHint[id] as number)) this.subHint[id] = index >>> 5;
    this.writeChunkHeader(pointer - this.headerSize, size, index, 0, this.subSerial[id] as number);
    this.lfhLiveBytes -= size - unused;
    this.lfhLiveBlocks--;
    this.lfhFreeBytes += size;
    const free = (this.subFree[id] as number) + 1;
    this.subFree[id] = free;
    const list = this.available[bucket] as number[];
    if (free === 1) list.push(id);
    if (free === this.subCount[id] && list.length > 1) {
      // An empty subsegment goes back to the back end unless it is the bucket's only one.
      list.splice(list.indexOf(id), 1);
      this.releaseSubsegment(id);
    }
  }

  private freeBackEnd(pointer: number): void {
    const size = this.backEnd.sizeOf(pointer);
    if (size <= LFH_MAXIMUM_BLOCK) {
      const bucket = this.bucketOf[Math.ceil(size / 8)] as number;
      const live = this.backEndLive[bucket] as number;
      if (live > 0) this.backEndLive[bucket] = live - 1;
    }
    this.backEnd.free(pointer);
  }

  resizeInPlace(pointer: number, size: number): boolean {
    const id = this.subsegmentOf(pointer);
    if (id < 0) {
      const old = this.backEnd.sizeOf(pointer);
      const done = this.backEnd.resizeInPlace(pointer, size);
      if (done) {
        this.moveBackEndCount(old, size);
        this.notePeak();
      }
      return done;
    }
    const index = this.locateChunk(id, pointer);
    assertSize(size);
    const capacity = this.bucketSize[this.subBucket[id] as number] as number;
    if (size > capacity) return false;
    const unused = this.lastUnused;
    this.writeChunkHeader(pointer - this.headerSize, capacity - size, index, CHUNK_BUSY, this.subSerial[id] as number);
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
    const id = this.subsegmentOf(pointer);
    if (id < 0) return this.backEnd.sizeOf(pointer);
    this.locateChunk(id, pointer);
    return (this.bucketSize[this.subBucket[id] as number] as number) - this.lastUnused;
  }

  usableSize(pointer: number): number {
    const id = this.subsegmentOf(pointer);
    if (id < 0) return this.backEnd.usableSize(pointer);
    this.locateChunk(id, pointer);
    return this.bucketSize[this.subBucket[id] as number] as number;
  }

  /**
   * True when an LFH subsegment serves the live block at `pointer` (Windows never resizes such a block
   * in place for GlobalReAlloc or HEAP_REALLOC_IN_PLACE_ONLY); false for back-end blocks and non-blocks.
   */
  isFrontEndBlock(pointer: number): boolean {
    const id = this.subsegmentOf(pointer);
    if (id < 0) return false;
    try {
      this.locateChunk(id, pointer);
      return true;
    } catch {
      return false;
    }
  }

  owns(pointer: number): boolean {
    const id = this.subsegmentOf(pointer);
    if (id < 0) return this.backEnd.owns(pointer);
    try {
      this.locateChunk(id, pointer);
      return true;
    } catch {
      return false;
    }
  }

  validate(pointer?: number): void {
    if (pointer !== undefined) {
      const id = this.subsegmentOf(pointer);
      if (id < 0) this.backEnd.validate(pointer);
      else this.locateChunk(id, pointer);
      return;
    }
    this.backEnd.validate();
    const memory = this.backEnd.memory;
    let liveBytes = 0;
    let liveBlocks = 0;
    for (let at = 0; at < this.sortedCount; at++) {
      const id = this.sortedId[at] as number;
      const block = this.subBlock[id] as number;
      if (!this.backEnd.owns(block)) throw heapCorruption(block, 'LFH subsegment is not a busy back-end block');
      if (memory.getUint32(block) !== LFH_USERDATA_SIGNATURE || memory.getUint32(block + 4) !== id) {
        throw heapCorruption(block, 'LFH subsegment header overwritten');
      }
      const size = this.bucketSize[this.subBucket[id] as number] as number;
      const bits = this.subBits[id] as Uint32Array;
      const count = this.subCount[id] as number;
      let free = 0;
      for (let index = 0; index < count; index++) {
        const isFree = (((bits[index >>> 5] as number) >>> (index & 31)) & 1) === 1;
        const unused = this.checkChunk(id, index, !isFree);
        if (isFree) free++;
        else {
          liveBytes += size - unused;
          liveBlocks++;
        }
      }
      if (free !== this.subFree[id]) throw heapCorruption(block, 'LFH free count does not match its bitmap');
    }
    if (liveBytes !== this.lfhLiveBytes || liveBlocks !== this.lfhLiveBlocks) {
      throw heapCorruption(this.backEnd.base, 'LFH live bytes do not match its blocks');
    }
  }

  walk(visit: (entry: HeapWalkEntry) => void): void {
    this.backEnd.walk((entry) => {
      const id = entry.kind === 'busy' ? this.subsegmentOf(entry.address) : -1;
      if (id < 0 || this.subBlock[id] !== entry.address) {
        visit(entry);
        return;
      }
      visit({ ...entry, kind: 'subsegment', frontEnd: true });
      const size = this.bucketSize[this.subBucket[id] as number] as number;
      const bits = this.subBits[id] as Uint32Array;
      const count = this.subCount[id] as number;
      for (let index = 0; index < count; index++) {
        if ((((bits[index >>> 5] as number) >>> (index & 31)) & 1) === 1) continue;
        const used = size - this.checkChunk(id, index, true);
        visit({
          kind: 'busy',
          address: (this.subFirst[id] as number) + index * (this.headerSize + size) + this.headerSize,
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
    return {
      liveBytes: back.liveBytes - this.subsegmentBytes + this.lfhLiveBytes,
      liveBlocks: back.liveBlocks - this.subsegmentCount + this.lfhLiveBlocks,
      peakLiveBytes: this.peakLive,
      committedBytes: back.committedBytes,
      peakCommittedBytes: back.peakCommittedBytes,
      reservedBytes: back.reservedBytes,
      freeBytes: back.freeBytes + this.lfhFreeBytes,
      largestFreeBlock: back.largestFreeBlock,
    };
  }

  /** Returns every empty subsegment to the back end (free() keeps one per bucket), then compacts it. */
  compact(): number {
    for (const list of this.available) {
      for (let at = list.length - 1; at >= 0; at--) {
        const id = list[at] as number;
        if (this.subFree[id] !== this.subCount[id]) continue;
        list.splice(at, 1);
        this.releaseSubsegment(id);
      }
    }
    return this.backEnd.compact();
  }

  destroy(): void {
    this.backEnd.destroy();
    this.sortedCount = 0;
    this.subBlock = [];
    this.subFirst = [];
    this.subEnd = [];
    this.subCount = [];
    this.subFree = [];
    this.subBucket = [];
    this.subSerial = [];
    this.subBits = [];
    this.subHint = [];
    this.freeIds = [];
    for (const list of this.available) list.length = 0;
    this.lfhLiveBytes = 0;
    this.lfhLiveBlocks = 0;
    this.lfhFreeBytes = 0;
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

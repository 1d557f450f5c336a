// The bump arena ('bump'): the lower bound on allocation cost. Blocks are laid one after another from
// a region's start; free marks a block dead and only gives memory back when the block is the last one
// (the top moves back over it) or when nothing is live (every region is
// reset). Regions are reservations that double from 1 MiB; the top commits in 64-KiB steps. Dead
// blocks below the last live one stay dead until everything is freed: that is the arena's trade.
//
// Block layout (H = header = 2·P bytes, blocks aligned to 2·P): at b + H − 8 the requested size (u32),
// at b + H − 4 the capacity in bytes (a multiple of 8) + 1 when live. A host bitmap of live block starts
// makes free() of a foreign, interior or dead pointer an O(1) refusal; validate() walks every region.
import type { HeapMemory, HeapStats, HeapStrategy, HeapStrategyOptions, HeapWalkEntry, PageSource } from '../api';
import { COMMIT_STEP } from '../constants';
import { badPointer, heapCorruption } from '../errors';
import { assertAlignment, assertSize, countBits, roundUp } from '../numbers';

const FIRST_REGION = 0x100000;
const REGION_CAP = 0x4000000;
/** Bump blocks record sizes in 32 bits. */
const MAXIMUM_BLOCK = 0xffff0000;

/** True when `offset` is a whole number of granules (a floating-point % is a slow library call). */
function onGranule(offset: number, granule: number): boolean {
  const granules = offset / granule;
  return granules === Math.floor(granules);
}

export class BumpArena implements HeapStrategy {
  readonly name = 'bump';
  private readonly source: PageSource;
  private readonly memory: HeapMemory;
  private readonly granule: number;
  private readonly headerSize: number;
  private readonly maximumSize: number;
  private nextRegionSize: number;

  private regionBase: number[] = [];
  private regionEnd: number[] = [];
  private regionCommit: number[] = [];
  private regionTop: number[] = [];
  private regionLive: Uint32Array[] = [];
  private current = -1;

  private liveBytes = 0;
  private liveBlocks = 0;
  private peakLiveBytes = 0;
  private committedBytes = 0;
  private peakCommittedBytes = 0;
  private reservedBytes = 0;

  constructor(options: HeapStrategyOptions) {
    this.source = options.source;
    this.memory = options.source.memory;
    this.granule = 2 * options.source.pointerSize;
    this.headerSize = 2 * options.source.pointerSize;
    this.maximumSize = options.maximumSize ?? 0;
    this.nextRegionSize = roundUp(
      Math.max(options.initialReserve ?? FIRST_REGION, this.source.pageSize),
      this.source.granularity,
    );
    if (this.maximumSize > 0) this.nextRegionSize = roundUp(this.maximumSize, this.source.pageSize);
  }

  private blockBytes(size: number): number {
    return roundUp(size + this.headerSize, this.granule);
  }

  private addRegion(minimum: number): number {
    if (this.maximumSize > 0 && this.regionBase.length > 0) return -1;
    let reserve = Math.max(this.nextRegionSize, roundUp(minimum + this.granule, this.source.granularity));
    let base = this.source.reserve(reserve);
    while (base === 0 && reserve / 2 >= minimum + this.granule && reserve > this.source.pageSize) {
      reserve = roundUp(reserve / 2, this.source.pageSize);
      base = this.source.reserve(reserve);
    }
    if (base === 0) return -1;
    this.nextRegionSize = Math.min(this.nextRegionSize * 2, REGION_CAP);
    this.regionBase.push(base);
    this.regionEnd.push(base + reserve);
    this.regionCommit.push(base);
    // Blocks start one granule in, so no block ever sits at a region's (possibly zero) base.
    this.regionTop.push(base + this.granule);
    this.regionLive.push(new Uint32Array(Math.ceil(reserve / this.granule / 32)));
    this.reservedBytes += reserve;
    return this.regionBase.length - 1;
  }

  /** Commits region `region` up to at least `end`; false when the source refuses. */
  private commitTo(region: number, end: number): boolean {
    const committed = this.regionCommit[region] as number;
    if (end <= committed) return true;
    const limit = this.regionEnd[region] as number;
    let target = Math.min(limit, Math.max(roundUp(end, this.source.pageSize), committed + COMMIT_STEP));
    if (!this.source.commit(committed, target - committed)) {
      target = roundUp(end, this.source.pageSize);
      if (!this.source.commit(committed, target - committed)) return false;
    }
    this.regionCommit[region] = target;
    this.committedBytes += target - committed;
    if (this.committedBytes > this.peakCommittedBytes) this.peakCommittedBytes = this.committedBytes;
    return true;
  }

  allocate(size: number, alignment = 0): number {
    assertSize(size);
    assertAlignment(alignment);
    if (size > MAXIMUM_BLOCK) return 0;
    const align = Math.max(alignment, this.granule);
    const bytes = this.blockBytes(size);
    let region = this.current;
    let block = region < 0 ? 0 : this.placeIn(region, bytes, align);
    if (block === 0) {
      region = this.addRegion(bytes + align);
      if (region < 0) return 0;
      block = this.placeIn(region, bytes, align);
      if (block === 0) return 0;
      this.current = region;
    }
    return this.finish(region, block, size, bytes);
  }

  /** Where a block of `bytes` with its user data aligned to `align` fits at region's top, or 0. */
  private placeIn(region: number, bytes: number, align: number): number {
    const top = this.regionTop[region] as number;
    let block = roundUp(top + this.headerSize, align) - this.headerSize;
    // A gap before an aligned block becomes a dead block, so the region stays walkable.
    if (block !== top && block - top < this.granule) block += align;
    if (block + bytes > (this.regionEnd[region] as number)) return 0;
    if (!this.commitTo(region, block + bytes)) return 0;
    if (block !== top) this.writeHeader(top, 0, block - top, false);
    return block;
  }

  private finish(region: number, block: number, size: number, bytes: number): number {
    this.writeHeader(block, size, bytes, true);
    this.regionTop[region] = block + bytes;
    this.setLive(region, block, true);
    this.liveBytes += size;
    this.liveBlocks++;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
    return block + this.headerSize;
  }

  private writeHeader(block: number, size: number, capacity: number, live: boolean): void {
    const at = block + this.headerSize - 8;
    this.memory.setUint32(at, size);
    this.memory.setUint32(at + 4, capacity + (live ? 1 : 0));
  }

  private setLive(region: number, block: number, live: boolean): void {
    const bits = this.regionLive[region] as Uint32Array;
    const bit = (block - (this.regionBase[region] as number)) / this.granule;
    const word = bits[bit >>> 5] as number;
    bits[bit >>> 5] = (live ? word | (1 << (bit & 31)) : word & ~(1 << (bit & 31))) >>> 0;
  }

  private isLive(region: number, block: number): boolean {
    const bits = this.regionLive[region] as Uint32Array;
    const bit = (block - (this.regionBase[region] as number)) / this.granule;
    return (((bits[bit >>> 5] as number) >>> (bit & 31)) & 1) === 1;
  }

  /** The region holding the block whose user pointer is `pointer` (a zero-size last block ends at the top). */
  private regionOf(pointer: number): number {
    const block = pointer - this.headerSize;
    for (let i = 0; i < this.regionBase.length; i++) {
      if (block > (this.regionBase[i] as number) && block < (this.regionTop[i] as number)) return i;
    }
    return -1;
  }

  /** The region of the live block at `pointer`, after checking its header; throws on misuse. */
  private locate(pointer: number): number {
    const region = typeof pointer === 'number' ? this.regionOf(pointer) : -1;
    const block = pointer - this.headerSize;
    if (region < 0 || !onGranule(block - (this.regionBase[region] as number), this.granule) || !this.isLive(region, block)) {
      throw badPointer(pointer);
    }
    const at = block + this.headerSize - 8;
    const size = this.memory.getUint32(at);
    const word = this.memory.getUint32(at + 4);
    const capacity = word - (word % 8);
    if (word % 8 !== 1 || size + this.headerSize > capacity || block + capacity > (this.regionTop[region] as number)) {
      throw heapCorruption(block, 'bump block header overwritten');
    }
    return region;
  }

  free(pointer: number): void {
    const region = this.locate(pointer);
    const block = pointer - this.headerSize;
    const at = block + this.headerSize - 8;
    const size = this.memory.getUint32(at);
    const capacity = this.memory.getUint32(at + 4) - 1;
    this.memory.setUint32(at + 4, capacity);
    this.setLive(region, block, false);
    this.liveBytes -= size;
    this.liveBlocks--;
    if (this.liveBlocks === 0) {
      this.reset();
      return;
    }
    if (block + capacity === this.regionTop[region]) this.regionTop[region] = block;
  }

  /** Forgets every block: each region's top goes back to its start (memory stays committed). */
  reset(): void {
    for (let i = 0; i < this.regionBase.length; i++) {
      this.regionTop[i] = (this.regionBase[i] as number) + this.granule;
      (this.regionLive[i] as Uint32Array).fill(0);
    }
    this.current = this.regionBase.length > 0 ? 0 : -1;
    this.liveBytes = 0;
    this.liveBlocks = 0;
  }

  resizeInPlace(pointer: number, size: number): boolean {
    const region = this.locate(pointer);
    assertSize(size);
    if (size > MAXIMUM_BLOCK) return false;
    const block = pointer - this.headerSize;
    const at = block + this.headerSize - 8;
    const oldSize = this.memory.getUint32(at);
    const capacity = this.memory.getUint32(at + 4) - 1;
    let newCapacity = capacity;
    if (block + capacity === this.regionTop[region]) {
      // The last block can move the top either way.
      newCapacity = this.blockBytes(size);
      if (block + newCapacity > (this.regionEnd[region] as number)) return false;
      if (!this.commitTo(region, block + newCapacity)) return false;
      this.regionTop[region] = block + newCapacity;
    } else if (size + this.headerSize > capacity) {
      return false;
    }
    this.writeHeader(block, size, newCapacity, true);
    this.liveBytes += size - oldSize;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
    return true;
  }

  sizeOf(pointer: number): number {
    this.locate(pointer);
    return this.memory.getUint32(pointer - 8);
  }

  usableSize(pointer: number): number {
    this.locate(pointer);
    return this.memory.getUint32(pointer - 4) - 1 - this.headerSize;
  }

  owns(pointer: number): boolean {
    const region = typeof pointer === 'number' ? this.regionOf(pointer) : -1;
    const block = pointer - this.headerSize;
    return region >= 0 && onGranule(block - (this.regionBase[region] as number), this.granule) && this.isLive(region, block);
  }

  validate(pointer?: number): void {
    if (pointer !== undefined) {
      this.locate(pointer);
      return;
    }
    let liveBytes = 0;
    let liveBlocks = 0;
    for (let region = 0; region < this.regionBase.length; region++) {
      const top = this.regionTop[region] as number;
      let block = (this.regionBase[region] as number) + this.granule;
      let marked = 0;
      while (block < top) {
        const at = block + this.headerSize - 8;
        const size = this.memory.getUint32(at);
        const word = this.memory.getUint32(at + 4);
        const capacity = word - (word % 8);
        const live = word % 8 === 1;
        if (word % 8 > 1 || capacity < this.granule || block + capacity > top) {
          throw heapCorruption(block, 'bump block header overwritten');
        }
        if (live !== this.isLive(region, block)) throw heapCorruption(block, 'live flag does not match the arena');
        if (live) {
          if (size + this.headerSize > capacity) throw heapCorruption(block, 'size exceeds the block');
          liveBytes += size;
          liveBlocks++;
          marked++;
        }
        block += capacity;
      }
      if (countBits(this.regionLive[region] as Uint32Array) !== marked) throw heapCorruption(this.regionBase[region] as number, 'live blocks beyond the top');
    }
    if (liveBytes !== this.liveBytes || liveBlocks !== this.liveBlocks) {
      throw heapCorruption(this.regionBase[0] ?? 0, 'live bytes do not match the blocks');
    }
  }

  walk(visit: (entry: HeapWalkEntry) => void): void {
    for (let region = 0; region < this.regionBase.length; region++) {
      const base = this.regionBase[region] as number;
      const end = this.regionEnd[region] as number;
      const commit = this.regionCommit[region] as number;
      const top = this.regionTop[region] as number;
      visit({
        kind: 'region',
        address: base,
        size: end - base,
        overhead: this.granule,
        regionIndex: region,
        committedSize: commit - base,
        uncommittedSize: end - commit,
        firstBlock: base + this.granule,
        lastBlock: end,
      });
      let block = base + this.granule;
      while (block < top) {
        const at = block + this.headerSize - 8;
        const size = this.memory.getUint32(at);
        const word = this.memory.getUint32(at + 4);
        const capacity = word - (word % 8);
        if (capacity === 0) throw heapCorruption(block, 'bump block header overwritten');
        if (word % 8 === 1) {
          visit({ kind: 'busy', address: block + this.headerSize, size, overhead: capacity - size, regionIndex: region });
        } else {
          visit({
            kind: 'free',
            address: block + this.headerSize,
            size: capacity - this.headerSize,
            overhead: this.headerSize,
            regionIndex: region,
          });
        }
        block += capacity;
      }
      if (top < commit) {
        visit({ kind: 'free', address: top, size: commit - top, overhead: 0, regionIndex: region });
      }
      if (commit < end) visit({ kind: 'uncommitted', address: commit, size: end - commit, overhead: 0, regionIndex: region });
    }
  }

  stats(): HeapStats {
    let freeBytes = 0;
    let largest = 0;
    for (let region = 0; region < this.regionBase.length; region++) {
      const room = (this.regionCommit[region] as number) - (this.regionTop[region] as number);
      freeBytes += room;
      if (room > largest) largest = room;
    }
    return {
      liveBytes: this.liveBytes,
      liveBlocks: this.liveBlocks,
      peakLiveBytes: this.peakLiveBytes,
      committedBytes: this.committedBytes,
      peakCommittedBytes: this.peakCommittedBytes,
      reservedBytes: this.reservedBytes,
      freeBytes,
      largestFreeBlock: Math.max(0, largest - this.headerSize),
    };
  }

  compact(): number {
    for (let region = 0; region < this.regionBase.length; region++) {
      const keep = roundUp(this.regionTop[region] as number, this.source.pageSize);
      const committed = this.regionCommit[region] as number;
      if (committed > keep) {
        this.source.decommit(keep, committed - keep);
        this.committedBytes -= committed - keep;
        this.regionCommit[region] = keep;
      }
    }
    return this.stats().largestFreeBlock;
  }

  destroy(): void {
    for (let i = this.regionBase.length - 1; i >= 0; i--) {
      const base = this.regionBase[i] as number;
      this.source.release(base, (this.regionEnd[i] as number) - base);
    }
    this.regionBase = [];
    this.regionEnd = [];
    this.regionCommit = [];
    this.regionTop = [];
    this.regionLive = [];
    this.current = -1;
    this.liveBytes = 0;
    this.liveBlocks = 0;
    this.committedBytes = 0;
    this.reservedBytes = 0;
  }
}

export function createBumpArena(options: HeapStrategyOptions): BumpArena {
  return new BumpArena(options);
}

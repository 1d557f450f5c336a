// A PageSource over one flat, zero-based buffer: reservations are ranges of the buffer handed out
// first-fit (granularity = page size) and merged back on release; commit zero-fills pages the first
// time they are committed after being free or decommitted, and grows the buffer when the buffer can
// grow. Pages known to be zero already (past the length a growable buffer had when the source was
// made, or all of a buffer the source was told is new) are not filled: writing zeros over zeros would
// make the host back pages the heap never touches (the middle of a large block). The first page is
// never reserved, so address 0 is never a block. Subclasses say how the buffer grows (ensureLength)
// and how big it may become (limit).
import type { HeapMemory, PageSource } from '../api';
import { roundUp } from '../numbers';
import { BufferMemory } from './BufferMemory';

export interface FlatSourceGeometry {
  /** Page size (default 4096); also the reservation granularity of a flat buffer. */
  pageSize?: number;
  /** Pointer size of the simulated geometry (default 8): 4 gives x86 heap layouts, 8 gives x64. */
  pointerSize?: 4 | 8;
}

/** Page states in FlatPageSource.pageStates. */
const PAGE_DIRTY = 0; // not committed, contents unknown: zero-filled when committed
const PAGE_COMMITTED = 1;
const PAGE_ZERO = 2; // not committed and never written since the buffer was made: already zero

export abstract class FlatPageSource implements PageSource {
  readonly memory: BufferMemory;
  readonly pageSize: number;
  readonly granularity: number;
  readonly pointerSize: 4 | 8;
  /** Bytes of pages committed now. */
  committedBytes = 0;
  /** Bytes reserved now. */
  reservedBytes = 0;
  /** Free address ranges, sorted, disjoint, half-open [start, end). */
  private readonly freeStarts: number[] = [];
  private readonly freeEnds: number[] = [];
  /** One byte per page: PAGE_DIRTY, PAGE_COMMITTED or PAGE_ZERO. */
  private pageStates: Uint8Array;

  /**
   * `limit`: addressable bytes (the most the buffer can grow to). `zeroFrom`: the buffer's bytes from
   * this offset on are known to be zero (its current length for a growable buffer, whose new bytes the
   * host zeroes; 0 for a buffer just created).
   */
  protected constructor(buffer: ArrayBufferLike, limit: number, geometry: FlatSourceGeometry = {}, zeroFrom = limit) {
    const pageSize = geometry.pageSize ?? 4096;
    if (!Number.isInteger(pageSize) || pageSize < 256 || (pageSize & (pageSize - 1)) !== 0) {
      throw new RangeError(`page size must be a power of two ≥ 256, got ${pageSize}`);
    }
    this.pageSize = pageSize;
    this.granularity = pageSize;
    this.pointerSize = geometry.pointerSize ?? 8;
    this.memory = new BufferMemory(buffer);
    const end = Math.floor(limit / pageSize) * pageSize;
    if (end > pageSize) {
      this.freeStarts.push(pageSize);
      this.freeEnds.push(end);
    }
    this.pageStates = new Uint8Array(Math.max(1, Math.ceil(end / pageSize)));
    this.pageStates.fill(PAGE_ZERO, Math.ceil(zeroFrom / pageSize));
  }

  /** Makes the buffer at least `end` bytes long; false when it cannot grow that far. */
  protected abstract ensureLength(end: number): boolean;

  /** The managed bytes (a live view; a WebAssembly.Memory replaces it on grow). */
  get bytes(): Uint8Array {
    return this.memory.bytes;
  }

  get heapMemory(): HeapMemory {
    return this.memory;
  }

  reserve(size: number): number {
    if (!(size > 0)) return 0;
    const rounded = roundUp(size, this.pageSize);
    for (let i = 0; i < this.freeStarts.length; i++) {
      const start = this.freeStarts[i] as number;
      const end = this.freeEnds[i] as number;
      if (end - start < rounded) continue;
      this.takeFront(i, rounded);
      return start;
    }
    return 0;
  }

  /** Reserves the first `bytes` of free range `i` (which holds at least that many). */
  private takeFront(i: number, bytes: number): void {
    const start = this.freeStarts[i] as number;
    if ((this.freeEnds[i] as number) - start === bytes) {
      this.freeStarts.splice(i, 1);
      this.freeEnds.splice(i, 1);
    } else {
      this.freeStarts[i] = start + bytes;
    }
    this.reservedBytes += bytes;
  }

  release(address: number, size: number): void {
    const rounded = roundUp(size, this.pageSize);
    this.decommit(address, rounded);
    this.reservedBytes -= rounded;
    let i = 0;
    while (i < this.freeStarts.length && (this.freeStarts[i] as number) < address) i++;
    this.freeStarts.splice(i, 0, address);
    this.freeEnds.splice(i, 0, address + rounded);
    // Merge with the next, then with the previous range.
    if (i + 1 < this.freeStarts.length && this.freeEnds[i] === this.freeStarts[i + 1]) {
      this.freeEnds[i] = this.freeEnds[i + 1] as number;
      this.freeStarts.splice(i + 1, 1);
      this.freeEnds.splice(i + 1, 1);
    }
    if (i > 0 && this.freeEnds[i - 1] === this.freeStarts[i]) {
      this.freeEnds[i - 1] = this.freeEnds[i] as number;
      this.freeStarts.splice(i, 1);
      this.freeEnds.splice(i, 1);
    }
  }

  extend(address: number, size: number, newSize: number): boolean {
    const end = address + roundUp(size, this.pageSize);
    const grown = roundUp(newSize, this.pageSize) - roundUp(size, this.pageSize);
    if (grown <= 0) return grown === 0;
    for (let i = 0; i < this.freeStarts.length; i++) {
      if (this.freeStarts[i] !== end) continue;
      if ((this.freeEnds[i] as number) - end < grown) return false;
      this.takeFront(i, grown);
      return true;
    }
    return false;
  }

  commit(address: number, size: number): boolean {
    if (size <= 0) return true;
    const first = Math.floor(address / this.pageSize);
    const last = Math.ceil((address + size) / this.pageSize);
    if (last > this.pageStates.length) return false;
    if (!this.ensureLength(last * this.pageSize)) return false;
    const pages = this.pageStates;
    // One fill per run of dirty pages (a fill call costs more than a page's worth of bytes).
    let page = first;
    while (page < last) {
      const state = pages[page];
      if (state === PAGE_COMMITTED) {
        page++;
        continue;
      }
      const start = page;
      while (page < last && pages[page] === state) pages[page++] = PAGE_COMMITTED;
      this.committedBytes += (page - start) * this.pageSize;
      if (state === PAGE_DIRTY) this.memory.bytes.fill(0, start * this.pageSize, page * this.pageSize);
    }
    return true;
  }

  decommit(address: number, size: number): void {
    const first = Math.floor(address / this.pageSize);
    const last = Math.min(Math.ceil((address + size) / this.pageSize), this.pageStates.length);
    for (let page = first; page < last; page++) {
      if (this.pageStates[page] !== PAGE_COMMITTED) continue;
      this.pageStates[page] = PAGE_DIRTY;
      this.committedBytes -= this.pageSize;
    }
  }
}

// AddressSpace: the virtual address space of one process — its allocations (VADs) in an ordered index,
// their pages' states in a PageTable, frames from PhysicalMemory — with the idiomatic operations
// reserve / commit / decommit / release / protect / query / lock / unlock, write watch and reset,
// each throwing MemError with the Windows code and changing nothing when it throws.
// Counters (committed, reserved, working set, locked) are kept incrementally.
// Invariants: allocations are sorted, disjoint, granularity-aligned at their base, inside
// [lowestUserAddress, highestUserAddress]; committed pages lie inside allocations; every frame held
// by a page is one reference on PhysicalMemory.
import {
  ALLOCATION_FIXED,
  ALLOCATION_LARGE_PAGES,
  ALLOCATION_PHYSICAL,
  ALLOCATION_WRITE_WATCH,
  Allocation,
  type AllocationOwner,
} from './allocation';
import { alignDown, alignUp, hex, isAddressLike } from './address-math';
import {
  ERROR_ACCESS_DENIED,
  ERROR_COMMITMENT_LIMIT,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  ERROR_NOT_ENOUGH_MEMORY,
  ERROR_NOT_LOCKED,
  ERROR_NO_SYSTEM_RESOURCES,
  ERROR_WORKING_SET_QUOTA,
  MEM_COMMIT,
  MEM_FREE,
  MEM_PRIVATE,
  MEM_RESERVE,
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_GUARD,
  PAGE_NOACCESS,
  PAGE_NOCACHE,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_TARGETS_INVALID,
  PAGE_WRITECOMBINE,
  PAGE_WRITECOPY,
  STATUS_GUARD_PAGE_VIOLATION,
} from './constants';
import type { AccessOperation } from './errors';
import { MemError } from './errors';
import type { Geometry } from './geometry';
import {
  LEAF_PAGES,
  PAGE_FLAG_COPIED,
  PAGE_FLAG_DIRTY,
  PAGE_FLAG_LOCKED,
  PAGE_FLAG_NONPAGED,
  PAGE_FLAG_RESET,
  PAGE_FLAG_WATCHED,
  PageTable,
  type PageTableLeaf,
} from './page-table';
import type { PhysicalMemory } from './physical-memory';

/** What VirtualQuery reports for one region (camelCase MEMORY_BASIC_INFORMATION). */
export interface RegionInfo {
  baseAddress: number;
  allocationBase: number;
  allocationProtect: number;
  regionSize: number;
  /** MEM_COMMIT, MEM_RESERVE or MEM_FREE. */
  state: number;
  /** Current protection of committed pages; 0 for reserved; PAGE_NOACCESS for free. */
  protect: number;
  /** MEM_PRIVATE, MEM_MAPPED, MEM_IMAGE; 0 when free. */
  type: number;
}

export interface ReserveOptions {
  /** Allocation protection (default PAGE_READWRITE). */
  protect?: number;
  /** Place at the highest free address (MEM_TOP_DOWN). */
  topDown?: boolean;
  /** Track writes for GetWriteWatch (MEM_WRITE_WATCH). */
  writeWatch?: boolean;
  /** An AWE window (MEM_PHYSICAL). */
  physical?: boolean;
  /** Large pages (size and base multiples of the large-page minimum). */
  largePages?: boolean;
  /** Preferred NUMA node of the frames. */
  preferredNode?: number;
  tag?: string;
}

export interface InsertAllocationOptions {
  /** Exact base (granularity-aligned), or 0 to search for a free range. */
  base?: number;
  size: number;
  allocationProtect: number;
  /** MEM_PRIVATE, MEM_MAPPED or MEM_IMAGE. */
  type: number;
  flags?: number;
  owner?: AllocationOwner;
  /** Default: true for private allocations without an owner. */
  chargesCommit?: boolean;
  topDown?: boolean;
  /** Placement alignment (default: allocation granularity). */
  alignment?: number;
  preferredNode?: number;
  tag?: string;
}

const CACHE_MODIFIERS = PAGE_NOCACHE | PAGE_WRITECOMBINE;
const MODIFIERS = PAGE_GUARD | PAGE_NOCACHE | PAGE_WRITECOMBINE;
const BASE_PROTECTIONS = [
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOPY,
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
];

/**
 * Checks a protection value: exactly one base protection, modifiers only where Windows allows them.
 * Returns the value without ignored bits (PAGE_TARGETS_INVALID), or -1 when invalid.
 * `allowCopy`: WRITECOPY protections are legal (mapped views and images only).
 */
export function normalizeProtection(protect: number, allowCopy: boolean): number {
  if (!Number.isInteger(protect) || protect < 0 || protect > 0xffffffff) return -1;
  let value = protect;
  if (value >= PAGE_TARGETS_INVALID && value < PAGE_TARGETS_INVALID * 2) value -= PAGE_TARGETS_INVALID;
  if (value > 0xffff) return -1;
  const base = value & 0xff;
  const modifiers = value & ~0xff;
  if ((modifiers & ~MODIFIERS) !== 0) return -1;
  if (!BASE_PROTECTIONS.includes(base)) return -1;
  if (!allowCopy && (base === PAGE_WRITECOPY || base === PAGE_EXECUTE_WRITECOPY)) return -1;
  if (base === PAGE_NOACCESS && modifiers !== 0) return -1;
  const guard = (modifiers & PAGE_GUARD) !== 0;
  const noCache = (modifiers & PAGE_NOCACHE) !== 0;
  const writeCombine = (modifiers & PAGE_WRITECOMBINE) !== 0;
  if ((guard && (noCache || writeCombine)) || (noCache && writeCombine)) return -1;
  return value;
}

export class AddressSpace {
  readonly geometry: Geometry;
  readonly physical: PhysicalMemory;
  readonly pageTable: PageTable;
  readonly pageSize: number;
  /** Allocations sorted by base, and their bases (binary search). */
  private readonly allocationList: Allocation[] = [];
  private readonly bases: number[] = [];

  private committedChargedPages = 0;
  private committedPagesValue = 0;
  private reservedBytesValue = 0;
  private workingSetPagesValue = 0;
  private lockedPagesValue = 0;
  private peakWorkingSetPages = 0;
  /** Working-set limits in pages (SetProcessWorkingSetSize changes them). */
  workingSetMinimumPages: number;
  workingSetMaximumPages: number;

  constructor(geometry: Geometry, physical: PhysicalMemory) {
    if (geometry.pageSize !== physical.pageSize) throw new MemError(ERROR_INVALID_PARAMETER, 'page sizes differ');
    this.geometry = geometry;
    this.physical = physical;
    this.pageSize = geometry.pageSize;
    this.pageTable = new PageTable(geometry.pageSize);
    this.workingSetMinimumPages = geometry.workingSetMinimumPages;
    this.workingSetMaximumPages = geometry.workingSetMaximumPages;
  }

  // ------------------------------------------------------------------ counters

  /** Bytes of committed private memory charged to this process (Private Bytes / PagefileUsage). */
  get privateBytes(): number {
    return this.committedChargedPages * this.pageSize;
  }
  /** Committed pages of every allocation (views included). */
  get committedPages(): number {
    return this.committedPagesValue;
  }
  get committedBytes(): number {
    return this.committedPagesValue * this.pageSize;
  }
  /** Bytes of address space taken by allocations (reserved or committed). */
  get reservedBytes(): number {
    return this.reservedBytesValue;
  }
  /** Pages holding a frame. */
  get workingSetPages(): number {
    return this.workingSetPagesValue;
  }
  get workingSetBytes(): number {
    return this.workingSetPagesValue * this.pageSize;
  }
  get peakWorkingSetBytes(): number {
    return this.peakWorkingSetPages * this.pageSize;
  }
  get lockedPages(): number {
    return this.lockedPagesValue;
  }
  /** Pages VirtualLock may hold: the working-set minimum minus a small overhead. */
  get lockablePages(): number {
    return Math.max(0, this.workingSetMinimumPages - this.geometry.lockOverheadPages);
  }
  /** Bytes of the user range not taken by allocations (ullAvailVirtual). */
  get availableVirtualBytes(): number {
    return this.geometry.highestUserAddress + 1 - this.geometry.lowestUserAddress - this.reservedBytesValue;
  }
  get allocationCount(): number {
    return this.allocationList.length;
  }

  // ------------------------------------------------------------------ the allocation index

  /** Allocations in address order (a copy). */
  allocations(): Allocation[] {
    return this.allocationList.slice();
  }

  /** Index of the last allocation with base ≤ address, or -1. */
  private indexAtOrBefore(address: number): number {
    let low = 0;
    let high = this.bases.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if ((this.bases[middle] ?? 0) <= address) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }

  /** The allocation containing `address`, if any. */
  allocationAt(address: number): Allocation | undefined {
    const index = this.indexAtOrBefore(address);
    if (index < 0) return undefined;
    const candidate = this.allocationList[index];
    return candidate !== undefined && address < candidate.end ? candidate : undefined;
  }

  /** True when [start, end) touches no allocation. */
  isFree(start: number, end: number): boolean {
    const index = this.indexAtOrBefore(end - 1);
    if (index < 0) return true;
    const candidate = this.allocationList[index];
    return candidate === undefined || candidate.end <= start;
  }

  /**
   * A free range of `size` bytes whose base is a multiple of `alignment`, inside
   * [lowest, highest]; bottom-up (first fit from the lowest address) or top-down. -1 when none.
   */
  findFreeRange(size: number, alignment: number, topDown = false, lowest?: number, highest?: number): number {
    const low = Math.max(lowest ?? this.geometry.lowestUserAddress, this.geometry.lowestUserAddress);
    const top = Math.min(highest ?? this.geometry.highestUserAddress, this.geometry.highestUserAddress) + 1;
    if (size <= 0 || size > top - low) return -1;
    const list = this.allocationList;
    if (!topDown) {
      let cursor = low;
      for (let i = 0; i <= list.length; i++) {
        const next = list[i];
        const gapEnd = next === undefined ? top : Math.min(next.base, top);
        const start = alignUp(cursor, alignment);
        if (start + size <= gapEnd) return start;
        if (next === undefined || next.base >= top) break;
        cursor = Math.max(cursor, next.end);
      }
      return -1;
    }
    let ceiling = top;
    for (let i = list.length - 1; i >= -1; i--) {
      const previous = i >= 0 ? list[i] : undefined;
      const gapStart = previous === undefined ? low : Math.max(previous.end, low);
      if (previous !== undefined && previous.base >= ceiling) continue;
      const start = alignDown(ceiling - size, alignment);
      if (start >= gapStart && start >= low) return start;
      if (previous === undefined) break;
      ceiling = Math.min(ceiling, previous.base);
      if (ceiling <= low) break;
    }
    return -1;
  }

  /**
   * Adds an allocation (the hook mapping and AWE use for views and windows). With base 0 a free
   * range is searched. Throws ERROR_INVALID_ADDRESS when the exact range is taken or out of range,
   * ERROR_NOT_ENOUGH_MEMORY when no free range is large enough.
   */
  insertAllocation(options: InsertAllocationOptions): Allocation {
    const granularity = this.geometry.allocationGranularity;
    const size = alignUp(options.size, this.pageSize);
    if (!isAddressLike(options.size) || size <= 0) throw new MemError(ERROR_INVALID_PARAMETER, 'allocation size');
    let base = options.base ?? 0;
    if (base === 0) {
      base = this.findFreeRange(size, options.alignment ?? granularity, options.topDown ?? false);
      if (base < 0) throw new MemError(ERROR_NOT_ENOUGH_MEMORY, `no free range of ${hex(size)} bytes`);
    } else {
      if (!isAddressLike(base) || base % granularity !== 0) throw new MemError(ERROR_INVALID_ADDRESS, `base ${hex(base)} not aligned`);
      if (base < this.geometry.lowestUserAddress || base + size - 1 > this.geometry.highestUserAddress) {
        throw new MemError(ERROR_INVALID_ADDRESS, `range ${hex(base)}+${hex(size)} outside user space`);
      }
      if (!this.isFree(base, base + size)) throw new MemError(ERROR_INVALID_ADDRESS, `range ${hex(base)}+${hex(size)} in use`);
    }
    const allocation = new Allocation({
      base,
      size,
      allocationProtect: options.allocationProtect,
      type: options.type,
      flags: options.flags ?? 0,
      owner: options.owner,
      chargesCommit: options.chargesCommit ?? (options.owner === undefined && options.type === MEM_PRIVATE),
      preferredNode: options.preferredNode ?? 0,
      ...(options.tag !== undefined ? { tag: options.tag } : {}),
    });
    const index = this.indexAtOrBefore(base) + 1;
    this.allocationList.splice(index, 0, allocation);
    this.bases.splice(index, 0, base);
    this.reservedBytesValue += size;
    return allocation;
  }

  /** Removes an allocation: decommits its pages (releasing frames and commit) and calls owner.released. */
  removeAllocation(allocation: Allocation): void {
    const index = this.indexAtOrBefore(allocation.base);
    if (this.allocationList[index] !== allocation) throw new MemError(ERROR_INVALID_ADDRESS, 'not an allocation of this space');
    this.decommitPages(allocation, allocation.base / this.pageSize, allocation.size / this.pageSize);
    this.allocationList.splice(index, 1);
    this.bases.splice(index, 1);
    this.reservedBytesValue -= allocation.size;
    allocation.owner?.released?.(allocation);
  }

  // ------------------------------------------------------------------ page-level hooks

  /**
   * Commits pages of `allocation` with `protection` as stored (no validation: the hook for mapping
   * and AWE). Charges commit when the allocation does; false (nothing changed) beyond the limit.
   */
  setCommitted(allocation: Allocation, address: number, size: number, protection: number): boolean {
    const firstPage = Math.floor(address / this.pageSize);
    const pageCount = Math.ceil((address + size) / this.pageSize) - firstPage;
    return this.commitPages(allocation, firstPage, pageCount, protection);
  }

  /** Decommits pages of `allocation` (hook). */
  setDecommitted(allocation: Allocation, address: number, size: number): void {
    const firstPage = Math.floor(address / this.pageSize);
    const pageCount = Math.ceil((address + size) / this.pageSize) - firstPage;
    this.decommitPages(allocation, firstPage, pageCount);
  }

  /**
   * Puts `frame` (or -1: none) at a committed page, taking a reference on it and releasing the old
   * one (AWE MapUserPhysicalPages, section frames shown eagerly).
   */
  setPageFrame(address: number, frame: number): void {
    const page = Math.floor(address / this.pageSize);
    const leaf = this.pageTable.leaf(Math.floor(page / LEAF_PAGES));
    const slot = page % LEAF_PAGES;
    if (leaf === undefined || (leaf.protection[slot] ?? 0) === 0) throw new MemError(ERROR_INVALID_ADDRESS, `page ${hex(address)} not committed`);
    if (frame >= 0) this.physical.addRef(frame);
    this.dropFrame(leaf, slot);
    if (frame >= 0) this.putFrame(leaf, slot, frame);
    leaf.refresh(slot);
  }

  /** Sets the stored protection of committed pages directly (hook; no validation). */
  setPageProtection(address: number, size: number, protection: number): void {
    const firstPage = Math.floor(address / this.pageSize);
    const endPage = Math.ceil((address + size) / this.pageSize);
    for (let page = firstPage; page < endPage; page++) {
      const leaf = this.pageTable.leaf(Math.floor(page / LEAF_PAGES));
      const slot = page % LEAF_PAGES;
      if (leaf === undefined || (leaf.protection[slot] ?? 0) === 0) continue;
      leaf.protection[slot] = protection;
      leaf.refresh(slot);
    }
  }

  /** Protection (0 = not committed), frame (-1 none) and flags of the page at `address`. */
  pageState(address: number): { protection: number; frame: number; flags: number } {
    const page = Math.floor(address / this.pageSize);
    return {
      protection: this.pageTable.protectionOf(page),
      frame: this.pageTable.frameOf(page),
      flags: this.pageTable.flagsOf(page),
    };
  }

  /** Puts a frame (whose reference the caller took) at a page; nonpaged pages stay out of the working set. */
  private putFrame(leaf: PageTableLeaf, slot: number, frame: number): void {
    leaf.frames[slot] = frame;
    leaf.framedCount++;
    if (((leaf.flags[slot] ?? 0) & PAGE_FLAG_NONPAGED) !== 0) return;
    this.workingSetPagesValue++;
    if (this.workingSetPagesValue > this.peakWorkingSetPages) this.peakWorkingSetPages = this.workingSetPagesValue;
  }

  private dropFrame(leaf: PageTableLeaf, slot: number): void {
    const frame = leaf.frames[slot] ?? -1;
    if (frame < 0) return;
    leaf.frames[slot] = -1;
    leaf.framedCount--;
    if (((leaf.flags[slot] ?? 0) & PAGE_FLAG_NONPAGED) === 0) this.workingSetPagesValue--;
    this.physical.release(frame);
  }

  /**
   * Shows `frame` at the page of `address` in a MEM_PHYSICAL (AWE) allocation, or nothing (-1: the
   * page is reserved again and faults). Takes its own reference on the frame and drops the old one;
   * no commit charge (AWE frames were charged when allocated) and no working-set count (nonpaged).
   */
  mapPhysicalPage(allocation: Allocation, address: number, frame: number): void {
    if ((allocation.flags & ALLOCATION_PHYSICAL) === 0) throw new MemError(ERROR_INVALID_PARAMETER, 'not a MEM_PHYSICAL allocation');
    if (address < allocation.base || address >= allocation.end) throw new MemError(ERROR_INVALID_PARAMETER, 'address outside the allocation');
    const page = Math.floor(address / this.pageSize);
    const key = Math.floor(page / LEAF_PAGES);
    const slot = page % LEAF_PAGES;
    if (frame >= 0) {
      this.physical.addRef(frame);
      const leaf = this.pageTable.ensureLeaf(key);
      this.dropFrame(leaf, slot);
      if ((leaf.protection[slot] ?? 0) === 0) {
        leaf.committedCount++;
        allocation.committedPages++;
        this.committedPagesValue++;
      }
      leaf.protection[slot] = PAGE_READWRITE;
      leaf.flags[slot] = PAGE_FLAG_NONPAGED;
      this.putFrame(leaf, slot, frame);
      leaf.refresh(slot);
      return;
    }
    const leaf = this.pageTable.leaf(key);
    if (leaf === undefined || (leaf.protection[slot] ?? 0) === 0) return;
    this.dropFrame(leaf, slot);
    leaf.protection[slot] = 0;
    leaf.flags[slot] = 0;
    leaf.clearFast(slot);
    leaf.committedCount--;
    allocation.committedPages--;
    this.committedPagesValue--;
    this.pageTable.dropIfEmpty(leaf);
  }

  /** Count of committed pages in [firstPage, firstPage + pageCount), skipping absent leaves. */
  private countCommitted(firstPage: number, pageCount: number): number {
    const endPage = firstPage + pageCount;
    let count = 0;
    let key = this.pageTable.nextLeafKey(Math.floor(firstPage / LEAF_PAGES), Math.ceil(endPage / LEAF_PAGES));
    const endKey = Math.ceil(endPage / LEAF_PAGES);
    while (key < endKey) {
      const leaf = this.pageTable.leaf(key);
      if (leaf !== undefined && leaf.committedCount > 0) {
        const leafFirst = key * LEAF_PAGES;
        const from = Math.max(firstPage, leafFirst) - leafFirst;
        const to = Math.min(endPage, leafFirst + LEAF_PAGES) - leafFirst;
        if (from === 0 && to === LEAF_PAGES) count += leaf.committedCount;
        else for (let slot = from; slot < to; slot++) if ((leaf.protection[slot] ?? 0) !== 0) count++;
      }
      key = this.pageTable.nextLeafKey(key + 1, endKey);
    }
    return count;
  }

  private commitPages(allocation: Allocation, firstPage: number, pageCount: number, protection: number): boolean {
    const newPages = pageCount - this.countCommitted(firstPage, pageCount);
    if (allocation.chargesCommit && !this.physical.chargeCommit(newPages)) return false;
    if (allocation.chargesCommit) this.committedChargedPages += newPages;
    this.committedPagesValue += newPages;
    allocation.committedPages += newPages;
    const watched = allocation.writeWatch ? PAGE_FLAG_WATCHED : 0;
    const endPage = firstPage + pageCount;
    let page = firstPage;
    while (page < endPage) {
      const key = Math.floor(page / LEAF_PAGES);
      const leaf = this.pageTable.ensureLeaf(key);
      const stop = Math.min(endPage, (key + 1) * LEAF_PAGES);
      for (; page < stop; page++) {
        const slot = page - key * LEAF_PAGES;
        if ((leaf.protection[slot] ?? 0) === 0) {
          leaf.committedCount++;
          leaf.flags[slot] = watched;
        }
        leaf.protection[slot] = protection;
        leaf.refresh(slot);
      }
    }
    return true;
  }

  private decommitPages(allocation: Allocation, firstPage: number, pageCount: number): void {
    const endPage = firstPage + pageCount;
    let key = this.pageTable.nextLeafKey(Math.floor(firstPage / LEAF_PAGES), Math.ceil(endPage / LEAF_PAGES));
    const endKey = Math.ceil(endPage / LEAF_PAGES);
    let released = 0;
    while (key < endKey) {
      const leaf = this.pageTable.leaf(key);
      if (leaf !== undefined) {
        const leafFirst = key * LEAF_PAGES;
        const from = Math.max(firstPage, leafFirst) - leafFirst;
        const to = Math.min(endPage, leafFirst + LEAF_PAGES) - leafFirst;
        for (let slot = from; slot < to; slot++) {
          if ((leaf.protection[slot] ?? 0) === 0) continue;
          this.dropFrame(leaf, slot);
          if (((leaf.flags[slot] ?? 0) & PAGE_FLAG_LOCKED) !== 0) this.lockedPagesValue--;
          leaf.protection[slot] = 0;
          leaf.flags[slot] = 0;
          leaf.clearFast(slot);
          leaf.committedCount--;
          released++;
        }
        this.pageTable.dropIfEmpty(leaf);
      }
      key = this.pageTable.nextLeafKey(key + 1, endKey);
    }
    this.committedPagesValue -= released;
    allocation.committedPages -= released;
    if (allocation.chargesCommit) {
      this.committedChargedPages -= released;
      this.physical.uncharge(released);
    }
  }

  // ------------------------------------------------------------------ range helpers

  /** First page at or after `page` (< endPage) whose leaf exists, or endPage: skips absent directories. */
  private nextLeafPage(page: number, endPage: number): number {
    const key = this.pageTable.nextLeafKey(Math.floor(page / LEAF_PAGES), Math.ceil(endPage / LEAF_PAGES));
    return Math.min(endPage, Math.max(page, key * LEAF_PAGES));
  }

  /** Non-negative integers, and a range that does not run above the user address space (NT: INVALID_PARAMETER_2/3). */
  private checkRange(address: number, size: number): void {
    if (!isAddressLike(address) || !isAddressLike(size)) throw new MemError(ERROR_INVALID_PARAMETER, 'address and size must be non-negative integers');
    const highest = this.geometry.highestUserAddress;
    if (address > highest || size > highest + 1 - address) {
      throw new MemError(ERROR_INVALID_PARAMETER, `range ${hex(address)}+${hex(size)} runs above the user address space`);
    }
  }

  /** The allocation holding every page of [address, address + size), or a MemError(code). */
  private allocationOfRange(address: number, size: number, code: number): Allocation {
    const start = alignDown(address, this.pageSize);
    const end = alignUp(address + Math.max(size, 1), this.pageSize);
    const allocation = this.allocationAt(start);
    if (allocation === undefined || end > allocation.end) {
      throw new MemError(code, `range ${hex(address)}+${hex(size)} is not inside one allocation`);
    }
    return allocation;
  }

  private cacheOf(allocation: Allocation): number {
    return allocation.allocationProtect & CACHE_MODIFIERS;
  }

  /** The protection stored for `requested` on `allocation`, or a MemError(ERROR_INVALID_PARAMETER). */
  private storedProtection(allocation: Allocation, requested: number): number {
    if (allocation.owner?.protectionFor) {
      const value = allocation.owner.protectionFor(allocation, requested);
      if (value < 0) throw new MemError(ERROR_INVALID_PARAMETER, `protection ${hex(requested)} refused by the allocation's owner`);
      return value;
    }
    const value = normalizeProtection(requested, allocation.type !== MEM_PRIVATE);
    if (value < 0) throw new MemError(ERROR_INVALID_PARAMETER, `invalid protection ${hex(requested)}`);
    // cache attributes are a property of the allocation (V-018): sticky, and not added later
    return (value & ~CACHE_MODIFIERS) | this.cacheOf(allocation);
  }

  // ------------------------------------------------------------------ idiomatic operations

  /**
   * Reserves address space. `address` 0 searches (bottom-up, or top-down); otherwise the base is
   * rounded down to the allocation granularity and the range must be free. Returns the base.
   */
  reserve(address: number, size: number, options: ReserveOptions = {}): number {
    this.checkRange(address, size);
    if (size === 0) throw new MemError(ERROR_INVALID_PARAMETER, 'size 0');
    const protect = normalizeProtection(options.protect ?? PAGE_READWRITE, false);
    if (protect < 0) throw new MemError(ERROR_INVALID_PARAMETER, `invalid protection ${hex(options.protect ?? 0)}`);
    const granularity = this.geometry.allocationGranularity;
    const large = options.largePages === true;
    const alignment = large ? this.geometry.largePageMinimum : granularity;
    if (large && (alignment === 0 || size % alignment !== 0 || address % alignment !== 0)) {
      throw new MemError(ERROR_INVALID_PARAMETER, 'large-page size and address must be multiples of the large-page minimum');
    }
    const userSpan = this.geometry.highestUserAddress + 1 - this.geometry.lowestUserAddress;
    let flags = 0;
    if (options.writeWatch) flags |= ALLOCATION_WRITE_WATCH;
    if (options.physical) flags |= ALLOCATION_PHYSICAL;
    if (large) flags |= ALLOCATION_LARGE_PAGES;
    const common = {
      allocationProtect: protect,
      type: MEM_PRIVATE,
      flags,
      // AWE frames are charged when they are allocated, not when shown in a window
      chargesCommit: !options.physical,
      preferredNode: options.preferredNode ?? 0,
      ...(options.tag !== undefined ? { tag: options.tag } : {}),
    };
    if (address === 0) {
      const rounded = alignUp(size, this.pageSize);
      if (rounded > userSpan) throw new MemError(ERROR_NOT_ENOUGH_MEMORY, `size ${hex(size)} exceeds the user address space`);
      return this.insertAllocation({ ...common, size: rounded, topDown: options.topDown ?? false, alignment }).base;
    }
    const base = alignDown(address, granularity);
    const end = alignUp(address + size, this.pageSize);
    if (base < this.geometry.lowestUserAddress || end - 1 > this.geometry.highestUserAddress) {
      throw new MemError(ERROR_INVALID_ADDRESS, `range ${hex(address)}+${hex(size)} outside user space`);
    }
    return this.insertAllocation({ ...common, base, size: end - base }).base;
  }

  /**
   * Commits the pages touching [address, address + size), which must lie in one allocation; pages
   * already committed take the new protection. Returns the page-aligned start.
   */
  commit(address: number, size: number, protect: number = PAGE_READWRITE): number {
    this.checkRange(address, size);
    if (size === 0) throw new MemError(ERROR_INVALID_PARAMETER, 'size 0');
    if (normalizeProtection(protect, true) < 0) throw new MemError(ERROR_INVALID_PARAMETER, `invalid protection ${hex(protect)}`);
    const allocation = this.allocationOfRange(address, size, ERROR_INVALID_ADDRESS);
    if ((allocation.flags & (ALLOCATION_PHYSICAL | ALLOCATION_FIXED)) !== 0) {
      throw new MemError(ERROR_INVALID_ADDRESS, 'cannot commit in an AWE window or landmark');
    }
    if ((allocation.flags & ALLOCATION_LARGE_PAGES) !== 0) {
      throw new MemError(ERROR_INVALID_ADDRESS, 'large-page memory is committed when reserved');
    }
    const start = alignDown(address, this.pageSize);
    const end = alignUp(address + size, this.pageSize);
    if (allocation.owner !== undefined) {
      // views and other owned allocations decide for themselves (sections commit for every view)
      if (allocation.owner.commit === undefined) throw new MemError(ERROR_ACCESS_DENIED, 'pages of this allocation cannot be committed');
      allocation.owner.commit(allocation, start, end - start, protect);
      return start;
    }
    const protection = this.storedProtection(allocation, protect);
    if (!this.commitPages(allocation, start / this.pageSize, (end - start) / this.pageSize, protection)) {
      throw new MemError(ERROR_COMMITMENT_LIMIT, `cannot commit ${hex(end - start)} bytes`);
    }
    return start;
  }

  /** Reserves and commits in one step (VirtualAlloc(MEM_RESERVE | MEM_COMMIT)); returns the base. */
  allocate(address: number, size: number, protect: number = PAGE_READWRITE, options: Omit<ReserveOptions, 'protect'> = {}): number {
    this.checkRange(address, size);
    if (size === 0) throw new MemError(ERROR_INVALID_PARAMETER, 'size 0');
    const protection = normalizeProtection(protect, false);
    if (protection < 0) throw new MemError(ERROR_INVALID_PARAMETER, `invalid protection ${hex(protect)}`);
    const base = this.reserve(address, size, { ...options, protect: protection });
    const allocation = this.allocationAt(base) as Allocation;
    const start = address === 0 ? base : alignDown(address, this.pageSize);
    const end = address === 0 ? base + alignUp(size, this.pageSize) : alignUp(address + size, this.pageSize);
    if (!this.commitPages(allocation, start / this.pageSize, (end - start) / this.pageSize, protection)) {
      this.removeAllocation(allocation);
      throw new MemError(ERROR_COMMITMENT_LIMIT, `cannot commit ${hex(end - start)} bytes`);
    }
    if (options.largePages) this.takeLargePageFrames(allocation);
    return base;
  }

  /** Large pages are nonpageable: every page gets a RAM frame now, outside the working set. */
  private takeLargePageFrames(allocation: Allocation): void {
    const firstPage = allocation.base / this.pageSize;
    const endPage = allocation.end / this.pageSize;
    for (let page = firstPage; page < endPage; page++) {
      const frame = this.physical.allocateFrame(allocation.preferredNode);
      if (frame < 0 || frame >= this.physical.ramFrames) {
        if (frame >= 0) this.physical.release(frame);
        this.removeAllocation(allocation);
        throw new MemError(ERROR_NO_SYSTEM_RESOURCES, 'not enough RAM for large pages');
      }
      const leaf = this.pageTable.leaf(Math.floor(page / LEAF_PAGES)) as PageTableLeaf;
      const slot = page % LEAF_PAGES;
      leaf.flags[slot] = (leaf.flags[slot] ?? 0) | PAGE_FLAG_NONPAGED;
      this.putFrame(leaf, slot, frame);
      leaf.refresh(slot);
    }
  }

  /**
   * Decommits the pages touching [address, address + size) of one allocation. Size 0 means from
   * `address` to the end of its allocation. Pages already reserved stay reserved.
   */
  decommit(address: number, size: number): void {
    this.checkRange(address, size);
    const allocation = this.allocationAt(alignDown(address, this.pageSize));
    if (allocation === undefined) throw new MemError(ERROR_INVALID_ADDRESS, `${hex(address)} is not allocated`);
    const start = alignDown(address, this.pageSize);
    const end = size === 0 ? allocation.end : alignUp(address + size, this.pageSize);
    if (end > allocation.end) throw new MemError(ERROR_INVALID_PARAMETER, 'range runs past its allocation');
    // AWE regions: NT's free path refuses them with STATUS_CONFLICTING_ADDRESSES (→ 487)
    if ((allocation.flags & ALLOCATION_PHYSICAL) !== 0) throw new MemError(ERROR_INVALID_ADDRESS, 'AWE regions are released whole');
    if ((allocation.flags & (ALLOCATION_LARGE_PAGES | ALLOCATION_FIXED)) !== 0 || allocation.owner !== undefined) {
      throw new MemError(ERROR_INVALID_PARAMETER, 'this allocation cannot be decommitted');
    }
    this.decommitPages(allocation, start / this.pageSize, (end - start) / this.pageSize);
  }

  /** Releases the allocation whose base is `address` (any committed pages are decommitted). */
  release(address: number): void {
    this.checkRange(address, 0);
    const allocation = this.allocationAt(address);
    if (allocation === undefined) throw new MemError(ERROR_INVALID_ADDRESS, `${hex(address)} is not allocated`);
    if (allocation.base !== address) throw new MemError(ERROR_INVALID_ADDRESS, `${hex(address)} is not the allocation base`);
    // a view (STATUS_UNABLE_TO_DELETE_SECTION → 87) is released by unmapping it
    if (allocation.type !== MEM_PRIVATE) throw new MemError(ERROR_INVALID_PARAMETER, 'views are released by unmapping');
    if (allocation.owner !== undefined || (allocation.flags & ALLOCATION_FIXED) !== 0) {
      throw new MemError(ERROR_INVALID_ADDRESS, 'this allocation is released by its owner');
    }
    this.removeAllocation(allocation);
  }

  /**
   * Changes the protection of committed pages touching [address, address + size), all in one
   * allocation. Returns the old protection of the first page.
   */
  protect(address: number, size: number, protect: number): number {
    this.checkRange(address, size);
    if (normalizeProtection(protect, true) < 0) throw new MemError(ERROR_INVALID_PARAMETER, `invalid protection ${hex(protect)}`);
    const allocation = this.allocationOfRange(address, size, ERROR_INVALID_ADDRESS);
    if ((allocation.flags & ALLOCATION_PHYSICAL) !== 0) {
      // AWE regions are always read/write, mapped or not: asking for that succeeds and changes
      // nothing, anything else is STATUS_CONFLICTING_ADDRESSES (→ 487), as in NT's protect path
      if (protect !== PAGE_READWRITE) throw new MemError(ERROR_INVALID_ADDRESS, 'AWE regions stay read/write');
      return PAGE_READWRITE;
    }
    if ((allocation.flags & ALLOCATION_LARGE_PAGES) !== 0 && (protect & 0xff) !== PAGE_READWRITE) {
      throw new MemError(ERROR_INVALID_PARAMETER, 'AWE and large-page memory stay read/write');
    }
    const protection = this.storedProtection(allocation, protect);
    const firstPage = alignDown(address, this.pageSize) / this.pageSize;
    const endPage = alignUp(address + Math.max(size, 1), this.pageSize) / this.pageSize;
    if (this.countCommitted(firstPage, endPage - firstPage) !== endPage - firstPage) {
      throw new MemError(ERROR_INVALID_ADDRESS, 'range holds pages that are not committed');
    }
    const old = this.pageTable.protectionOf(firstPage);
    for (let page = firstPage; page < endPage; page++) {
      const leaf = this.pageTable.leaf(Math.floor(page / LEAF_PAGES)) as PageTableLeaf;
      const slot = page % LEAF_PAGES;
      leaf.protection[slot] = protection;
      leaf.refresh(slot);
    }
    return old;
  }

  /** The region containing `address` (VirtualQuery). ERROR_INVALID_PARAMETER above the user range. */
  query(address: number): RegionInfo {
    if (!isAddressLike(address) || address > this.geometry.highestUserAddress) {
      throw new MemError(ERROR_INVALID_PARAMETER, `${hex(address)} is above the user address space`);
    }
    const pageStart = alignDown(address, this.pageSize);
    const index = this.indexAtOrBefore(pageStart);
    const allocation = index >= 0 ? this.allocationList[index] : undefined;
    if (allocation === undefined || pageStart >= allocation.end) {
      const next = this.allocationList[index + 1];
      const end = next === undefined ? this.geometry.highestUserAddress + 1 : next.base;
      return {
        baseAddress: pageStart,
        allocationBase: 0,
        allocationProtect: 0,
        regionSize: end - pageStart,
        state: MEM_FREE,
        protect: PAGE_NOACCESS,
        type: 0,
      };
    }
    const firstPage = pageStart / this.pageSize;
    const endPage = allocation.end / this.pageSize;
    const protection = this.pageTable.protectionOf(firstPage);
    const runEnd = allocation.committedPages === 0 ? endPage : this.runEnd(firstPage, endPage, protection);
    return {
      baseAddress: pageStart,
      allocationBase: allocation.base,
      allocationProtect: allocation.allocationProtect,
      regionSize: (runEnd - firstPage) * this.pageSize,
      state: protection === 0 ? MEM_RESERVE : MEM_COMMIT,
      protect: protection,
      type: allocation.type,
    };
  }

  /** First page in [firstPage, endPage) whose protection differs from `protection`. */
  private runEnd(firstPage: number, endPage: number, protection: number): number {
    let page = firstPage;
    const table = this.pageTable;
    while (page < endPage) {
      const key = Math.floor(page / LEAF_PAGES);
      const leaf = table.leaf(key);
      const leafEnd = Math.min(endPage, (key + 1) * LEAF_PAGES);
      if (leaf === undefined) {
        if (protection !== 0) return page;
        // absent leaves are wholly reserved: jump to the next existing one
        const nextKey = table.nextLeafKey(key + 1, Math.ceil(endPage / LEAF_PAGES));
        page = Math.min(endPage, Math.max(leafEnd, nextKey * LEAF_PAGES));
        continue;
      }
      const values = leaf.protection;
      const base = key * LEAF_PAGES;
      for (let slot = page - base; slot < leafEnd - base; slot++) if (values[slot] !== protection) return base + slot;
      page = leafEnd;
    }
    return endPage;
  }

  /** Every region from 0 to the top of the user range, in order (a VirtualQuery walk). */
  regions(): RegionInfo[] {
    const result: RegionInfo[] = [];
    let address = 0;
    while (address <= this.geometry.highestUserAddress) {
      const region = this.query(address);
      result.push(region);
      address = region.baseAddress + region.regionSize;
    }
    return result;
  }

  /** Locks committed, accessible pages in the working set (VirtualLock). No lock count. */
  lock(address: number, size: number): void {
    this.checkRange(address, size);
    const allocation = this.allocationOfRange(address, size, ERROR_INVALID_ADDRESS);
    const firstPage = alignDown(address, this.pageSize) / this.pageSize;
    const endPage = alignUp(address + Math.max(size, 1), this.pageSize) / this.pageSize;
    let newlyLocked = 0;
    for (let page = firstPage; page < endPage; page++) {
      const protection = this.pageTable.protectionOf(page);
      if (protection === 0) throw new MemError(ERROR_INVALID_ADDRESS, `page ${hex(page * this.pageSize)} not committed`);
      if ((protection & 0xff) === PAGE_NOACCESS) throw new MemError(ERROR_NOACCESS, `page ${hex(page * this.pageSize)} is PAGE_NOACCESS`);
      if ((this.pageTable.flagsOf(page) & PAGE_FLAG_LOCKED) === 0) newlyLocked++;
    }
    for (let page = firstPage; page < endPage; page++) {
      // locking touches the page: a guard page faults once (the last error is the exception code)
      if ((this.pageTable.protectionOf(page) & PAGE_GUARD) !== 0) {
        this.clearGuard(page);
        throw new MemError(STATUS_GUARD_PAGE_VIOLATION, `guard page at ${hex(page * this.pageSize)}`);
      }
    }
    if (this.lockedPagesValue + newlyLocked > this.lockablePages) {
      throw new MemError(ERROR_WORKING_SET_QUOTA, `locking ${newlyLocked} more pages exceeds ${this.lockablePages}`);
    }
    for (let page = firstPage; page < endPage; page++) {
      const leaf = this.pageTable.leaf(Math.floor(page / LEAF_PAGES)) as PageTableLeaf;
      const slot = page % LEAF_PAGES;
      if (((leaf.flags[slot] ?? 0) & PAGE_FLAG_LOCKED) !== 0) continue;
      // locked pages are resident
      if ((leaf.frames[slot] ?? -1) < 0) this.materialize(allocation, page, 'read');
      leaf.flags[slot] = (leaf.flags[slot] ?? 0) | PAGE_FLAG_LOCKED;
      this.lockedPagesValue++;
    }
  }

  /** Unlocks pages (VirtualUnlock). ERROR_NOT_LOCKED when a page of the range was not locked. */
  unlock(address: number, size: number): void {
    this.checkRange(address, size);
    this.allocationOfRange(address, size, ERROR_INVALID_ADDRESS);
    const firstPage = alignDown(address, this.pageSize) / this.pageSize;
    const endPage = alignUp(address + Math.max(size, 1), this.pageSize) / this.pageSize;
    for (let page = firstPage; page < endPage; page++) {
      if (this.pageTable.protectionOf(page) === 0) throw new MemError(ERROR_INVALID_ADDRESS, `page ${hex(page * this.pageSize)} not committed`);
    }
    let notLocked = false;
    for (let page = firstPage; page < endPage; page++) {
      const leaf = this.pageTable.leaf(Math.floor(page / LEAF_PAGES)) as PageTableLeaf;
      const slot = page % LEAF_PAGES;
      const flags = leaf.flags[slot] ?? 0;
      if ((flags & PAGE_FLAG_LOCKED) === 0) {
        notLocked = true;
        continue;
      }
      leaf.flags[slot] = flags & ~PAGE_FLAG_LOCKED;
      this.lockedPagesValue--;
    }
    if (notLocked) throw new MemError(ERROR_NOT_LOCKED, 'range held pages that were not locked');
  }

  /** Sets the working-set limits in pages (SetProcessWorkingSetSize); the minimum bounds VirtualLock. */
  setWorkingSetSize(minimumPages: number, maximumPages: number): void {
    if (!Number.isInteger(minimumPages) || !Number.isInteger(maximumPages) || minimumPages > maximumPages || maximumPages < 13) {
      throw new MemError(ERROR_INVALID_PARAMETER, 'working-set limits');
    }
    this.workingSetMinimumPages = Math.max(20, minimumPages);
    this.workingSetMaximumPages = maximumPages;
  }

  /** The write-watch allocation holding [address, address + size), or ERROR_INVALID_PARAMETER. */
  private watchedAllocation(address: number, size: number): Allocation {
    this.checkRange(address, size);
    if (size === 0) throw new MemError(ERROR_INVALID_PARAMETER, 'size 0');
    const allocation = this.allocationOfRange(address, size, ERROR_INVALID_PARAMETER);
    if (!allocation.writeWatch) throw new MemError(ERROR_INVALID_PARAMETER, 'not a MEM_WRITE_WATCH allocation');
    return allocation;
  }

  /**
   * Addresses of pages written since the last reset in [address, address + size), ascending, at most
   * `maxCount`; with `reset` those pages are reset.
   */
  getWriteWatch(address: number, size: number, reset = false, maxCount = Number.POSITIVE_INFINITY): number[] {
    this.watchedAllocation(address, size);
    const firstPage = alignDown(address, this.pageSize) / this.pageSize;
    const endPage = alignUp(address + size, this.pageSize) / this.pageSize;
    const result: number[] = [];
    for (let page = firstPage; page < endPage && result.length < maxCount; page++) {
      const leaf = this.pageTable.leaf(Math.floor(page / LEAF_PAGES));
      if (leaf === undefined) {
        page = this.nextLeafPage(page, endPage) - 1;
        continue;
      }
      const slot = page % LEAF_PAGES;
      const flags = leaf.flags[slot] ?? 0;
      if ((flags & PAGE_FLAG_DIRTY) === 0) continue;
      result.push(page * this.pageSize);
      if (reset) {
        leaf.flags[slot] = flags & ~PAGE_FLAG_DIRTY;
        leaf.refresh(slot);
      }
    }
    return result;
  }

  /** Resets the write-watch state of [address, address + size). */
  resetWriteWatch(address: number, size: number): void {
    this.watchedAllocation(address, size);
    const firstPage = alignDown(address, this.pageSize) / this.pageSize;
    const endPage = alignUp(address + size, this.pageSize) / this.pageSize;
    for (let page = firstPage; page < endPage; page++) {
      const leaf = this.pageTable.leaf(Math.floor(page / LEAF_PAGES));
      if (leaf === undefined) {
        page = this.nextLeafPage(page, endPage) - 1;
        continue;
      }
      const slot = page % LEAF_PAGES;
      const flags = leaf.flags[slot] ?? 0;
      if ((flags & PAGE_FLAG_DIRTY) === 0) continue;
      leaf.flags[slot] = flags & ~PAGE_FLAG_DIRTY;
      leaf.refresh(slot);
    }
  }

  /**
   * MEM_RESET: the contents of the committed pages in the range are no longer needed (reserved pages
   * in the range are ignored). This simulation keeps the data (Windows may or may not zero it: both
   * are allowed, R-001) and marks the pages reset. Returns the page-aligned start.
   */
  reset(address: number, size: number): number {
    return this.markReset(address, size, true);
  }

  /** MEM_RESET_UNDO: the pages are needed again; their contents were kept, so it always succeeds. */
  resetUndo(address: number, size: number): number {
    return this.markReset(address, size, false);
  }

  private markReset(address: number, size: number, reset: boolean): number {
    this.checkRange(address, size);
    if (size === 0) throw new MemError(ERROR_INVALID_PARAMETER, 'size 0');
    this.allocationOfRange(address, size, ERROR_INVALID_ADDRESS);
    const firstPage = alignDown(address, this.pageSize) / this.pageSize;
    const endPage = alignUp(address + size, this.pageSize) / this.pageSize;
    for (let page = firstPage; page < endPage; page++) {
      const leaf = this.pageTable.leaf(Math.floor(page / LEAF_PAGES));
      if (leaf === undefined) {
        page = this.nextLeafPage(page, endPage) - 1;
        continue;
      }
      const slot = page % LEAF_PAGES;
      if ((leaf.protection[slot] ?? 0) === 0) continue;
      const flags = leaf.flags[slot] ?? 0;
      leaf.flags[slot] = reset ? flags | PAGE_FLAG_RESET : flags & ~PAGE_FLAG_RESET;
    }
    return firstPage * this.pageSize;
  }

  // ------------------------------------------------------------------ faults (used by MemoryAccess)

  /**
   * Gives a committed page without a frame its frame: the owner's, or a zero frame. Returns the frame.
   * Throws MemError(ERROR_COMMITMENT_LIMIT) when no frame is left (cannot happen within the limit).
   */
  materialize(allocation: Allocation, page: number, operation: AccessOperation): number {
    const leaf = this.pageTable.leaf(Math.floor(page / LEAF_PAGES)) as PageTableLeaf;
    const slot = page % LEAF_PAGES;
    const existing = leaf.frames[slot] ?? -1;
    if (existing >= 0) return existing;
    let frame = -1;
    if (allocation.owner !== undefined) {
      frame = allocation.owner.resolveFrame(allocation, page - allocation.base / this.pageSize, operation);
      if (frame >= 0) this.physical.addRef(frame);
    }
    if (frame < 0) frame = this.physical.allocateFrame(allocation.preferredNode);
    if (frame < 0) throw new MemError(ERROR_COMMITMENT_LIMIT, 'out of frames');
    this.putFrame(leaf, slot, frame);
    leaf.refresh(slot);
    return frame;
  }

  /** Replaces a shared frame by a private copy (a store to a WRITECOPY page). */
  copyOnWrite(page: number): void {
    const leaf = this.pageTable.leaf(Math.floor(page / LEAF_PAGES)) as PageTableLeaf;
    const slot = page % LEAF_PAGES;
    const shared = leaf.frames[slot] ?? -1;
    const allocation = this.allocationAt(page * this.pageSize) as Allocation;
    const copy = this.physical.allocateFrame(allocation.preferredNode);
    if (copy < 0) throw new MemError(ERROR_COMMITMENT_LIMIT, 'out of frames');
    if (shared >= 0) {
      this.physical.copyFrame(shared, copy);
      this.dropFrame(leaf, slot);
    }
    this.putFrame(leaf, slot, copy);
    const protection = leaf.protection[slot] ?? 0;
    const base = protection & 0xff;
    const writable = base === PAGE_EXECUTE_WRITECOPY ? PAGE_EXECUTE_READWRITE : PAGE_READWRITE;
    leaf.protection[slot] = protection - base + writable;
    leaf.flags[slot] = (leaf.flags[slot] ?? 0) | PAGE_FLAG_COPIED;
    leaf.refresh(slot);
  }

  /** Marks a page written (write watch). */
  markDirty(page: number): void {
    const leaf = this.pageTable.leaf(Math.floor(page / LEAF_PAGES));
    if (leaf === undefined) return;
    const slot = page % LEAF_PAGES;
    const flags = leaf.flags[slot] ?? 0;
    if ((flags & PAGE_FLAG_WATCHED) === 0 || (flags & PAGE_FLAG_DIRTY) !== 0) return;
    leaf.flags[slot] = flags | PAGE_FLAG_DIRTY;
    leaf.refresh(slot);
  }

  /** Clears PAGE_GUARD of a page (the one-shot guard fault). */
  clearGuard(page: number): void {
    const leaf = this.pageTable.leaf(Math.floor(page / LEAF_PAGES));
    if (leaf === undefined) return;
    const slot = page % LEAF_PAGES;
    leaf.protection[slot] = (leaf.protection[slot] ?? 0) & ~PAGE_GUARD;
    leaf.refresh(slot);
  }

  // ------------------------------------------------------------------ validation

  /** Walks every structure and recounts every counter; throws on inconsistency. */
  validate(): void {
    this.pageTable.validate();
    let reserved = 0;
    let committed = 0;
    let charged = 0;
    let previousEnd = 0;
    for (let i = 0; i < this.allocationList.length; i++) {
      const allocation = this.allocationList[i] as Allocation;
      if (this.bases[i] !== allocation.base) throw new Error('AddressSpace: bases out of sync');
      if (allocation.base < previousEnd) throw new Error(`AddressSpace: overlapping allocation at ${hex(allocation.base)}`);
      if (allocation.base < this.geometry.lowestUserAddress || allocation.end - 1 > this.geometry.highestUserAddress) {
        throw new Error(`AddressSpace: allocation ${hex(allocation.base)} outside user space`);
      }
      previousEnd = allocation.end;
      reserved += allocation.size;
      const count = this.countCommitted(allocation.base / this.pageSize, allocation.size / this.pageSize);
      if (count !== allocation.committedPages) throw new Error(`AddressSpace: committedPages of ${hex(allocation.base)}`);
      committed += count;
      if (allocation.chargesCommit) charged += count;
    }
    if (reserved !== this.reservedBytesValue) throw new Error('AddressSpace: reservedBytes');
    if (committed !== this.committedPagesValue) throw new Error('AddressSpace: committedPages');
    if (charged !== this.committedChargedPages) throw new Error('AddressSpace: privateBytes');
    let framed = 0;
    let locked = 0;
    let committedInLeaves = 0;
    for (const leaf of this.pageTable.leaves()) {
      framed += leaf.framedCount;
      committedInLeaves += leaf.committedCount;
      for (let slot = 0; slot < LEAF_PAGES; slot++) {
        const flags = leaf.flags[slot] ?? 0;
        if ((flags & PAGE_FLAG_LOCKED) !== 0) locked++;
        if ((flags & PAGE_FLAG_NONPAGED) !== 0 && (leaf.frames[slot] ?? -1) >= 0) framed--;
      }
    }
    if (committedInLeaves !== committed) throw new Error('AddressSpace: committed pages outside allocations');
    if (framed !== this.workingSetPagesValue) throw new Error('AddressSpace: workingSetPages');
    if (locked !== this.lockedPagesValue) throw new Error('AddressSpace: lockedPages');
  }
}

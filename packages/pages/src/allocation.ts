// Allocation: one VAD — a reservation made by VirtualAlloc(MEM_RESERVE), a mapped view or an AWE
// region — with its base, size, allocation protection, type, flags and optional owner. Its pages'
// states live in the PageTable; the allocation keeps only their committed count.
import type { AccessOperation } from './errors';

/** Allocation flag bits. */
export const ALLOCATION_WRITE_WATCH = 0x01;
export const ALLOCATION_PHYSICAL = 0x02; // MEM_PHYSICAL (AWE window)
export const ALLOCATION_LARGE_PAGES = 0x04;
export const ALLOCATION_FIXED = 0x08; // a landmark the process cannot free

/**
 * What an upper package (mapping, AWE) plugs into an allocation it owns. Every method is optional
 * except resolveFrame.
 */
export interface AllocationOwner {
  /**
   * The frame to show at page `pageIndex` (counted from the allocation base) the first time it is
   * touched. The address space takes its own reference on the returned frame (and releases it when
   * the page is decommitted or the allocation released). Return -1 for a fresh zero frame.
   */
  resolveFrame(allocation: Allocation, pageIndex: number, operation: AccessOperation): number;
  /**
   * The protection VirtualProtect / VirtualAlloc(MEM_COMMIT) should store for `requested` on this
   * allocation, or -1 to refuse it (ERROR_INVALID_PARAMETER). Default: private-memory rules.
   */
  protectionFor?(allocation: Allocation, requested: number): number;
  /**
   * VirtualAlloc(MEM_COMMIT) on pages of this allocation ([address, address + size) page-aligned and
   * inside it; `protect` as the caller passed it). Throws MemError to refuse. Without this method
   * committing in an owned allocation fails with ERROR_ACCESS_DENIED.
   */
  commit?(allocation: Allocation, address: number, size: number, protect: number): void;
  /** Called after the allocation has been removed (its page frames already released). */
  released?(allocation: Allocation): void;
}

export class Allocation {
  readonly base: number;
  readonly size: number;
  /** Protection given when the allocation was made (AllocationProtect). */
  readonly allocationProtect: number;
  /** MEM_PRIVATE, MEM_MAPPED or MEM_IMAGE. */
  readonly type: number;
  /** ALLOCATION_* bits. */
  readonly flags: number;
  readonly owner: AllocationOwner | undefined;
  /** Whether committing its pages charges commit (private memory: yes; views: the section pays). */
  readonly chargesCommit: boolean;
  /** Preferred NUMA node for its frames. */
  readonly preferredNode: number;
  /** Pages with a committed state. */
  committedPages = 0;
  /** Free-form tag for the explorer and statistics (heap id, 'stack', …). */
  tag: string | undefined;

  constructor(init: {
    base: number;
    size: number;
    allocationProtect: number;
    type: number;
    flags?: number;
    owner?: AllocationOwner | undefined;
    chargesCommit?: boolean;
    preferredNode?: number;
    tag?: string;
  }) {
    this.base = init.base;
    this.size = init.size;
    this.allocationProtect = init.allocationProtect;
    this.type = init.type;
    this.flags = init.flags ?? 0;
    this.owner = init.owner;
    this.chargesCommit = init.chargesCommit ?? init.owner === undefined;
    this.preferredNode = init.preferredNode ?? 0;
    this.tag = init.tag;
  }

  /** First byte after the allocation. */
  get end(): number {
    return this.base + this.size;
  }

  get writeWatch(): boolean {
    return (this.flags & ALLOCATION_WRITE_WATCH) !== 0;
  }
}

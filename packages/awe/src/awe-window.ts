// AweWindow: the AWE pattern as one object — a MEM_PHYSICAL window of a few pages over a larger pool
// of physical pages, so a program can page a big data set through a small address range. Pool pages
// are numbered 0..poolPages-1 (their frames are in `frames`); window pages 0..windowPages-1.
// Mapping a pool page that is shown at another window page moves it (a frame is never reachable from
// two addresses). Which pool page a window page shows is read from the page table, never cached,
// so Win32 calls on the same frames cannot make it stale.
import {
  ERROR_INVALID_PARAMETER,
  ERROR_INVALID_ADDRESS,
  MemError,
  PAGE_READWRITE,
  type Process,
} from '@mem/pages';
import { ERROR_NO_SYSTEM_RESOURCES } from './constants';
import { allocatePhysicalPages, requireLockMemoryPrivilege } from './physical-pages';
import { type UserPhysicalPages, userPhysicalPagesOf } from './user-physical-pages';

export interface AweWindowOptions {
  /** Pages of the address window (or give `windowSize` in bytes, rounded up to pages). */
  windowPages?: number;
  windowSize?: number;
  /** Physical pages in the pool. All must be available: a short allocation throws ERROR_NO_SYSTEM_RESOURCES. */
  poolPages: number;
  /** Preferred NUMA node of the pool. */
  node?: number;
}

function fail(code: number, detail: string): never {
  throw new MemError(code, detail);
}

export class AweWindow {
  readonly process: Process;
  /** First byte of the window (a MEM_RESERVE | MEM_PHYSICAL region). */
  readonly base: number;
  readonly windowPages: number;
  readonly pageSize: number;
  /** Frame numbers of the pool pages, by pool page. */
  readonly frames: readonly number[];
  private readonly poolOfFrame = new Map<number, number>();
  private readonly state: UserPhysicalPages;
  private freedValue = false;
  private readonly scratchFrames: number[] = [];
  /** Per pool page, the map() call that named it last (duplicate detection without a Set per call). */
  private readonly namedIn: Uint32Array;
  private generation = 0;

  /** Use createAweWindow. */
  constructor(process: Process, base: number, windowPages: number, frames: number[]) {
    this.process = process;
    this.base = base;
    this.windowPages = windowPages;
    this.pageSize = process.geometry.pageSize;
    this.frames = Object.freeze(frames);
    for (let pool = 0; pool < frames.length; pool++) this.poolOfFrame.set(frames[pool] as number, pool);
    this.state = userPhysicalPagesOf(process, true);
    this.namedIn = new Uint32Array(frames.length);
  }

  get poolPages(): number {
    return this.frames.length;
  }
  /** Bytes of the window. */
  get size(): number {
    return this.windowPages * this.pageSize;
  }
  get freed(): boolean {
    return this.freedValue;
  }

  /** Address of `windowPage`. */
  addressOf(windowPage: number): number {
    this.checkWindowRange(windowPage, 1);
    return this.base + windowPage * this.pageSize;
  }

  /** The pool page shown at `windowPage`, or -1. */
  poolPageAt(windowPage: number): number {
    this.checkWindowRange(windowPage, 1);
    const frame = this.state.space.pageTable.frameOf(this.base / this.pageSize + windowPage);
    return frame < 0 ? -1 : (this.poolOfFrame.get(frame) ?? -1);
  }

  /** The window page showing `poolPage`, or -1. */
  windowPageOf(poolPage: number): number {
    this.checkPoolPage(poolPage);
    const address = this.state.mappedAddress(this.frames[poolPage] as number);
    if (address < this.base || address >= this.base + this.size) return -1;
    return (address - this.base) / this.pageSize;
  }

  /**
   * Shows pool pages at consecutive window pages from `windowPage` and returns the address of
   * `windowPage`. Pool pages shown elsewhere in the window move here. All or nothing: bad indices
   * or a pool page named twice throw ERROR_INVALID_PARAMETER and change nothing.
   */
  map(windowPage: number, poolPages: number | readonly number[]): number {
    this.checkLive();
    const single = typeof poolPages === 'number';
    const count = single ? 1 : poolPages.length;
    this.checkWindowRange(windowPage, count);
    // scratch state reused across calls: the paging loop calls map() once per page turn
    const frames = this.scratchFrames;
    frames.length = count;
    const stamp = ++this.generation;
    for (let i = 0; i < count; i++) {
      const pool = single ? poolPages : (poolPages[i] as number);
      this.checkPoolPage(pool);
      if (this.namedIn[pool] === stamp) fail(ERROR_INVALID_PARAMETER, `pool page ${pool} named twice`);
      this.namedIn[pool] = stamp;
      const frame = this.frames[pool] as number;
      // a pool page freed through FreeUserPhysicalPages is gone: fail before moving anything
      if (!this.state.owns(frame)) fail(ERROR_INVALID_ADDRESS, `pool page ${pool} was freed`);
      frames[i] = frame;
    }
    // move pool pages shown elsewhere: unmap their current pages first (the target range is replaced anyway)
    const state = this.state;
    for (let i = 0; i < count; i++) {
      const address = state.mappedAddress(frames[i] as number);
      if (address >= 0) state.mapRange(address, 1, undefined);
    }
    const address = this.base + windowPage * this.pageSize;
    const status = state.mapRange(address, count, frames);
    if (status !== 0) fail(status, `cannot map at window page ${windowPage}`);
    return address;
  }

  /** Hides `pageCount` window pages from `windowPage` (their pool pages keep their data). */
  unmap(windowPage: number, pageCount = 1): void {
    this.checkLive();
    this.checkWindowRange(windowPage, pageCount);
    if (pageCount === 0) return;
    const status = this.state.mapRange(this.base + windowPage * this.pageSize, pageCount, undefined);
    if (status !== 0) fail(status, `cannot unmap window page ${windowPage}`);
  }

  /**
   * Frees the pool pages and releases the window. Pool pages already freed through the Win32
   * level, or a window already released by VirtualFree, are skipped. The object is unusable afterwards.
   */
  free(): void {
    this.checkLive();
    this.freedValue = true;
    const owned = this.frames.filter((frame) => this.state.owns(frame));
    const freed = { value: 0 };
    if (owned.length > 0) this.state.free(owned, owned.length, freed);
    const space = this.process.addressSpace;
    if (space.allocationAt(this.base)?.base === this.base) space.release(this.base);
  }

  private checkLive(): void {
    if (this.freedValue) fail(ERROR_INVALID_ADDRESS, 'the AWE window was freed');
  }

  private checkWindowRange(windowPage: number, pageCount: number): void {
    if (!Number.isInteger(windowPage) || !Number.isInteger(pageCount) || windowPage < 0 || pageCount < 0 || windowPage + pageCount > this.windowPages) {
      fail(ERROR_INVALID_PARAMETER, `window pages ${windowPage}..${windowPage + pageCount - 1} outside 0..${this.windowPages - 1}`);
    }
  }

  private checkPoolPage(poolPage: number): void {
    if (!Number.isInteger(poolPage) || poolPage < 0 || poolPage >= this.frames.length) {
      fail(ERROR_INVALID_PARAMETER, `pool page ${poolPage} outside 0..${this.frames.length - 1}`);
    }
  }
}

/**
 * Reserves a window of `windowPages` pages (MEM_RESERVE | MEM_PHYSICAL) and allocates a pool of
 * `poolPages` physical pages for it. Needs SeLockMemoryPrivilege. Nothing is mapped yet.
 */
export function createAweWindow(process: Process, options: AweWindowOptions): AweWindow {
  const pageSize = process.geometry.pageSize;
  const windowPages = options.windowPages ?? (options.windowSize === undefined ? Number.NaN : Math.ceil(options.windowSize / pageSize));
  if (!Number.isSafeInteger(windowPages) || windowPages < 1) fail(ERROR_INVALID_PARAMETER, 'windowPages (or windowSize) must be at least one page');
  if (!Number.isSafeInteger(options.poolPages) || options.poolPages < 1) fail(ERROR_INVALID_PARAMETER, 'poolPages must be at least 1');
  requireLockMemoryPrivilege(process);
  const space = process.addressSpace;
  const base = space.reserve(0, windowPages * pageSize, { physical: true, protect: PAGE_READWRITE, tag: 'awe-window' });
  let frames: number[];
  try {
    frames = allocatePhysicalPages(process, options.poolPages, options.node === undefined ? {} : { node: options.node });
  } catch (error) {
    space.release(base);
    throw error;
  }
  if (frames.length < options.poolPages) {
    const freed = { value: 0 };
    userPhysicalPagesOf(process, true).free(frames, frames.length, freed);
    space.release(base);
    fail(ERROR_NO_SYSTEM_RESOURCES, `only ${frames.length} of ${options.poolPages} physical pages available`);
  }
  return new AweWindow(process, base, windowPages, frames);
}

// UserPhysicalPages: the AWE frames of one process (NT's per-process "AWE bitmap") and where each is
// mapped. A frame is owned by at most one process and shown at at most one address at a time.
// Owned frames hold one PhysicalMemory reference each (taken at allocation, dropped when freed), are
// charged to the system commit once and never count in a working set; mapping them only rebinds
// window pages (AddressSpace.mapPhysicalPage), which takes a second reference while shown.
// Where a frame is shown is recorded here and re-checked against the page table on read, so a
// window released by VirtualFree(MEM_RELEASE) needs no notification: its pages lose their frames.
// Every operation returns a Win32 error code (0 = success) and changes nothing when it fails,
// except free, which (as on Windows) stops at the first bad frame and reports how many it freed.
import {
  ALLOCATION_PHYSICAL,
  type AddressSpace,
  type Allocation,
  ERROR_COMMITMENT_LIMIT,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  type PhysicalMemory,
  type Process,
} from '@mem/pages';
import { ERROR_NO_SYSTEM_RESOURCES, NO_FRAME } from './constants';
import { showFrame } from './page-mapping';

/** Mapped-page value of a frame that is owned but not shown anywhere. */
const UNMAPPED = -1;

export class UserPhysicalPages {
  readonly process: Process;
  readonly space: AddressSpace;
  readonly physical: PhysicalMemory;
  readonly pageSize: number;
  /** Owned frame → page number it is shown at (UNMAPPED when not shown). */
  private readonly frames = new Map<number, number>();
  /** Frames claimed by the map call in progress (duplicate detection); empty between calls. */
  private readonly claimed = new Set<number>();
  /** Set once an allocation succeeded (NT creates the process's AWE bitmap then); map and free need it. */
  everAllocated = false;

  constructor(process: Process) {
    this.process = process;
    this.space = process.addressSpace;
    this.physical = process.machine.physical;
    this.pageSize = process.geometry.pageSize;
  }

  /** Frames this process holds (its AWE pages: nonpaged, locked, charged to commit). */
  get pageCount(): number {
    return this.frames.size;
  }

  /** True when `frame` is one of this process's AWE frames. */
  owns(frame: number): boolean {
    return this.frames.has(frame);
  }

  /** Every owned frame, ascending (a copy; for statistics and tests). */
  ownedFrames(): number[] {
    return [...this.frames.keys()].sort((a, b) => a - b);
  }

  /** The address `frame` is shown at, or -1 (not shown, or not owned). */
  mappedAddress(frame: number): number {
    const page = this.mappedPage(frame);
    return page === UNMAPPED ? -1 : page * this.pageSize;
  }

  /** The page `frame` is shown at, checked against the page table (a released window forgets it). */
  private mappedPage(frame: number): number {
    const page = this.frames.get(frame);
    if (page === undefined || page === UNMAPPED) return UNMAPPED;
    if (this.space.pageTable.frameOf(page) === frame) return page;
    this.frames.set(frame, UNMAPPED);
    return UNMAPPED;
  }

  // ------------------------------------------------------------------ allocation

  /**
   * Takes up to `requested` zeroed RAM frames, preferably on `node`, charging one page of commit
   * each; writes them to `out[0..n)` and returns n (fewer when RAM or commit ran short). Returns
   * -ERROR_* when not even one frame could be had (nothing changed then).
   */
  allocate(requested: number, node: number, out: number[]): number {
    const physical = this.physical;
    let count = 0;
    let parkedZero = false;
    let commitShort = false;
    while (count < requested) {
      if (!physical.chargeCommit(1)) {
        commitShort = true;
        break;
      }
      const frame = physical.allocateFrame(node);
      if (frame < 0 || frame >= physical.ramFrames) {
        // AWE memory must be resident: a frame beyond RAM (paged out) does not do
        if (frame >= 0) physical.release(frame);
        physical.uncharge(1);
        break;
      }
      if (frame === NO_FRAME) {
        // frame 0 cannot be named in a scatter array; hold it until the call ends
        physical.uncharge(1);
        parkedZero = true;
        continue;
      }
      this.frames.set(frame, UNMAPPED);
      out[count++] = frame;
    }
    if (parkedZero) physical.release(NO_FRAME);
    if (count === 0) return commitShort ? -ERROR_COMMITMENT_LIMIT : -ERROR_NO_SYSTEM_RESOURCES;
    this.everAllocated = true;
    return count;
  }

  /**
   * Frees `pageCount` frames of `frames` in order, unmapping each wherever it is shown. Stops at the
   * first frame this process does not own (ERROR_INVALID_ADDRESS). `freed.value` = frames freed.
   */
  free(frames: readonly number[], pageCount: number, freed: { value?: number }): number {
    freed.value = 0;
    for (let i = 0; i < pageCount; i++) {
      const frame = frames[i] ?? -1;
      if (!this.frames.has(frame)) return ERROR_INVALID_ADDRESS;
      const page = this.mappedPage(frame);
      if (page !== UNMAPPED) this.show(page, -1);
      this.frames.delete(frame);
      this.physical.release(frame);
      this.physical.uncharge(1);
      freed.value = i + 1;
    }
    return 0;
  }

  /** Frees every frame (process exit, or a window's pool); returns how many. */
  freeAll(): number {
    const frames = this.ownedFrames();
    const box = { value: 0 };
    this.free(frames, frames.length, box);
    return box.value;
  }

  // ------------------------------------------------------------------ mapping

  /** The physical allocation holding every page of [address, address + pageCount pages), or undefined. */
  windowOf(address: number, pageCount: number): Allocation | undefined {
    if (!Number.isSafeInteger(address) || address < 0) return undefined;
    const start = Math.floor(address / this.pageSize) * this.pageSize;
    const allocation = this.space.allocationAt(start);
    if (allocation === undefined || (allocation.flags & ALLOCATION_PHYSICAL) === 0) return undefined;
    if (start + pageCount * this.pageSize > allocation.end) return undefined;
    return allocation;
  }

  /**
   * Checks `pageCount` entries of `frames` for mapping: each owned (else ERROR_INVALID_ADDRESS), not
   * shown anywhere and not named twice (else ERROR_INVALID_PARAMETER). With `zeroUnmaps`, a 0 entry
   * means "unmap" and is skipped. Returns 0 or the code of the first bad entry, in array order.
   */
  private checkFrames(frames: readonly number[], pageCount: number, zeroUnmaps: boolean): number {
    const claimed = this.claimed;
    let status = 0;
    for (let i = 0; i < pageCount; i++) {
      const frame = frames[i] ?? -1;
      if (zeroUnmaps && frame === NO_FRAME) continue;
      if (!this.frames.has(frame)) {
        status = ERROR_INVALID_ADDRESS;
        break;
      }
      if (this.mappedPage(frame) !== UNMAPPED || claimed.has(frame)) {
        status = ERROR_INVALID_PARAMETER;
        break;
      }
      claimed.add(frame);
    }
    claimed.clear();
    return status;
  }

  /**
   * MapUserPhysicalPages: shows `frames[0..pageCount)` at the consecutive pages from `address`
   * (rounded down to its page), replacing what was shown; `frames` undefined unmaps the range.
   */
  mapRange(address: number, pageCount: number, frames: readonly number[] | undefined): number {
    if (!Number.isSafeInteger(pageCount) || pageCount < 1) return ERROR_INVALID_PARAMETER;
    if (frames !== undefined && (!Array.isArray(frames) || frames.length < pageCount)) return ERROR_NOACCESS;
    if (!this.everAllocated) return ERROR_INVALID_PARAMETER;
    if (this.windowOf(address, pageCount) === undefined) return ERROR_INVALID_PARAMETER;
    if (frames !== undefined) {
      const status = this.checkFrames(frames, pageCount, false);
      if (status !== 0) return status;
    }
    const firstPage = Math.floor(address / this.pageSize);
    for (let i = 0; i < pageCount; i++) this.show(firstPage + i, frames === undefined ? -1 : (frames[i] as number));
    return 0;
  }

  /**
   * MapUserPhysicalPagesScatter: shows `frames[i]` at the page of `addresses[i]` (0 or `frames`
   * undefined: unmap it). Every address must lie in a physical allocation.
   */
  mapScatter(addresses: readonly number[], pageCount: number, frames: readonly number[] | undefined): number {
    if (!Number.isSafeInteger(pageCount) || pageCount < 0) return ERROR_INVALID_PARAMETER;
    if (!Array.isArray(addresses) || addresses.length < pageCount) return ERROR_NOACCESS;
    if (pageCount === 0) return 0;
    if (frames !== undefined && (!Array.isArray(frames) || frames.length < pageCount)) return ERROR_NOACCESS;
    if (!this.everAllocated) return ERROR_INVALID_PARAMETER;
    for (let i = 0; i < pageCount; i++) {
      if (this.windowOf(addresses[i] ?? -1, 1) === undefined) return ERROR_INVALID_PARAMETER;
    }
    if (frames !== undefined) {
      const status = this.checkFrames(frames, pageCount, true);
      if (status !== 0) return status;
    }
    for (let i = 0; i < pageCount; i++) {
      const page = Math.floor((addresses[i] as number) / this.pageSize);
      const frame = frames === undefined ? NO_FRAME : (frames[i] as number);
      this.show(page, frame === NO_FRAME ? -1 : frame);
    }
    return 0;
  }

  /** Shows `frame` (-1: nothing) at `page` of a physical allocation, keeping the records in step. */
  private show(page: number, frame: number): void {
    const old = this.space.pageTable.frameOf(page);
    if (old === frame) return;
    if (old >= 0 && this.frames.get(old) === page) this.frames.set(old, UNMAPPED);
    const address = page * this.pageSize;
    showFrame(this.space, this.space.allocationAt(address) as Allocation, address, frame);
    if (frame >= 0) this.frames.set(frame, page);
  }

  // ------------------------------------------------------------------ validation

  /**
   * Checks every owned frame (in use, recorded page really shows it, no page recorded twice) and
   * every page of every physical allocation (a framed page shows an owned frame recorded there).
   * Throws on inconsistency.
   */
  validate(): void {
    const pages = new Map<number, number>();
    for (const frame of this.frames.keys()) {
      if (this.physical.refCount(frame) < 1) throw new Error(`AWE: owned frame ${frame} is free`);
      if (frame === NO_FRAME || frame >= this.physical.ramFrames) throw new Error(`AWE: frame ${frame} is not usable RAM`);
      const shown = this.mappedPage(frame);
      if (shown === UNMAPPED) continue;
      if (pages.has(shown)) throw new Error(`AWE: page ${shown} recorded for frames ${pages.get(shown)} and ${frame}`);
      pages.set(shown, frame);
    }
    const seen = new Set<number>();
    for (const allocation of this.space.allocations()) {
      if ((allocation.flags & ALLOCATION_PHYSICAL) === 0) continue;
      const first = allocation.base / this.pageSize;
      const end = allocation.end / this.pageSize;
      for (let page = first; page < end; page++) {
        const frame = this.space.pageTable.frameOf(page);
        if (frame < 0) continue;
        if (seen.has(frame)) throw new Error(`AWE: frame ${frame} reachable from two addresses`);
        seen.add(frame);
        if (pages.get(page) !== frame) throw new Error(`AWE: page ${page} shows frame ${frame} not recorded there`);
      }
    }
    if (seen.size !== pages.size) throw new Error('AWE: recorded mappings missing from the page table');
  }
}

const states = new WeakMap<Process, UserPhysicalPages>();

/** The AWE state of `process`, created on first use when `create` is true. */
export function userPhysicalPagesOf(process: Process, create: true): UserPhysicalPages;
export function userPhysicalPagesOf(process: Process, create?: boolean): UserPhysicalPages | undefined;
export function userPhysicalPagesOf(process: Process, create = false): UserPhysicalPages | undefined {
  let state = states.get(process);
  if (state === undefined && create) {
    state = new UserPhysicalPages(process);
    states.set(process, state);
    // Windows frees a process's AWE pages when it exits (MiCleanPhysicalProcessPages)
    process.onTerminate((ended) => states.get(ended)?.freeAll());
  }
  return state;
}

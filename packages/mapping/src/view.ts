// View: one mapped view of a section in one process — a MEM_MAPPED allocation of its address space
// whose owner this is. Its pages show the section's frames (first touch asks resolveFrame), so two
// views, in one process or two, see each other's stores at once; a FILE_MAP_COPY view's pages are
// copy-on-write (the address space copies on the first store). VirtualProtect on its pages follows
// the compatibility rule of P-011; VirtualAlloc(MEM_COMMIT) commits a SEC_RESERVE section for every
// view, and is refused on file views.
import {
  type AccessOperation,
  type AddressSpace,
  type Allocation,
  type AllocationOwner,
  ERROR_ACCESS_DENIED,
  ERROR_COMMITMENT_LIMIT,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_PARAMETER,
  ERROR_MAPPED_ALIGNMENT,
  MEM_IMAGE,
  MEM_MAPPED,
  MemError,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_GUARD,
  PAGE_NOACCESS,
  PAGE_NOCACHE,
  PAGE_WRITECOMBINE,
  PAGE_WRITECOPY,
  SEC_NOCACHE,
  SEC_WRITECOMBINE,
  type Process,
  alignDown,
  alignUp,
} from '@mem/pages';
import { rightsNeededFor, sectionRightsFor, viewPageProtection, viewProtectionFor } from './protection';
import type { ImageLayout } from './image';
import type { Section } from './section';

export interface MapViewOptions {
  /** FILE_MAP_* access (default FILE_MAP_READ | FILE_MAP_WRITE). */
  access: number;
  /** Byte offset in the section, a multiple of the allocation granularity (default 0). */
  offset?: number;
  /** Bytes to map; 0 = from `offset` to the end of the section (default 0). */
  size?: number;
  /** Requested base, a multiple of the allocation granularity; 0 = anywhere (default 0). */
  address?: number;
  /** Preferred NUMA node (default: the section's). */
  preferredNode?: number;
}

export class View implements AllocationOwner {
  readonly section: Section;
  readonly process: Process;
  readonly space: AddressSpace;
  /** Base protection of the view (from the FILE_MAP_* access). */
  readonly protection: number;
  /** PAGE_NOCACHE / PAGE_WRITECOMBINE of a SEC_NOCACHE / SEC_WRITECOMBINE section, on every page. */
  readonly cacheBits: number;
  /** Byte offset of the view in the section. */
  readonly offset: number;
  /** Bytes mapped (before rounding to pages). */
  readonly size: number;
  /** First section page the view shows. */
  readonly firstPage: number;
  readonly pageCount: number;
  readonly copyOnWrite: boolean;
  private allocationValue: Allocation | undefined;
  private mapped = true;

  constructor(section: Section, process: Process, protection: number, offset: number, size: number) {
    this.section = section;
    this.process = process;
    this.space = process.addressSpace;
    this.protection = protection;
    this.offset = offset;
    this.size = size;
    this.firstPage = offset / section.pageSize;
    this.pageCount = Math.ceil(size / section.pageSize);
    this.copyOnWrite = protection === PAGE_WRITECOPY || protection === PAGE_EXECUTE_WRITECOPY;
    const attributes = section.attributes;
    this.cacheBits =
      section.image !== undefined || protection === PAGE_NOACCESS
        ? 0
        : (attributes & SEC_NOCACHE) !== 0
          ? PAGE_NOCACHE
          : (attributes & SEC_WRITECOMBINE) !== 0
            ? PAGE_WRITECOMBINE
            : 0;
  }

  /** The view's AllocationProtect: its protection with the section's cache attribute (M-025). */
  get allocationProtect(): number {
    return this.protection + this.cacheBits;
  }

  /** The allocation of the view (throws once unmapped). */
  get allocation(): Allocation {
    if (this.allocationValue === undefined || !this.mapped) throw new MemError(ERROR_INVALID_ADDRESS, 'view is not mapped');
    return this.allocationValue;
  }
  get address(): number {
    return this.allocation.base;
  }
  get isMapped(): boolean {
    return this.mapped;
  }

  // ---------------------------------------------------------------- AllocationOwner

  resolveFrame(_allocation: Allocation, pageIndex: number, _operation: AccessOperation): number {
    return this.section.frameFor(this.firstPage + pageIndex);
  }

  protectionFor(_allocation: Allocation, requested: number): number {
    const stored = viewPageProtection(this.section.protection, this.protection, requested, this.section.image !== undefined);
    if (stored < 0 || this.cacheBits === 0) return stored;
    // the cache attribute belongs to the section: kept on every page, never with a guard or no access
    if ((stored & PAGE_GUARD) !== 0) return -1;
    return (stored & 0xff) === PAGE_NOACCESS ? stored : stored + this.cacheBits;
  }

  /**
   * VirtualAlloc(MEM_COMMIT) on the view (address and size page-aligned, `protect` as requested): file
   * views refuse it whatever the protection; otherwise the protection must suit the view (P-011).
   */
  commit(allocation: Allocation, address: number, size: number, protect: number): void {
    const section = this.section;
    if (section.file !== undefined) throw new MemError(ERROR_ACCESS_DENIED, 'pages of a file view are committed already');
    const protection = this.protectionFor(allocation, protect);
    if (protection < 0) throw new MemError(ERROR_INVALID_PARAMETER, `protection 0x${(protect >>> 0).toString(16)} does not suit the view`);
    const first = this.firstPage + (address - allocation.base) / section.pageSize;
    const end = first + size / section.pageSize;
    if (section.reserve) {
      // checked before anything changes: the section pays for fresh pages, copy-on-write views again
      const fresh = end - first - section.committedCount(first, end);
      const copyViews = section.views.filter((view) => view.copyOnWrite).length;
      const physical = section.physical;
      if (physical.commitChargePages + fresh * (1 + copyViews) > physical.commitLimitPages) {
        throw new MemError(ERROR_COMMITMENT_LIMIT, `cannot commit ${fresh} section pages`);
      }
      section.commitPages(first, end, this);
    }
    if (!this.space.setCommitted(allocation, address, size, protection)) {
      throw new MemError(ERROR_COMMITMENT_LIMIT, 'cannot commit the view pages');
    }
  }

  released(_allocation: Allocation): void {
    this.mapped = false;
    this.section.detach(this);
  }

  // ---------------------------------------------------------------- section-wide commit

  /** Shows freshly committed section pages (ascending) committed in this view. */
  showCommitted(pages: number[]): void {
    const allocation = this.allocationValue;
    if (allocation === undefined || !this.mapped) return;
    const pageSize = this.section.pageSize;
    const end = this.firstPage + this.pageCount;
    let runFirst = -1;
    let previous = -2;
    const flush = () => {
      if (runFirst < 0) return;
      const address = allocation.base + (runFirst - this.firstPage) * pageSize;
      this.space.setCommitted(allocation, address, (previous + 1 - runFirst) * pageSize, this.allocationProtect);
    };
    for (const page of pages) {
      if (page < this.firstPage || page >= end) continue;
      if (page !== previous + 1) {
        flush();
        runFirst = page;
      }
      previous = page;
    }
    flush();
  }

  // ---------------------------------------------------------------- idiomatic operations

  /** Unmaps the view (UnmapViewOfFile). */
  unmap(): void {
    this.space.removeAllocation(this.allocation);
  }

  /**
   * Writes the dirty pages of [offset, offset + size) of the view to the file (FlushViewOfFile);
   * size 0 = to the end of the view. Returns the pages written. A pagefile view has nothing to write.
   */
  flush(offset = 0, size = 0): number {
    const allocation = this.allocation;
    const pageSize = this.section.pageSize;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size < 0) {
      throw new MemError(ERROR_INVALID_ADDRESS, 'flush range');
    }
    const start = alignDown(offset, pageSize);
    const end = size === 0 ? allocation.size : alignUp(offset + size, pageSize);
    if (start >= allocation.size || end > allocation.size) throw new MemError(ERROR_INVALID_ADDRESS, 'flush range runs past the view');
    return this.section.flush(this.firstPage + start / pageSize, this.firstPage + end / pageSize);
  }

  /** Records the allocation mapView made for this view (once). */
  attachTo(allocation: Allocation): void {
    this.allocationValue = allocation;
  }
}

/**
 * Maps a view of `section` into `process` (MapViewOfFileEx core). `handleAccess` is the granted
 * access of the handle used (SECTION_ALL_ACCESS for idiomatic references). Errors, nothing changed:
 * ERROR_ACCESS_DENIED (the handle or the section protection does not allow the access; the range runs
 * past the section), ERROR_MAPPED_ALIGNMENT (offset or address not on the granularity),
 * ERROR_INVALID_ADDRESS (the address range is taken), ERROR_NOT_ENOUGH_MEMORY (no room),
 * ERROR_COMMITMENT_LIMIT (a copy-on-write view cannot be charged).
 */
export function mapView(process: Process, section: Section, handleAccess: number, options: MapViewOptions): View {
  const access = options.access >>> 0;
  const offset = options.offset ?? 0;
  const requestedSize = options.size ?? 0;
  const address = options.address ?? 0;
  const geometry = process.geometry;
  const granularity = geometry.allocationGranularity;
  if (process.machine !== section.machine) throw new MemError(ERROR_ACCESS_DENIED, 'the section belongs to another machine');
  const needed = rightsNeededFor(access);
  if ((handleAccess & needed) >>> 0 !== needed) throw new MemError(ERROR_ACCESS_DENIED, 'the handle does not grant this view access');
  if ((sectionRightsFor(section.protection) & needed) !== needed) throw new MemError(ERROR_ACCESS_DENIED, 'the section protection does not allow this view access');
  if (!Number.isSafeInteger(offset) || offset < 0 || offset % granularity !== 0) throw new MemError(ERROR_MAPPED_ALIGNMENT, 'offset must be a multiple of the allocation granularity');
  if (!Number.isSafeInteger(requestedSize) || requestedSize < 0) throw new MemError(ERROR_ACCESS_DENIED, 'view size');
  if (offset >= section.size) throw new MemError(ERROR_ACCESS_DENIED, 'offset past the end of the section');
  const size = requestedSize === 0 ? section.size - offset : requestedSize;
  if (offset + size > section.size) throw new MemError(ERROR_ACCESS_DENIED, 'view runs past the end of the section');
  if (!Number.isSafeInteger(address) || address < 0 || address % granularity !== 0) throw new MemError(ERROR_MAPPED_ALIGNMENT, 'address must be a multiple of the allocation granularity');
  const image = section.image;
  if (image !== undefined) return mapImage(process, section, image, address, options.preferredNode ?? section.preferredNode);
  const protection = viewProtectionFor(access);
  const view = new View(section, process, protection, offset, size);
  const space = process.addressSpace;
  const allocation = space.insertAllocation({
    base: address,
    size: view.pageCount * section.pageSize,
    allocationProtect: view.allocationProtect,
    type: MEM_MAPPED,
    owner: view,
    // copy-on-write pages may all become private: Windows charges them when mapping
    chargesCommit: view.copyOnWrite,
    preferredNode: options.preferredNode ?? section.preferredNode,
    tag: section.name === undefined ? 'section' : `section ${section.name}`,
  });
  view.attachTo(allocation);
  let charged = true;
  section.forEachCommittedRun(view.firstPage, view.firstPage + view.pageCount, (first, end) => {
    if (!charged) return;
    const start = allocation.base + (first - view.firstPage) * section.pageSize;
    charged = space.setCommitted(allocation, start, (end - first) * section.pageSize, view.allocationProtect);
  });
  if (!charged) {
    // not attached yet: the section does not know the view, removing it only undoes the allocation
    space.removeAllocation(allocation);
    throw new MemError(ERROR_COMMITMENT_LIMIT, 'cannot charge the copy-on-write view');
  }
  section.attach(view);
  return view;
}

/**
 * Maps a whole image: a MEM_IMAGE allocation with AllocationProtect PAGE_EXECUTE_WRITECOPY, at its
 * preferred base when that is free (Windows then reports STATUS_IMAGE_NOT_AT_BASE but succeeds),
 * each page with its section's protection (M-029).
 */
function mapImage(process: Process, section: Section, image: ImageLayout, address: number, preferredNode: number): View {
  const space = process.addressSpace;
  const granularity = process.geometry.allocationGranularity;
  let base = address;
  if (base === 0 && image.imageBase % granularity === 0 && image.imageBase >= process.geometry.lowestUserAddress) {
    const end = image.imageBase + image.size;
    if (end - 1 <= process.geometry.highestUserAddress && space.isFree(image.imageBase, end)) base = image.imageBase;
  }
  const view = new View(section, process, PAGE_EXECUTE_WRITECOPY, 0, image.size);
  const allocation = space.insertAllocation({
    base,
    size: image.size,
    allocationProtect: PAGE_EXECUTE_WRITECOPY,
    type: MEM_IMAGE,
    owner: view,
    chargesCommit: false,
    preferredNode,
    tag: 'image',
  });
  view.attachTo(allocation);
  const pageSize = section.pageSize;
  let runFirst = 0;
  for (let page = 1; page <= image.pageProtections.length; page++) {
    const protection = image.pageProtections[runFirst] as number;
    if (page < image.pageProtections.length && image.pageProtections[page] === protection) continue;
    space.setCommitted(allocation, allocation.base + runFirst * pageSize, (page - runFirst) * pageSize, protection);
    runFirst = page;
  }
  section.attach(view);
  return view;
}

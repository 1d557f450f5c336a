// Section: a file-mapping object. A pagefile section owns the frames of its pages (one reference
// each on the machine's PhysicalMemory, taken on first touch, zero-filled), the committed state of a
// SEC_RESERVE section and its commit charge; a data-file section uses the pages of its file's
// ControlArea (shared with every other section of that file); an image section holds the loader's
// layout of its PE file. It knows its views, and lives while an idiomatic reference, a handle or a
// view refers to it; its name dies with the last reference. When it dies a writable file section
// writes its dirty pages back and lets its file go.
// Invariants (validate()): own frames ≥ 0 hold a reference and only while alive; chargedPages =
// committed pages of a pagefile section (all of them for SEC_COMMIT), 0 otherwise; attached views
// are mapped and inside the section.
import {
  ERROR_BAD_EXE_FORMAT,
  ERROR_COMMITMENT_LIMIT,
  ERROR_FILE_INVALID,
  ERROR_INVALID_PARAMETER,
  ERROR_NOT_ENOUGH_MEMORY,
  ERROR_NOT_SUPPORTED,
  ERROR_PRIVILEGE_NOT_HELD,
  ERROR_ACCESS_DENIED,
  ERROR_ALREADY_EXISTS,
  ERROR_SUCCESS,
  type Machine,
  MemError,
  type PhysicalMemory,
  SEC_COMMIT,
  SEC_FILE,
  SEC_IMAGE,
  SEC_LARGE_PAGES,
  SEC_NOCACHE,
  SEC_RESERVE,
  SEC_WRITECOMBINE,
  alignUp,
} from '@mem/pages';
import { HANDLE_TYPE_SECTION } from './constants';
import { ControlArea } from './control-area';
import { hasOpenHandle } from './handles';
import type { FileObject } from './file';
import { lookupName, type NamedObject, registerName, unregisterName } from './namespace';
import { type ImageLayout, layOutImage } from './image';
import { PageMap } from './page-map';
import { fileAllowsSection, isSectionProtection, isWritableSection } from './protection';
import type { View } from './view';

/** Every SEC_* bit CreateFileMapping knows. */
const KNOWN_SEC_BITS = SEC_COMMIT | SEC_RESERVE | SEC_NOCACHE | SEC_WRITECOMBINE | SEC_LARGE_PAGES | SEC_IMAGE | SEC_FILE;

export interface SectionOptions {
  /** Bytes; 0 = the file's size (file sections only). Pagefile sections round up to pages. */
  size: number;
  /** PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE or PAGE_EXECUTE_WRITECOPY. */
  protection: number;
  /** SEC_* flags (0: SEC_COMMIT). */
  attributes?: number;
  /** The file to map; undefined for a section backed by the paging file. */
  file?: FileObject | undefined;
  /** Name in the machine's namespace. */
  name?: string | undefined;
  /** Preferred NUMA node of the frames. */
  preferredNode?: number;
  /** The creator holds SeLockMemoryPrivilege (needed for SEC_LARGE_PAGES). */
  lockMemoryPrivilege?: boolean;
}

/**
 * Checks the SEC_* flags against the backing as Windows does (M-003, M-004) and returns the
 * attributes the section reports; throws ERROR_INVALID_PARAMETER or ERROR_BAD_EXE_FORMAT.
 */
export function sectionAttributes(requested: number, fileBacked: boolean): number {
  const flags = requested >>> 0;
  if ((flags & ~KNOWN_SEC_BITS) !== 0) throw new MemError(ERROR_INVALID_PARAMETER, `unknown SEC_* bits 0x${(flags >>> 0).toString(16)}`);
  if (flags === 0) return fileBacked ? SEC_FILE : SEC_COMMIT;
  const reserve = (flags & SEC_RESERVE) !== 0;
  const commit = (flags & SEC_COMMIT) !== 0;
  const noCache = (flags & SEC_NOCACHE) !== 0;
  const writeCombine = (flags & SEC_WRITECOMBINE) !== 0;
  const large = (flags & SEC_LARGE_PAGES) !== 0;
  if ((flags & SEC_IMAGE) !== 0) {
    if (reserve || commit || large || writeCombine || (flags & SEC_FILE) !== 0) throw new MemError(ERROR_INVALID_PARAMETER, 'SEC_IMAGE takes only SEC_NOCACHE');
    if (!fileBacked) throw new MemError(ERROR_BAD_EXE_FORMAT, 'SEC_IMAGE needs a file');
    return (SEC_FILE | SEC_IMAGE) >>> 0;
  }
  if ((flags & SEC_FILE) !== 0) throw new MemError(ERROR_INVALID_PARAMETER, 'SEC_FILE is not a CreateFileMapping flag');
  if (reserve === commit) throw new MemError(ERROR_INVALID_PARAMETER, 'exactly one of SEC_RESERVE and SEC_COMMIT');
  if (noCache && writeCombine) throw new MemError(ERROR_INVALID_PARAMETER, 'SEC_NOCACHE with SEC_WRITECOMBINE');
  if (large && (reserve || fileBacked)) throw new MemError(ERROR_INVALID_PARAMETER, 'SEC_LARGE_PAGES needs a SEC_COMMIT pagefile section');
  const cache = flags & (SEC_NOCACHE | SEC_WRITECOMBINE);
  if (fileBacked) return (SEC_FILE | cache) >>> 0;
  return ((reserve ? SEC_RESERVE : SEC_COMMIT) | cache | (large ? SEC_LARGE_PAGES : 0)) >>> 0;
}

export class Section implements NamedObject {
  readonly objectType = HANDLE_TYPE_SECTION;
  readonly machine: Machine;
  readonly physical: PhysicalMemory;
  readonly pageSize: number;
  /** Size in bytes: exact for a file section, whole pages for a pagefile section. */
  readonly size: number;
  readonly pageCount: number;
  /** The protection the section was created with. */
  readonly protection: number;
  /** SectionBasicInformation.Attributes: SEC_COMMIT / SEC_RESERVE (| cache bits | SEC_LARGE_PAGES), or SEC_FILE (| cache bits). */
  readonly attributes: number;
  readonly file: FileObject | undefined;
  readonly name: string | undefined;
  readonly preferredNode: number;
  /** True for a pagefile SEC_RESERVE section: pages are committed by VirtualAlloc on a view. */
  readonly reserve: boolean;
  /** The loader's layout of a SEC_IMAGE section. */
  readonly image: ImageLayout | undefined;
  /** The shared pages of the file of a data-file section. */
  private readonly controlArea: ControlArea | undefined;
  private readonly frames: PageMap;
  /** Committed pages of a SEC_RESERVE section (1 = committed). */
  private readonly committed: PageMap;
  private chargedPagesValue = 0;
  private readonly viewSet = new Set<View>();
  /** Idiomatic references (SectionRef); handles are found by scanning the machine's handle tables. */
  private references = 0;
  private alive = true;

  constructor(machine: Machine, init: {
      size: number;
      protection: number;
      attributes: number;
      file: FileObject | undefined;
      name: string | undefined;
      preferredNode: number;
      chargedPages: number;
      image?: ImageLayout | undefined;
    },) {
    this.machine = machine;
    this.physical = machine.physical;
    this.pageSize = machine.geometry.pageSize;
    this.size = init.size;
    this.pageCount = Math.ceil(init.size / this.pageSize);
    this.protection = init.protection;
    this.attributes = init.attributes;
    this.file = init.file;
    this.name = init.name;
    this.preferredNode = init.preferredNode;
    this.reserve = init.file === undefined && (init.attributes & SEC_RESERVE) !== 0;
    this.frames = new PageMap(this.pageCount, -1);
    this.committed = new PageMap(this.pageCount, 0);
    this.chargedPagesValue = init.chargedPages;
    this.image = init.image;
    this.controlArea = init.file !== undefined && init.image === undefined ? ControlArea.of(init.file) : undefined;
    this.controlArea?.attach(init.file as FileObject);
  }

  get isAlive(): boolean {
    return this.alive;
  }
  /** Pages of commit charged for this section. */
  get chargedPages(): number {
    return this.chargedPagesValue;
  }
  /** Idiomatic references plus whether a handle is open: while either holds, the name lives. */
  get isReferenced(): boolean {
    return this.references > 0 || hasOpenHandle(this.machine, this);
  }
  get views(): View[] {
    return [...this.viewSet];
  }

  // ---------------------------------------------------------------- lifetime

  addReference(): void {
    this.references++;
  }

  /** Drops an idiomatic reference; see handleClosed. */
  releaseReference(): void {
    this.references--;
    this.handleClosed();
  }

  /** A handle was closed: the name goes with the last reference, the section with its last view too. */
  handleClosed(): void {
    if (this.isReferenced) return;
    if (this.name !== undefined) unregisterName(this.machine, this.name, this);
    this.destroyIfUnused();
  }

  attach(view: View): void {
    this.viewSet.add(view);
  }

  detach(view: View): void {
    this.viewSet.delete(view);
    this.destroyIfUnused();
  }

  private destroyIfUnused(): void {
    if (!this.alive || this.viewSet.size > 0 || this.isReferenced) return;
    this.alive = false;
    if (this.file !== undefined) {
      // the lazy writer writes a closed mapping's dirty pages back
      this.controlArea?.detach(this.file);
      this.file.sections--;
      this.file.release();
    }
    this.frames.forEachSet(0, this.pageCount, (page, frame) => {
      this.physical.release(frame);
      this.frames.set(page, -1);
    });
    this.physical.uncharge(this.chargedPagesValue);
    this.chargedPagesValue = 0;
  }

  /** Checks the invariants of the file comment; throws on inconsistency. */
  validate(): void {
    const expected = this.file !== undefined ? 0 : this.reserve ? this.committed.countSet(0, this.pageCount) : this.alive ? this.pageCount : 0;
    if (this.chargedPagesValue !== expected) throw new Error(`Section: charged ${this.chargedPagesValue} pages, expected ${expected}`);
    this.frames.forEachSet(0, this.pageCount, (page, frame) => {
      if (!this.alive) throw new Error(`Section: dead section holds frame ${frame} at page ${page}`);
      if (this.physical.refCount(frame) < 1) throw new Error(`Section: frame ${frame} of page ${page} is free`);
    });
    for (const view of this.viewSet) {
      if (!view.isMapped) throw new Error('Section: an unmapped view is still attached');
      if (view.space.allocationAt(view.address)?.owner !== view) throw new Error('Section: a view lost its allocation');
      if (view.firstPage + view.pageCount > this.pageCount) throw new Error('Section: a view runs past the section');
    }
    if (!this.alive && this.viewSet.size > 0) throw new Error('Section: dead section with views');
  }

  // ---------------------------------------------------------------- pages

  isCommitted(page: number): boolean {
    return !this.reserve || this.committed.get(page) !== 0;
  }

  /** Committed pages in [first, end). */
  committedCount(first: number, end: number): number {
    return this.reserve ? this.committed.countSet(first, end) : end - first;
  }

  /** Calls `visit(first, end)` for each run of committed pages inside [first, end). */
  forEachCommittedRun(first: number, end: number, visit: (runFirst: number, runEnd: number) => void): void {
    if (!this.reserve) {
      if (end > first) visit(first, end);
      return;
    }
    let runFirst = -1;
    let previous = -2;
    this.committed.forEachSet(first, end, (page) => {
      if (page !== previous + 1) {
        if (runFirst >= 0) visit(runFirst, previous + 1);
        runFirst = page;
      }
      previous = page;
    });
    if (runFirst >= 0) visit(runFirst, previous + 1);
  }

  /** The frame of section page `page`, made on first use (zero, or the file's bytes). */
  frameFor(page: number): number {
    if (this.controlArea !== undefined) return this.controlArea.frameFor(page, this.file as FileObject, this.preferredNode);
    const existing = this.frames.get(page);
    if (existing >= 0) return existing;
    const frame = this.physical.allocateFrame(this.preferredNode);
    if (frame < 0) throw new MemError(ERROR_COMMITMENT_LIMIT, 'no frame left for a section page');
    if (this.image !== undefined) {
      this.physical.bytesOf(frame).set(this.image.bytes.subarray(page * this.pageSize, (page + 1) * this.pageSize));
    } else if (this.file !== undefined) {
      const offset = page * this.pageSize;
      const length = Math.min(this.pageSize, this.size - offset);
      if (length > 0) this.file.read(offset, this.physical.bytesOf(frame), length);
    }
    this.frames.set(page, frame);
    return frame;
  }

  /** The frame of a page if it has one (-1 otherwise). */
  frameIfPresent(page: number): number {
    if (this.controlArea !== undefined) return this.controlArea.frameIfPresent(page);
    return this.frames.get(page);
  }

  /**
   * Commits section pages [first, end) of a SEC_RESERVE section and shows them committed in every
   * view but `except` (with each view's protection). Returns the pages newly committed. Throws
   * ERROR_COMMITMENT_LIMIT (nothing changed) beyond the commit limit.
   */
  commitPages(first: number, end: number, except: View | undefined): number[] {
    const fresh: number[] = [];
    for (let page = first; page < end; page++) if (this.committed.get(page) === 0) fresh.push(page);
    if (fresh.length === 0) return fresh;
    if (!this.physical.chargeCommit(fresh.length)) throw new MemError(ERROR_COMMITMENT_LIMIT, `cannot commit ${fresh.length} section pages`);
    this.chargedPagesValue += fresh.length;
    for (const page of fresh) this.committed.set(page, 1);
    for (const view of this.viewSet) if (view !== except) view.showCommitted(fresh);
    return fresh;
  }


  /**
   * Writes the pages in [first, end) that differ from the file back to it (FlushViewOfFile). Pages
   * never touched have no frame and cannot be dirty; pagefile and image sections have nothing to write.
   */
  flush(first: number, end: number): number {
    return this.controlArea === undefined ? 0 : this.controlArea.flush(first, end);
  }

}

/**
 * Creates a section, or opens the existing one with that name (then `existed` is true and the size,
 * protection and file arguments are not used, as on Windows). Validation order and errors follow
 * CreateFileMapping: protection (ERROR_INVALID_PARAMETER), SEC_* flags, the name, then size and file
 * access (ERROR_INVALID_PARAMETER, ERROR_FILE_INVALID, ERROR_ACCESS_DENIED, ERROR_NOT_ENOUGH_MEMORY),
 * then commit charge (ERROR_COMMITMENT_LIMIT). Nothing changes when it throws.
 */
export function createSection(machine: Machine, options: SectionOptions): { section: Section; existed: boolean } {
  const { protection, file } = options;
  if (!isSectionProtection(protection)) throw new MemError(ERROR_INVALID_PARAMETER, `protection 0x${(protection >>> 0).toString(16)} for a section`);
  const attributes = sectionAttributes(options.attributes ?? 0, file !== undefined);
  const size = options.size;
  if (!Number.isSafeInteger(size) || size < 0) throw new MemError(ERROR_INVALID_PARAMETER, 'section size');
  if (file === undefined && size === 0) throw new MemError(ERROR_INVALID_PARAMETER, 'a pagefile section needs a size');
  if (options.name !== undefined && options.name !== '') {
    const found = lookupName(machine, options.name, HANDLE_TYPE_SECTION);
    if (found !== undefined) return { section: found as Section, existed: true };
  }
  if ((attributes & SEC_LARGE_PAGES) !== 0) {
    if (options.lockMemoryPrivilege !== true) throw new MemError(ERROR_PRIVILEGE_NOT_HELD, 'SEC_LARGE_PAGES needs SeLockMemoryPrivilege');
    const minimum = machine.geometry.largePageMinimum;
    if (minimum === 0) throw new MemError(ERROR_NOT_SUPPORTED, 'no large pages on this geometry');
    if (size % minimum !== 0) throw new MemError(ERROR_INVALID_PARAMETER, 'SEC_LARGE_PAGES size must be a multiple of the large-page minimum');
  }
  const pageSize = machine.geometry.pageSize;
  let sectionSize: number;
  let image: ImageLayout | undefined;
  if ((attributes & SEC_IMAGE) !== 0 && file !== undefined) {
    if (!file.open) throw new MemError(ERROR_INVALID_PARAMETER, 'file is closed');
    if (!file.rights.read) throw new MemError(ERROR_ACCESS_DENIED, 'an image needs a readable file');
    const fileSize = file.size();
    if (fileSize === 0) throw new MemError(ERROR_BAD_EXE_FORMAT, 'an empty file is no image');
    const contents = new Uint8Array(fileSize);
    file.read(0, contents, fileSize);
    image = layOutImage(contents, pageSize);
    sectionSize = image.size;
  } else if (file === undefined) {
    sectionSize = alignUp(size, pageSize);
  } else {
    if (!file.open) throw new MemError(ERROR_INVALID_PARAMETER, 'file is closed');
    if (!fileAllowsSection(file.rights, protection)) throw new MemError(ERROR_ACCESS_DENIED, 'the file handle does not grant this protection');
    const fileSize = file.size();
    sectionSize = size === 0 ? fileSize : size;
    if (sectionSize === 0) throw new MemError(ERROR_FILE_INVALID, 'mapping an empty file');
    if (sectionSize > fileSize && !isWritableSection(protection)) throw new MemError(ERROR_NOT_ENOUGH_MEMORY, 'a read-only section larger than its file');
  }
  const pageCount = sectionSize / pageSize;
  const chargePages = file === undefined && (attributes & SEC_COMMIT) !== 0 ? Math.ceil(pageCount) : 0;
  if (!machine.physical.chargeCommit(chargePages)) throw new MemError(ERROR_COMMITMENT_LIMIT, `cannot charge ${chargePages} pages for the section`);
  if (file !== undefined && image === undefined && sectionSize > file.size()) {
    try {
      file.resize(sectionSize);
    } catch {
      machine.physical.uncharge(chargePages);
      throw new MemError(ERROR_NOT_ENOUGH_MEMORY, 'cannot extend the file');
    }
  }
  const name = options.name === '' ? undefined : options.name;
  const section = new Section(machine, {
    size: sectionSize,
    protection,
    attributes,
    file,
    name,
    preferredNode: options.preferredNode ?? 0,
    chargedPages: chargePages,
    image,
  });
  if (file !== undefined) {
    file.addRef();
    file.sections++;
  }
  if (name !== undefined) registerName(machine, name, section);
  return { section, existed: false };
}

/** The last error a successful CreateFileMapping leaves (M-005, M-028). */
export function createdSectionError(existed: boolean): number {
  return existed ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS;
}

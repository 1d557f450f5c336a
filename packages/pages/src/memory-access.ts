// MemoryAccess: the simulated CPU of one process (`k.mem`): little-endian loads and stores with
// DataView names, block read/write/fill/copy and instruction fetch, checked against page protection.
// Fast path: a hit in the one-page translation cache (a range test, an add, one DataView access into
// the frame's slab); on a miss, one leaf-cache compare and one Int32Array lookup of the page's fast
// entry refill it. Everything else (untouched page, guard, write watch, write-copy,
// no access, page-crossing, execute) goes through `prepare`, which checks EVERY page of the access
// before changing anything, so a faulting access stores nothing.
import type { AddressSpace } from './address-space';
import type { Allocation } from './allocation';
import { AccessViolation, type AccessOperation, GuardPageViolation } from './errors';
import { FAST_READ, FAST_WRITE, LEAF_PAGES, PAGE_FLAG_DIRTY, PAGE_FLAG_WATCHED, type PageTable, type TranslationCache, isCopyOnWrite, isExecutable, isReadable, isWritable } from './page-table';
import { PAGE_GUARD } from './constants';

const scratchBuffer = new ArrayBuffer(8);
const scratch = new DataView(scratchBuffer);
const scratchBytes = new Uint8Array(scratchBuffer);

/**
 * Translation-cache base and end when nothing is cached: the empty range [NO_PAGE, NO_PAGE), which no
 * address hits. A small integer keeps V8's field representation integral (a -Infinity sentinel made
 * every hit ~40 % slower). NO_VIEW drops the reference to the last slab.
 */
const NO_PAGE = -(2 ** 30);
const NO_VIEW = new DataView(new ArrayBuffer(0));

/** Outcome of checking one page for one access. */
const PAGE_OK = 0;
const PAGE_AV = 1;
const PAGE_GUARD_HIT = 2;

export class MemoryAccess implements TranslationCache {
  // Fields are `declare`d and set in the constructor: a class-field declaration would first store
  // undefined, which generalises the field representation and made the hot path ~4x slower.
  declare readonly space: AddressSpace;
  /** Data Execution Prevention: fetches from non-executable pages fault. */
  declare dep: boolean;
  declare private readonly table: PageTable;
  declare private readonly views: DataView[];
  declare private readonly leafSpan: number;
  declare private readonly pageSize: number;
  declare private readonly pageShift: number;
  declare private readonly pageMask: number;
  declare private readonly slabShift: number;
  declare private readonly slabMask: number;
  /** When true (the kernel accessor) only committed-ness is checked. */
  declare private readonly privileged: boolean;
  // One-page translation caches (a TLB): the last page loaded from / stored to on the fast path, as
  // [base, end) and the delta from a virtual address to its index in the slab's view (a hit is one
  // range test and one add). The page table invalidates them (empty range) whenever any fast entry
  // changes, so a hit is exactly as safe as a fast-path hit.
  declare private readBase: number;
  declare private readEnd: number;
  declare private readDelta: number;
  declare private readView: DataView;
  declare private writeBase: number;
  declare private writeEnd: number;
  declare private writeDelta: number;
  declare private writeView: DataView;

  constructor(space: AddressSpace, options: { dep?: boolean; privileged?: boolean } = {}) {
    this.space = space;
    this.dep = options.dep ?? true;
    this.privileged = options.privileged ?? false;
    this.table = space.pageTable;
    this.views = space.physical.slabViews;
    this.pageSize = space.pageSize;
    this.pageShift = Math.log2(space.pageSize);
    this.pageMask = space.pageSize - 1;
    this.leafSpan = LEAF_PAGES * space.pageSize;
    this.slabShift = space.physical.slabShift;
    this.slabMask = space.physical.framesPerSlab - 1;
    this.readView = this.writeView = NO_VIEW;
    this.readDelta = this.writeDelta = 0;
    this.readBase = this.readEnd = this.writeBase = this.writeEnd = NO_PAGE;
    this.table.addTranslationCache(this);
  }

  invalidateTranslation(): void {
    this.readBase = this.readEnd = NO_PAGE;
    this.writeBase = this.writeEnd = NO_PAGE;
    this.readView = NO_VIEW;
    this.writeView = NO_VIEW;
  }

  /**
   * Points the read cache at the page of `address` when that page allows a plain load of `size`
   * bytes there (its fast entry is readable and the access stays inside the page); false sends the
   * caller to the slow path. Every miss of every load goes through here.
   */
  private refillRead(address: number, size: number): boolean {
    const table = this.table;
    let offset = address - table.cacheBase;
    if (!(offset >= 0 && offset < this.leafSpan)) {
      table.cacheAddress(address);
      offset = address - table.cacheBase;
    }
    const entry = table.cacheFast[offset >>> this.pageShift] as number;
    const inPage = offset & this.pageMask;
    if ((entry & FAST_READ) === 0 || inPage > this.pageSize - size) return false;
    const frame = entry >>> 2;
    // from the leaf base, not from `address`: a fractional address must not leave a fractional base
    const base = table.cacheBase + ((offset >>> this.pageShift) << this.pageShift);
    this.readBase = base;
    this.readEnd = base + this.pageSize;
    this.readDelta = ((frame & this.slabMask) << this.pageShift) - base;
    this.readView = this.views[frame >>> this.slabShift] as DataView;
    return true;
  }

  /** The write twin of refillRead (FAST_WRITE: writable, no write watch to arm, no write-copy). */
  private refillWrite(address: number, size: number): boolean {
    const table = this.table;
    let offset = address - table.cacheBase;
    if (!(offset >= 0 && offset < this.leafSpan)) {
      table.cacheAddress(address);
      offset = address - table.cacheBase;
    }
    const entry = table.cacheFast[offset >>> this.pageShift] as number;
    const inPage = offset & this.pageMask;
    if ((entry & FAST_WRITE) === 0 || inPage > this.pageSize - size) return false;
    const frame = entry >>> 2;
    // from the leaf base, not from `address`: a fractional address must not leave a fractional base
    const base = table.cacheBase + ((offset >>> this.pageShift) << this.pageShift);
    this.writeBase = base;
    this.writeEnd = base + this.pageSize;
    this.writeDelta = ((frame & this.slabMask) << this.pageShift) - base;
    this.writeView = this.views[frame >>> this.slabShift] as DataView;
    return true;
  }

  // ------------------------------------------------------------------ slow path

  /** Checks one page; returns PAGE_OK, PAGE_AV or PAGE_GUARD_HIT. No state change. */
  private checkPage(page: number, operation: AccessOperation): number {
    const protection = this.table.protectionOf(page);
    if (protection === 0) return PAGE_AV;
    if (this.privileged) return PAGE_OK;
    if ((protection & PAGE_GUARD) !== 0) return PAGE_GUARD_HIT;
    if (operation === 'read') return isReadable(protection) ? PAGE_OK : PAGE_AV;
    if (operation === 'write') return isWritable(protection) || isCopyOnWrite(protection) ? PAGE_OK : PAGE_AV;
    if (this.dep) return isExecutable(protection) ? PAGE_OK : PAGE_AV;
    return isReadable(protection) ? PAGE_OK : PAGE_AV;
  }

  /**
   * Makes every page of [address, address + length) ready for `operation` or throws the fault of
   * the first bad page. The only state a fault changes is the guard bit it consumes (the contract:
   * a faulting access changes nothing else; the retried store marks write watch, G-005). On success
   * frames exist, write-copy pages are copied and written pages are dirty.
   */
  private prepare(address: number, length: number, operation: AccessOperation): void {
    if (!Number.isSafeInteger(address) || address < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new AccessViolation(Number.isFinite(address) ? address : 0, operation);
    }
    if (length === 0) return;
    const firstPage = Math.floor(address / this.pageSize);
    const endPage = Math.floor((address + length - 1) / this.pageSize) + 1;
    for (let page = firstPage; page < endPage; page++) {
      const outcome = this.checkPage(page, operation);
      if (outcome === PAGE_OK) continue;
      const faultAddress = page === firstPage ? address : page * this.pageSize;
      if (outcome === PAGE_GUARD_HIT) {
        this.space.clearGuard(page);
        throw new GuardPageViolation(faultAddress, operation);
      }
      throw new AccessViolation(faultAddress, operation);
    }
    for (let page = firstPage; page < endPage; page++) {
      const leaf = this.table.leaf(Math.floor(page / LEAF_PAGES));
      if (leaf === undefined) continue;
      const slot = page % LEAF_PAGES;
      if ((leaf.frames[slot] ?? -1) < 0) {
        this.space.materialize(this.space.allocationAt(page * this.pageSize) as Allocation, page, operation);
      }
      if (operation !== 'write') continue;
      if (isCopyOnWrite(leaf.protection[slot] ?? 0)) this.space.copyOnWrite(page);
      const flags = leaf.flags[slot] ?? 0;
      if ((flags & PAGE_FLAG_WATCHED) !== 0 && (flags & PAGE_FLAG_DIRTY) === 0) this.space.markDirty(page);
    }
  }

  /** Frame of a prepared page. */
  private frameAt(page: number): number {
    return this.table.frameOf(page);
  }

  /** Copies bytes out of prepared pages. */
  private copyOut(address: number, target: Uint8Array, targetOffset: number, length: number): void {
    const physical = this.space.physical;
    let done = 0;
    while (done < length) {
      const at = address + done;
      const page = Math.floor(at / this.pageSize);
      const inPage = at - page * this.pageSize;
      const chunk = Math.min(length - done, this.pageSize - inPage);
      const frame = this.frameAt(page);
      const bytes = physical.bytesOf(frame);
      target.set(bytes.subarray(inPage, inPage + chunk), targetOffset + done);
      done += chunk;
    }
  }

  /** Copies bytes into prepared pages. */
  private copyIn(address: number, source: Uint8Array, sourceOffset: number, length: number): void {
    const physical = this.space.physical;
    let done = 0;
    while (done < length) {
      const at = address + done;
      const page = Math.floor(at / this.pageSize);
      const inPage = at - page * this.pageSize;
      const chunk = Math.min(length - done, this.pageSize - inPage);
      physical.bytesOf(this.frameAt(page)).set(source.subarray(sourceOffset + done, sourceOffset + done + chunk), inPage);
      done += chunk;
    }
  }

  private slowLoad(address: number, size: number): DataView {
    this.prepare(address, size, 'read');
    this.copyOut(address, scratchBytes, 0, size);
    return scratch;
  }

  /** Stores the first `size` bytes of the scratch buffer. */
  private slowStore(address: number, size: number): void {
    this.prepare(address, size, 'write');
    this.copyIn(address, scratchBytes, 0, size);
  }

  // ------------------------------------------------------------------ loads
  // Each access: a hit in the one-page cache; else (in a separate *Miss method, so that the hit path
  // stays small enough for V8 to inline) refill the cache and access through it, or take the slow path.

  getUint8(address: number): number {
    if (address >= this.readBase && address + 1 <= this.readEnd) return this.readView.getUint8(address + this.readDelta);
    return this.getUint8Miss(address);
  }

  private getUint8Miss(address: number): number {
    if (this.refillRead(address, 1)) return this.readView.getUint8(address + this.readDelta);
    return this.slowLoad(address, 1).getUint8(0);
  }

  getInt8(address: number): number {
    return (this.getUint8(address) << 24) >> 24;
  }

  getUint16(address: number): number {
    if (address >= this.readBase && address + 2 <= this.readEnd) return this.readView.getUint16(address + this.readDelta, true);
    return this.getUint16Miss(address);
  }

  private getUint16Miss(address: number): number {
    if (this.refillRead(address, 2)) return this.readView.getUint16(address + this.readDelta, true);
    return this.slowLoad(address, 2).getUint16(0, true);
  }

  getInt16(address: number): number {
    return (this.getUint16(address) << 16) >> 16;
  }

  getUint32(address: number): number {
    if (address >= this.readBase && address + 4 <= this.readEnd) return this.readView.getUint32(address + this.readDelta, true);
    return this.getUint32Miss(address);
  }

  private getUint32Miss(address: number): number {
    if (this.refillRead(address, 4)) return this.readView.getUint32(address + this.readDelta, true);
    return this.slowLoad(address, 4).getUint32(0, true);
  }

  getInt32(address: number): number {
    return this.getUint32(address) | 0;
  }

  getFloat32(address: number): number {
    scratch.setUint32(0, this.getUint32(address), true);
    return scratch.getFloat32(0, true);
  }

  getFloat64(address: number): number {
    if (address >= this.readBase && address + 8 <= this.readEnd) return this.readView.getFloat64(address + this.readDelta, true);
    return this.getFloat64Miss(address);
  }

  private getFloat64Miss(address: number): number {
    if (this.refillRead(address, 8)) return this.readView.getFloat64(address + this.readDelta, true);
    return this.slowLoad(address, 8).getFloat64(0, true);
  }

  getBigUint64(address: number): bigint {
    return this.load64(address).getBigUint64(0, true);
  }

  getBigInt64(address: number): bigint {
    return this.load64(address).getBigInt64(0, true);
  }

  /** Loads 8 bytes into the scratch view (bit-exact, not through a float). */
  private load64(address: number): DataView {
    if (!this.refillRead(address, 8)) return this.slowLoad(address, 8);
    const at = address + this.readDelta;
    scratch.setUint32(0, this.readView.getUint32(at, true), true);
    scratch.setUint32(4, this.readView.getUint32(at + 4, true), true);
    return scratch;
  }

  // ------------------------------------------------------------------ stores

  setUint8(address: number, value: number): void {
    if (address >= this.writeBase && address + 1 <= this.writeEnd) {
      this.writeView.setUint8(address + this.writeDelta, value);
    } else {
      this.setUint8Miss(address, value);
    }
  }

  private setUint8Miss(address: number, value: number): void {
    if (this.refillWrite(address, 1)) {
      this.writeView.setUint8(address + this.writeDelta, value);
    } else {
      scratch.setUint8(0, value);
      this.slowStore(address, 1);
    }
  }

  setInt8(address: number, value: number): void {
    this.setUint8(address, value & 0xff);
  }

  setUint16(address: number, value: number): void {
    if (address >= this.writeBase && address + 2 <= this.writeEnd) {
      this.writeView.setUint16(address + this.writeDelta, value, true);
    } else {
      this.setUint16Miss(address, value);
    }
  }

  private setUint16Miss(address: number, value: number): void {
    if (this.refillWrite(address, 2)) {
      this.writeView.setUint16(address + this.writeDelta, value, true);
    } else {
      scratch.setUint16(0, value, true);
      this.slowStore(address, 2);
    }
  }

  setInt16(address: number, value: number): void {
    this.setUint16(address, value & 0xffff);
  }

  setUint32(address: number, value: number): void {
    if (address >= this.writeBase && address + 4 <= this.writeEnd) {
      this.writeView.setUint32(address + this.writeDelta, value, true);
    } else {
      this.setUint32Miss(address, value);
    }
  }

  private setUint32Miss(address: number, value: number): void {
    if (this.refillWrite(address, 4)) {
      this.writeView.setUint32(address + this.writeDelta, value, true);
    } else {
      scratch.setUint32(0, value, true);
      this.slowStore(address, 4);
    }
  }

  setInt32(address: number, value: number): void {
    this.setUint32(address, value >>> 0);
  }

  setFloat32(address: number, value: number): void {
    scratch.setFloat32(0, value, true);
    this.setUint32(address, scratch.getUint32(0, true));
  }

  setFloat64(address: number, value: number): void {
    if (address >= this.writeBase && address + 8 <= this.writeEnd) {
      this.writeView.setFloat64(address + this.writeDelta, value, true);
    } else {
      this.setFloat64Miss(address, value);
    }
  }

  private setFloat64Miss(address: number, value: number): void {
    if (this.refillWrite(address, 8)) {
      this.writeView.setFloat64(address + this.writeDelta, value, true);
    } else {
      scratch.setFloat64(0, value, true);
      this.slowStore(address, 8);
    }
  }

  setBigUint64(address: number, value: bigint): void {
    scratch.setBigUint64(0, value, true);
    this.store8FromScratch(address);
  }

  setBigInt64(address: number, value: bigint): void {
    scratch.setBigInt64(0, value, true);
    this.store8FromScratch(address);
  }

  private store8FromScratch(address: number): void {
    if (!this.refillWrite(address, 8)) {
      this.slowStore(address, 8);
      return;
    }
    const at = address + this.writeDelta;
    this.writeView.setUint32(at, scratch.getUint32(0, true), true);
    this.writeView.setUint32(at + 4, scratch.getUint32(4, true), true);
  }

  // ------------------------------------------------------------------ blocks

  /** A copy of `length` bytes at `address`. */
  read(address: number, length: number): Uint8Array {
    this.prepare(address, length, 'read');
    const result = new Uint8Array(length);
    this.copyOut(address, result, 0, length);
    return result;
  }

  /** Copies `length` bytes at `address` into `target` (no allocation). */
  readInto(address: number, target: Uint8Array, targetOffset = 0, length = target.length - targetOffset): void {
    this.prepare(address, length, 'read');
    this.copyOut(address, target, targetOffset, length);
  }

  write(address: number, bytes: Uint8Array): void {
    this.prepare(address, bytes.length, 'write');
    this.copyIn(address, bytes, 0, bytes.length);
  }

  fill(address: number, length: number, byte: number): void {
    this.prepare(address, length, 'write');
    const physical = this.space.physical;
    let done = 0;
    while (done < length) {
      const at = address + done;
      const page = Math.floor(at / this.pageSize);
      const inPage = at - page * this.pageSize;
      const chunk = Math.min(length - done, this.pageSize - inPage);
      physical.bytesOf(this.frameAt(page)).fill(byte, inPage, inPage + chunk);
      done += chunk;
    }
  }

  /**
   * memmove: overlapping ranges allowed. Source checked for reading, destination for writing, both
   * before anything is stored. Copies chunk by chunk inside the slabs (no temporary buffer): forwards,
   * or backwards when the destination overlaps the source from above.
   */
  copy(destination: number, source: number, length: number): void {
    if (length === 0) return;
    this.prepare(source, length, 'read');
    this.prepare(destination, length, 'write');
    const backwards = destination > source && destination < source + length;
    let done = 0;
    while (done < length) {
      const remaining = length - done;
      let chunk: number;
      let from: number;
      let to: number;
      if (backwards) {
        const sourceEnd = source + remaining;
        const destinationEnd = destination + remaining;
        const sourceRoom = sourceEnd - (Math.ceil(sourceEnd / this.pageSize) - 1) * this.pageSize;
        const destinationRoom = destinationEnd - (Math.ceil(destinationEnd / this.pageSize) - 1) * this.pageSize;
        chunk = Math.min(remaining, sourceRoom, destinationRoom);
        from = sourceEnd - chunk;
        to = destinationEnd - chunk;
      } else {
        from = source + done;
        to = destination + done;
        const sourceRoom = this.pageSize - (from - Math.floor(from / this.pageSize) * this.pageSize);
        const destinationRoom = this.pageSize - (to - Math.floor(to / this.pageSize) * this.pageSize);
        chunk = Math.min(remaining, sourceRoom, destinationRoom);
      }
      this.moveChunk(to, from, chunk);
      done += chunk;
    }
  }

  /** Moves `length` bytes that lie inside one page at each end (both prepared). */
  private moveChunk(to: number, from: number, length: number): void {
    const physical = this.space.physical;
    const fromPage = Math.floor(from / this.pageSize);
    const toPage = Math.floor(to / this.pageSize);
    const fromFrame = this.frameAt(fromPage);
    const toFrame = this.frameAt(toPage);
    const fromSlab = physical.slabBytes[fromFrame >>> this.slabShift] as Uint8Array;
    const toSlab = physical.slabBytes[toFrame >>> this.slabShift] as Uint8Array;
    const fromOffset = physical.offsetInSlab(fromFrame) + (from - fromPage * this.pageSize);
    const toOffset = physical.offsetInSlab(toFrame) + (to - toPage * this.pageSize);
    if (fromSlab === toSlab) {
      fromSlab.copyWithin(toOffset, fromOffset, fromOffset + length);
    } else if (length <= 32) {
      for (let i = 0; i < length; i++) toSlab[toOffset + i] = fromSlab[fromOffset + i] as number;
    } else {
      toSlab.set(fromSlab.subarray(fromOffset, fromOffset + length), toOffset);
    }
  }

  /** An instruction fetch at `address` (one byte): faults under DEP on non-executable pages. */
  execute(address: number): void {
    this.prepare(address, 1, 'execute');
  }

  /**
   * How many bytes from `address` (up to `length`) an access of this kind could touch without a
   * fault. No state changes; a guard page counts as a fault. (ReadProcessMemory's partial copies.)
   */
  accessibleLength(address: number, length: number, operation: AccessOperation): number {
    if (!Number.isSafeInteger(address) || address < 0 || length <= 0) return 0;
    let done = 0;
    while (done < length) {
      const at = address + done;
      const page = Math.floor(at / this.pageSize);
      if (this.checkPage(page, operation) !== PAGE_OK) return done;
      done += Math.min(length - done, (page + 1) * this.pageSize - at);
    }
    return done;
  }
}

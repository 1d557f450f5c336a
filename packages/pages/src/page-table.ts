// PageTable: the per-process page state, sparse. A page number splits into a top index, a directory
// index and a slot in a leaf of LEAF_PAGES pages; directories and leaves appear only when a page in
// them is committed, and a leaf is dropped when its last committed page goes. Per page a leaf holds
// the frame (-1 none), the protection (0 = not committed; Win32 PAGE_* value with modifiers),
// flag bits and one fast-path entry (frame << 2 | FAST_READ | FAST_WRITE; 0 = take the slow path).
// Invariant: fast[slot] is exactly fastEntry(frames[slot], protection[slot], flags[slot]).
import {
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_GUARD,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOPY,
} from './constants';

/** Pages per leaf (a power of two). */
export const LEAF_PAGES = 4096;
export const LEAF_SHIFT = 12;
/** Leaves per directory. */
export const DIRECTORY_LEAVES = 4096;

/** Fast entry bits. */
export const FAST_READ = 1;
export const FAST_WRITE = 2;

/** Page flag bits (PageTableLeaf.flags). */
export const PAGE_FLAG_DIRTY = 0x01; // write watch: written since the last reset
export const PAGE_FLAG_WATCHED = 0x02; // the page belongs to a MEM_WRITE_WATCH allocation
export const PAGE_FLAG_LOCKED = 0x04; // VirtualLock
export const PAGE_FLAG_RESET = 0x08; // MEM_RESET: contents may be discarded
export const PAGE_FLAG_COPIED = 0x10; // holds a private copy made by a write to a WRITECOPY page
export const PAGE_FLAG_NONPAGED = 0x20; // an AWE or large page: resident, outside the working set

/** Low byte of a protection: the base protection without GUARD / NOCACHE / WRITECOMBINE. */
export function baseProtection(protection: number): number {
  return protection & 0xff;
}

export function isReadable(protection: number): boolean {
  const base = protection & 0xff;
  return (
    base === PAGE_READONLY ||
    base === PAGE_READWRITE ||
    base === PAGE_WRITECOPY ||
    base === PAGE_EXECUTE ||
    base === PAGE_EXECUTE_READ ||
    base === PAGE_EXECUTE_READWRITE ||
    base === PAGE_EXECUTE_WRITECOPY
  );
}

/** Writable without a copy (WRITECOPY is handled by the slow path). */
export function isWritable(protection: number): boolean {
  const base = protection & 0xff;
  return base === PAGE_READWRITE || base === PAGE_EXECUTE_READWRITE;
}

export function isCopyOnWrite(protection: number): boolean {
  const base = protection & 0xff;
  return base === PAGE_WRITECOPY || base === PAGE_EXECUTE_WRITECOPY;
}

export function isExecutable(protection: number): boolean {
  const base = protection & 0xff;
  return base === PAGE_EXECUTE || base === PAGE_EXECUTE_READ || base === PAGE_EXECUTE_READWRITE || base === PAGE_EXECUTE_WRITECOPY;
}

/** The fast-path entry of a page. */
export function fastEntry(frame: number, protection: number, flags: number): number {
  if (frame < 0 || protection === 0 || (protection & PAGE_GUARD) !== 0 || !isReadable(protection)) return 0;
  let entry = frame * 4 + FAST_READ;
  if (isWritable(protection) && ((flags & PAGE_FLAG_WATCHED) === 0 || (flags & PAGE_FLAG_DIRTY) !== 0)) entry += FAST_WRITE;
  return entry;
}

export class PageTableLeaf {
  /** Leaf number: first page = key * LEAF_PAGES. */
  readonly key: number;
  readonly frames = new Int32Array(LEAF_PAGES).fill(-1);
  readonly protection = new Uint16Array(LEAF_PAGES);
  readonly flags = new Uint8Array(LEAF_PAGES);
  readonly fast = new Int32Array(LEAF_PAGES);
  /** Pages with protection ≠ 0. */
  committedCount = 0;
  /** Pages with a frame. */
  framedCount = 0;

  /** Notified whenever a fast entry of this leaf changes. */
  private readonly table: PageTable;

  constructor(key: number, table: PageTable) {
    this.key = key;
    this.table = table;
  }

  refresh(slot: number): void {
    this.fast[slot] = fastEntry(this.frames[slot] ?? -1, this.protection[slot] ?? 0, this.flags[slot] ?? 0);
    this.table.invalidateTranslations();
  }

  /** Sends page `slot` to the slow path (its state is about to be cleared). */
  clearFast(slot: number): void {
    this.fast[slot] = 0;
    this.table.invalidateTranslations();
  }
}

/** Host bytes of one leaf. */
export const LEAF_HOST_BYTES = LEAF_PAGES * (4 + 2 + 1 + 4) + 64;

/** A cache of recent page translations (MemoryAccess's one-page TLB). */
export interface TranslationCache {
  invalidateTranslation(): void;
}

/** An all-zero fast array: every access through it takes the slow path. */
export const EMPTY_FAST = new Int32Array(LEAF_PAGES);

export class PageTable {
  /** top index → directory (array of DIRECTORY_LEAVES leaves). */
  private readonly directories: (PageTableLeaf | undefined)[][] = [];
  private leafCountValue = 0;
  private directoryCountValue = 0;

  /** Bytes one leaf covers (LEAF_PAGES pages). */
  declare readonly leafSpan: number;
  /**
   * One-entry leaf cache for memory access: the fast array of leaf `cacheKey` (EMPTY_FAST if absent),
   * and the first address that leaf covers, so the hot path needs one subtraction, no division.
   */
  declare cacheKey: number;
  declare cacheBase: number;
  declare cacheFast: Int32Array;

  /** Memory accessors whose one-page translation caches must forget a page whose fast entry changed. */
  private readonly translationCaches: TranslationCache[] = [];

  constructor(pageSize = 4096) {
    this.leafSpan = LEAF_PAGES * pageSize;
    // nothing cached: a base two leaves below 0 matches only negative addresses, which then see
    // EMPTY_FAST and take the slow path (an access violation); it starts as a small integer
    this.cacheKey = -2;
    this.cacheBase = -2 * this.leafSpan;
    this.cacheFast = EMPTY_FAST;
  }

  /** Registers a memory accessor's translation cache (it is invalidated on every fast-entry change). */
  addTranslationCache(cache: TranslationCache): void {
    this.translationCaches.push(cache);
  }

  invalidateTranslations(): void {
    const caches = this.translationCaches;
    for (let index = 0; index < caches.length; index++) (caches[index] as TranslationCache).invalidateTranslation();
  }

  get leafCount(): number {
    return this.leafCountValue;
  }
  get directoryCount(): number {
    return this.directoryCountValue;
  }
  /** Host bytes of leaves and directories (an estimate for statistics and the benchmark). */
  get hostBytes(): number {
    return this.leafCountValue * LEAF_HOST_BYTES + this.directoryCountValue * DIRECTORY_LEAVES * 8;
  }

  leaf(key: number): PageTableLeaf | undefined {
    const directory = this.directories[Math.floor(key / DIRECTORY_LEAVES)];
    if (directory === undefined) return undefined;
    return directory[key % DIRECTORY_LEAVES];
  }

  /** The leaf of `key`, created when absent. */
  ensureLeaf(key: number): PageTableLeaf {
    const top = Math.floor(key / DIRECTORY_LEAVES);
    let directory = this.directories[top];
    if (directory === undefined) {
      while (this.directories.length < top) this.directories.push(undefined as unknown as PageTableLeaf[]);
      directory = new Array<PageTableLeaf | undefined>(DIRECTORY_LEAVES).fill(undefined);
      this.directories[top] = directory;
      this.directoryCountValue++;
    }
    const index = key % DIRECTORY_LEAVES;
    let found = directory[index];
    if (found === undefined) {
      found = new PageTableLeaf(key, this);
      directory[index] = found;
      this.leafCountValue++;
      if (this.cacheKey === key) this.cacheFast = found.fast;
    }
    return found;
  }

  /** Drops a leaf that holds no committed page and no frame. */
  dropIfEmpty(leaf: PageTableLeaf): void {
    if (leaf.committedCount !== 0 || leaf.framedCount !== 0) return;
    const top = Math.floor(leaf.key / DIRECTORY_LEAVES);
    const directory = this.directories[top];
    if (directory === undefined || directory[leaf.key % DIRECTORY_LEAVES] !== leaf) return;
    directory[leaf.key % DIRECTORY_LEAVES] = undefined;
    this.leafCountValue--;
    if (this.cacheKey === leaf.key) this.cacheFast = EMPTY_FAST;
    if (directory.every((entry) => entry === undefined)) {
      this.directories[top] = undefined as unknown as PageTableLeaf[];
      this.directoryCountValue--;
    }
  }

  /** Points the one-entry cache at leaf `key`; returns its fast array. */
  fastOf(key: number): Int32Array {
    this.cacheKey = key;
    this.cacheBase = key * this.leafSpan;
    const found = this.leaf(key);
    this.cacheFast = found === undefined ? EMPTY_FAST : found.fast;
    return this.cacheFast;
  }

  /** Points the one-entry cache at the leaf covering `address` (the hot path's miss). */
  cacheAddress(address: number): void {
    this.fastOf(Math.floor(address / this.leafSpan));
  }

  /** Protection of one page (0 when not committed). */
  protectionOf(page: number): number {
    const found = this.leaf(Math.floor(page / LEAF_PAGES));
    return found === undefined ? 0 : (found.protection[page % LEAF_PAGES] ?? 0);
  }

  /** Frame of one page (-1 when none). */
  frameOf(page: number): number {
    const found = this.leaf(Math.floor(page / LEAF_PAGES));
    return found === undefined ? -1 : (found.frames[page % LEAF_PAGES] ?? -1);
  }

  flagsOf(page: number): number {
    const found = this.leaf(Math.floor(page / LEAF_PAGES));
    return found === undefined ? 0 : (found.flags[page % LEAF_PAGES] ?? 0);
  }

  /**
   * The first leaf key in [fromKey, endKey) that exists, or endKey. Skips absent directories whole,
   * so scanning a 64 TiB reservation costs a few thousand steps.
   */
  nextLeafKey(fromKey: number, endKey: number): number {
    let key = fromKey;
    while (key < endKey) {
      const top = Math.floor(key / DIRECTORY_LEAVES);
      const directory = this.directories[top];
      if (directory === undefined) {
        key = (top + 1) * DIRECTORY_LEAVES;
        continue;
      }
      const stop = Math.min(endKey, (top + 1) * DIRECTORY_LEAVES);
      for (; key < stop; key++) if (directory[key % DIRECTORY_LEAVES] !== undefined) return key;
    }
    return endKey;
  }

  /** Every existing leaf, in key order. */
  *leaves(): IterableIterator<PageTableLeaf> {
    for (const directory of this.directories) {
      if (directory === undefined) continue;
      for (const found of directory) if (found !== undefined) yield found;
    }
  }

  /** Checks counts and fast entries of every leaf; throws on inconsistency. */
  validate(): void {
    let leaves = 0;
    for (const found of this.leaves()) {
      leaves++;
      let committed = 0;
      let framed = 0;
      for (let slot = 0; slot < LEAF_PAGES; slot++) {
        const protection = found.protection[slot] ?? 0;
        const frame = found.frames[slot] ?? -1;
        if (protection !== 0) committed++;
        if (frame >= 0) framed++;
        if (protection === 0 && frame >= 0) throw new Error(`PageTable: uncommitted page with a frame (leaf ${found.key} slot ${slot})`);
        if (found.fast[slot] !== fastEntry(frame, protection, found.flags[slot] ?? 0)) {
          throw new Error(`PageTable: stale fast entry (leaf ${found.key} slot ${slot})`);
        }
      }
      if (committed !== found.committedCount) throw new Error(`PageTable: leaf ${found.key} committedCount`);
      if (framed !== found.framedCount) throw new Error(`PageTable: leaf ${found.key} framedCount`);
      if (committed === 0 && framed === 0) throw new Error(`PageTable: empty leaf ${found.key} kept`);
    }
    if (leaves !== this.leafCountValue) throw new Error('PageTable: leafCount');
  }
}

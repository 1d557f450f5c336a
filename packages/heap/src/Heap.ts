// A Win32 heap: one strategy instance over a page source, plus what Windows keeps beside the allocator —
// creation flags, the lock count, the LFH compatibility state, the debug-heap options (tail and free
// checking, fill patterns) and the corruption state. The idiomatic door of the Heap* API: methods throw
// MemError with the Windows code, and raise Win32Exception where Windows raises (HEAP_GENERATE_EXCEPTIONS,
// corruption with termination on). Pointers are addresses in the memory of the page source.
//
// Invariants: `strategy` owns every block; with tail checking each small block carries `tailBytes` extra
// bytes (recorded size = user size + tailBytes) filled with 0xAB up to its usable size; a heap found
// corrupted stays marked corrupted.
import {
  ERROR_GEN_FAILURE,
  ERROR_INVALID_DATA,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOT_ENOUGH_MEMORY,
  ERROR_NOT_LOCKED,
  isMemError,
  MemError,
  STATUS_HEAP_CORRUPTION,
  STATUS_NO_MEMORY,
  Win32Exception,
} from '@mem/pages';
import type { HeapStrategy, HeapWalkEntry, PageSource } from './api';
import { SegregatedHeap } from './strategies/segregated';
import {
  HEAP_CREATE_ENABLE_EXECUTE,
  HEAP_FREE_CHECKING_ENABLED,
  HEAP_GENERATE_EXCEPTIONS,
  HEAP_NO_SERIALIZE,
  HEAP_REALLOC_IN_PLACE_ONLY,
  HEAP_TAIL_CHECKING_ENABLED,
  HEAP_ZERO_MEMORY,
  maximumAllocationSize,
} from './constants';

/** What a heap needs from the process that owns it (ProcessHeaps implements it). */
export interface HeapOwner {
  /** HeapEnableTerminationOnCorruption, process-wide. */
  readonly terminateOnCorruption: boolean;
  /** Builds a strategy by registered name over `source` (the LFH takeover passes the heap's current strategy). */
  createStrategy(name: string, heap: HeapCreation, previous?: HeapStrategy): HeapStrategy;
  /** HeapDestroy: unregisters and releases the heap (refused for the process heap). */
  destroyHeap(heap: Heap): void;
}

/** HeapCreate's arguments after Windows' rounding. */
export interface HeapCreation {
  readonly source: PageSource;
  /** HeapCreate flOptions that stick to the heap (HEAP_NO_SERIALIZE, HEAP_GENERATE_EXCEPTIONS, ...). */
  readonly flags: number;
  /** Bytes committed at creation (a page multiple, at least one page). */
  readonly initialCommit: number;
  /** Bytes reserved at creation. */
  readonly initialReserve: number;
  /** 0 for a growable heap; otherwise the fixed reservation. */
  readonly maximumSize: number;
}

/** HEAP_SUMMARY as the idiomatic door returns it. */
export interface HeapSummary {
  allocated: number;
  committed: number;
  reserved: number;
  maximumReserve: number;
}

/** DWORD fill patterns of the NT debug heap. */
const FRESH_FILL = 0xbaadf00d;
const FREED_FILL = 0xfeeefeee;
const TAIL_FILL = 0xab;

/** The flags HeapCreate keeps; the rest of flOptions is ignored, as RtlCreateHeap masks it. */
export const HEAP_CREATE_KEPT_FLAGS =
  HEAP_NO_SERIALIZE |
  HEAP_GENERATE_EXCEPTIONS |
  HEAP_TAIL_CHECKING_ENABLED |
  HEAP_FREE_CHECKING_ENABLED |
  HEAP_CREATE_ENABLE_EXECUTE;

/** Windows gives no LFH to HEAP_NO_SERIALIZE heaps, fixed-size heaps or debug heaps. */
export function frontEndAllowed(flags: number, maximumSize: number): boolean {
  return maximumSize === 0 && (flags & (HEAP_NO_SERIALIZE | HEAP_TAIL_CHECKING_ENABLED | HEAP_FREE_CHECKING_ENABLED)) === 0;
}

export class Heap {
  /** The HANDLE: base of the first reservation (64 KiB aligned). */
  readonly handle: number;
  readonly flags: number;
  /** 0 when growable. */
  readonly maximumSize: number;
  readonly pointerSize: 4 | 8;
  readonly source: PageSource;
  /** Name of the strategy serving the heap now ('lfh', 'segregated', ...). */
  strategyName: string;
  strategy: HeapStrategy;
  /** HeapLock count (no threads are simulated: nothing ever waits). */
  lockCount = 0;
  /** Set when corruption is detected; with termination on, every later call raises until a clean HeapValidate. */
  corrupted = false;
  destroyed = false;
  /** Index of the entry HeapWalk returned last (where the next call looks first). */
  walkCursor = 0;
  /** Compatibility value set by HeapSetInformation (2 = LFH), sticky. */
  private compatibilityRequested = 0;
  private readonly creation: HeapCreation;
  private readonly owner: HeapOwner;
  /** Extra bytes per small block when tail checking (0 otherwise). */
  private readonly tailBytes: number;
  private readonly freeChecking: boolean;
  /** Blocks from this user size on are large blocks: no tail, and refused by fixed heaps. */
  private readonly largeBlockSize: number;
  /** MaximumAllocationSize of the NT heap. */
  private readonly maximumAllocation: number;
  /** Snapshot of the last walk, dropped by every change (HeapWalk continues from it). */
  private walkEntries: HeapWalkEntry[] | undefined;

  constructor(owner: HeapOwner, creation: HeapCreation, strategyName: string, largeBlockThreshold: number) {
    this.owner = owner;
    this.creation = creation;
    this.source = creation.source;
    this.flags = creation.flags;
    this.maximumSize = creation.maximumSize;
    this.pointerSize = creation.source.pointerSize;
    this.strategyName = strategyName;
    this.tailBytes = creation.flags & HEAP_TAIL_CHECKING_ENABLED ? 2 * this.pointerSize : 0;
    this.freeChecking = (creation.flags & HEAP_FREE_CHECKING_ENABLED) !== 0;
    this.largeBlockSize = largeBlockThreshold - 2 * this.pointerSize;
    this.maximumAllocation = maximumAllocationSize(this.pointerSize);
    this.strategy = owner.createStrategy(strategyName, creation);
    this.handle = firstRegion(this.strategy);
    if (this.freeChecking) this.refillFree(0, 0, -1); // the debug heap's free space shows 0xFEEEFEEE from the start
  }

  /** True when the LFH front end may serve this heap. */
  get frontEndAllowed(): boolean {
    return frontEndAllowed(this.flags, this.maximumSize);
  }

  /** HeapQueryInformation(HeapCompatibilityInformation): 2 once the LFH serves (or was asked for), else 0. */
  get compatibility(): number {
    if (this.compatibilityRequested === 2) return 2;
    return frontEndActive(this.strategy) ? 2 : 0;
  }

  /**
   * HeapSetInformation(HeapCompatibilityInformation, value). Only 2 (LFH) is accepted, once on it stays on;
   * heaps that cannot have a front end refuse it. Throws MemError(ERROR_GEN_FAILURE) as Windows fails.
   */
  setCompatibility(value: number): void {
    this.checkUsable();
    if (value === 2) {
      if (!this.frontEndAllowed) throw new MemError(ERROR_GEN_FAILURE, 'this heap cannot use the LFH');
      if (this.compatibilityRequested !== 2 && this.strategyName === 'segregated') {
        this.strategy = this.owner.createStrategy('lfh', this.creation, this.strategy);
        this.strategyName = 'lfh';
      }
      this.compatibilityRequested = 2;
      return;
    }
    if (value === 0 && this.compatibility === 0) return;
    throw new MemError(ERROR_GEN_FAILURE, `compatibility ${value} cannot be set now`);
  }

  /** HeapAlloc: a block of `size` bytes; throws MemError(ERROR_NOT_ENOUGH_MEMORY) when it cannot. */
  alloc(size: number, flags = 0): number {
    this.checkUsable();
    const all = flags | this.flags;
    const committed = this.freeChecking ? this.strategy.stats().committedBytes : 0;
    const pointer = this.allocateBlock(size);
    if (pointer === 0) return this.outOfMemory(all, size);
    this.walkEntries = undefined;
    if (this.freeChecking && this.strategy.stats().committedBytes !== committed) this.refillFree(0, 0, -1);
    if (all & HEAP_ZERO_MEMORY) this.source.memory.fill(pointer, size, 0);
    else if (this.freeChecking) fillPattern(this.source, pointer, size, FRESH_FILL);
    if (this.tailBytes !== 0 && size < this.largeBlockSize) this.fillTail(pointer, size);
    return pointer;
  }

  /** HeapFree: throws MemError(ERROR_INVALID_PARAMETER) for a pointer that is not a live block. */
  free(pointer: number): void {
    this.checkUsable();
    if (this.tailBytes === 0 && !this.freeChecking) {
      // The hot path: the strategy refuses what is no live block (MemError ERROR_INVALID_PARAMETER).
      try {
        this.strategy.free(pointer);
      } catch (error) {
        this.strategyFailed(error);
      }
      this.walkEntries = undefined;
      return;
    }
    this.blockSize(pointer); // refuses what is no live block
    if (this.tailBytes !== 0 && !this.tailIntact(pointer)) this.corruption(pointer, 'modified past its end');
    const usable = this.freeChecking ? this.strategy.usableSize(pointer) : 0;
    const committed = this.freeChecking ? this.strategy.stats().committedBytes : 0;
    try {
      this.strategy.free(pointer);
    } catch (error) {
      this.strategyFailed(error);
    }
    this.walkEntries = undefined;
    if (this.freeChecking) this.refillFree(pointer, usable, committed);
  }

  /** HeapReAlloc: the block's new address (maybe moved); throws MemError(ERROR_NOT_ENOUGH_MEMORY) when it cannot. */
  realloc(pointer: number, size: number, flags = 0): number {
    this.checkUsable();
    const all = flags | this.flags;
    const oldSize = this.blockSize(pointer);
    if (this.tailBytes !== 0 && !this.tailIntact(pointer)) this.corruption(pointer, 'modified past its end');
    if (!(size >= 0 && size <= this.maximumAllocation)) return this.outOfMemory(all, size);
    const wasLarge = oldSize >= this.largeBlockSize;
    const isLarge = size >= this.largeBlockSize;
    if (isLarge && this.maximumSize !== 0) return this.outOfMemory(all, size);
    const oldUsable = this.freeChecking ? this.strategy.usableSize(pointer) : 0;
    const committed = this.freeChecking ? this.strategy.stats().committedBytes : 0;
    const extra = this.tailBytes !== 0 && !isLarge ? this.tailBytes : 0;
    // Windows never resizes an LFH block in place when asked for in-place only (GlobalReAlloc's fixed blocks, GL-015).
    if (all & HEAP_REALLOC_IN_PLACE_ONLY && frontEndBlock(this.strategy, pointer)) return this.outOfMemory(all, size);
    // A block keeps its tail bytes only while it stays small: crossing the threshold means a new block.
    const inPlace = this.tailBytes === 0 || wasLarge === isLarge;
    let result = 0;
    let resized = false;
    try {
      resized = inPlace && this.strategy.resizeInPlace(pointer, size + extra);
    } catch (error) {
      this.strategyFailed(error);
    }
    if (resized) {
      result = pointer;
    } else if (all & HEAP_REALLOC_IN_PLACE_ONLY) {
      return this.outOfMemory(all, size);
    } else {
      result = this.allocateBlock(size);
      if (result === 0) return this.outOfMemory(all, size);
      this.source.memory.copy(result, pointer, Math.min(oldSize, size));
      try {
        this.strategy.free(pointer);
      } catch (error) {
        this.strategyFailed(error);
      }
    }
    this.walkEntries = undefined;
    if (this.freeChecking) this.refillFree(pointer, oldUsable, committed);
    if (size > oldSize) {
      if (all & HEAP_ZERO_MEMORY) this.source.memory.fill(result + oldSize, size - oldSize, 0);
      else if (this.freeChecking) fillPattern(this.source, result + oldSize, size - oldSize, FRESH_FILL, oldSize);
    }
    if (extra !== 0) this.fillTail(result, size);
    return result;
  }

  /** HeapSize: the requested size of a live block. */
  size(pointer: number): number {
    this.checkUsable();
    return this.blockSize(pointer);
  }

  /**
   * HeapValidate: true when the block (or, without a pointer, the whole heap) is intact. Never throws for a
   * bad pointer and never raises; a corruption found marks the heap corrupted (with termination on, the next
   * call that uses the heap raises STATUS_HEAP_CORRUPTION) until a whole-heap validation passes again.
   */
  validate(pointer = 0): boolean {
    if (this.destroyed) return false;
    try {
      let intact = true;
      if (pointer === 0) {
        this.strategy.validate();
        if (this.tailBytes !== 0) intact = this.allTailsIntact();
        if (this.freeChecking && intact) intact = this.freeFillIntact();
      } else {
        if (!this.strategy.owns(pointer)) return false;
        this.strategy.validate(pointer);
        if (this.tailBytes !== 0) intact = this.tailIntact(pointer);
      }
      // A whole-heap check that passes again (the damage was repaired) lifts the corrupted mark.
      if (!intact) this.corrupted = true;
      else if (pointer === 0) this.corrupted = false;
      return intact;
    } catch (error) {
      if (!isMemError(error)) throw error;
      if (pointer === 0 || isCorruption(error.code)) this.corrupted = true;
      return false;
    }
  }

  /** HeapWalk's entries in order (a fresh array). */
  walk(): HeapWalkEntry[] {
    this.checkUsable();
    return this.walkSnapshot().map((entry) => ({ ...entry }));
  }

  /** The entries HeapWalk steps through; kept until the heap changes. */
  walkSnapshot(): HeapWalkEntry[] {
    if (this.walkEntries !== undefined) return this.walkEntries;
    const entries: HeapWalkEntry[] = [];
    const tail = this.tailBytes;
    const large = this.largeBlockSize;
    this.guard(() =>
      this.strategy.walk((entry) => {
        const copy = { ...entry };
        if (tail !== 0 && (copy.kind === 'busy' || copy.kind === 'large') && copy.size - tail < large) {
          copy.size -= tail;
          copy.overhead += tail;
        }
        entries.push(copy);
      }),
    );
    this.walkEntries = entries;
    return entries;
  }

  /** HeapSummary. */
  summary(): HeapSummary {
    this.checkUsable();
    const stats = this.guard(() => this.strategy.stats());
    let allocated = stats.liveBytes;
    if (this.tailBytes !== 0) {
      allocated = 0;
      for (const entry of this.walkSnapshot()) if (entry.kind === 'busy' || entry.kind === 'large') allocated += entry.size;
    }
    return {
      allocated,
      committed: stats.committedBytes,
      reserved: stats.reservedBytes,
      maximumReserve: this.maximumSize !== 0 ? this.maximumSize : stats.reservedBytes,
    };
  }

  /** HeapCompact: returns free pages to the system; the largest free block afterwards (0 if none). */
  compact(): number {
    this.checkUsable();
    const largest = this.guard(() => this.strategy.compact());
    this.walkEntries = undefined;
    return largest;
  }

  /** HeapLock. Heaps created with HEAP_NO_SERIALIZE accept it and serialize nothing, as Windows does. */
  lock(): void {
    this.checkUsable();
    this.lockCount++;
  }

  /** HeapUnlock: throws MemError(ERROR_NOT_LOCKED) when the heap is not locked. */
  unlock(): void {
    this.checkUsable();
    if (this.lockCount === 0) throw new MemError(ERROR_NOT_LOCKED, 'the heap is not locked');
    this.lockCount--;
  }

  /** HeapDestroy: MemError(ERROR_INVALID_HANDLE) for the process heap, which cannot be destroyed. */
  destroy(): void {
    this.checkUsable();
    this.owner.destroyHeap(this);
  }

  /** Releases every reservation of the heap (HeapDestroy's core; the registry is ProcessHeaps'). */
  release(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.walkEntries = undefined;
    this.strategy.destroy();
  }

  /** A throw for a heap found corrupted, when the process terminates on corruption. */
  private checkUsable(): void {
    if (this.destroyed) throw new MemError(ERROR_INVALID_HANDLE, 'the heap was destroyed');
    if (this.corrupted && this.owner.terminateOnCorruption) throw corruptionException(this.handle);
  }

  /** Runs a strategy call off the hot path; see strategyFailed. */
  private guard<T>(call: () => T): T {
    try {
      return call();
    } catch (error) {
      this.strategyFailed(error);
    }
  }

  /** A strategy threw: a corruption marks the heap (and raises with termination on); anything else goes on. */
  private strategyFailed(error: unknown): never {
    if (isMemError(error) && isCorruption(error.code)) this.corruption(this.handle, error.message);
    throw error;
  }

  private allocateBlock(size: number): number {
    if (!(size >= 0 && size <= this.maximumAllocation)) return 0;
    const large = size >= this.largeBlockSize;
    // A fixed heap has no way to VirtualAlloc a large block on its own.
    if (large && this.maximumSize !== 0) return 0;
    const extra = this.tailBytes !== 0 && !large ? this.tailBytes : 0;
    try {
      return this.strategy.allocate(size + extra);
    } catch (error) {
      this.strategyFailed(error);
    }
  }

  /** Requested size of a live block; MemError(ERROR_INVALID_PARAMETER) otherwise (the strategy refuses it). */
  private blockSize(pointer: number): number {
    if (pointer === 0) throw new MemError(ERROR_INVALID_PARAMETER, 'NULL is not a block');
    let recorded = 0;
    try {
      recorded = this.strategy.sizeOf(pointer);
    } catch (error) {
      this.strategyFailed(error);
    }
    if (this.tailBytes !== 0 && recorded - this.tailBytes < this.largeBlockSize) return recorded - this.tailBytes;
    return recorded;
  }

  private outOfMemory(flags: number, size: number): never {
    if (flags & HEAP_GENERATE_EXCEPTIONS) throw new Win32Exception(STATUS_NO_MEMORY, `heap allocation of ${size} bytes`);
    throw new MemError(ERROR_NOT_ENOUGH_MEMORY, `heap allocation of ${size} bytes`);
  }

  /**
   * Debug heap (free checking): free blocks show 0xFEEEFEEE past the back end's two link words. Refills the free
   * blocks touching [pointer − header, pointer + length + header) — where a free or resize just merged or split
   * blocks — or every free block when the heap's committed size changed (`committed` is the size before; -1
   * forces it). Only for back ends with the segregated block layout (links first, nothing else in a free block).
   */
  private refillFree(pointer: number, length: number, committed: number): void {
    if (!(this.strategy instanceof SegregatedHeap)) return;
    const everything = committed < 0 || this.strategy.stats().committedBytes !== committed;
    const header = 2 * this.pointerSize;
    const low = pointer - header;
    const high = pointer + length + header;
    const source = this.source;
    this.strategy.walk((entry) => {
      if (entry.kind !== 'free') return;
      if (!everything && (entry.address + entry.size <= low || entry.address - header >= high)) return;
      if (entry.size > header) fillPattern(source, entry.address + header, entry.size - header, FREED_FILL, entry.address + header);
    });
  }

  /** Every free block still shows the freed pattern (HeapValidate of a free-checking heap). */
  private freeFillIntact(): boolean {
    if (!(this.strategy instanceof SegregatedHeap)) return true;
    const header = 2 * this.pointerSize;
    const memory = this.source.memory;
    let intact = true;
    this.strategy.walk((entry) => {
      if (!intact || entry.kind !== 'free') return;
      for (let address = entry.address + header; address < entry.address + entry.size; address++) {
        if (memory.getUint8(address) !== patternByte(FREED_FILL, address)) {
          intact = false;
          return;
        }
      }
    });
    return intact;
  }

  private fillTail(pointer: number, size: number): void {
    const usable = this.strategy.usableSize(pointer);
    this.source.memory.fill(pointer + size, usable - size, TAIL_FILL);
  }

  /** The 0xAB bytes after a small block are intact (debug heap tail check); large blocks have none. */
  private tailIntact(pointer: number): boolean {
    const userSize = this.strategy.sizeOf(pointer) - this.tailBytes;
    if (userSize >= this.largeBlockSize) return true;
    const usable = this.strategy.usableSize(pointer);
    const memory = this.source.memory;
    for (let address = pointer + userSize; address < pointer + usable; address++) {
      if (memory.getUint8(address) !== TAIL_FILL) return false;
    }
    return true;
  }

  /** A corruption found by a call that changes the heap: raises with termination on, else MemError. */
  private corruption(pointer: number, detail: string): never {
    this.corrupted = true;
    if (this.owner.terminateOnCorruption) throw corruptionException(this.handle);
    throw new MemError(ERROR_INVALID_PARAMETER, `heap block 0x${pointer.toString(16)}: ${detail}`);
  }

  private allTailsIntact(): boolean {
    for (const entry of this.walkSnapshot()) if (entry.kind === 'busy' && !this.tailIntact(entry.address)) return false;
    return true;
  }
}

/** A strategy's corruption report: the heap-corruption status, or ERROR_INVALID_DATA. */
function isCorruption(code: number): boolean {
  return code === STATUS_HEAP_CORRUPTION || code === ERROR_INVALID_DATA;
}

function corruptionException(handle: number): Win32Exception {
  return new Win32Exception(STATUS_HEAP_CORRUPTION, `heap 0x${handle.toString(16)} is corrupted`);
}

/** The LFH front end of a strategy serves some bucket (duck-typed: strategies without one have no such member). */
function frontEndActive(strategy: HeapStrategy): boolean {
  const active = (strategy as { frontEndActive?: boolean | (() => boolean) }).frontEndActive;
  return typeof active === 'function' ? active.call(strategy) : active === true;
}

/** The LFH front end serves this block (duck-typed `isFrontEndBlock`; false for strategies without it). */
function frontEndBlock(strategy: HeapStrategy, pointer: number): boolean {
  const test = (strategy as { isFrontEndBlock?: (pointer: number) => boolean }).isFrontEndBlock;
  return typeof test === 'function' && test.call(strategy, pointer);
}

/** Base of the strategy's first region: the heap handle. */
function firstRegion(strategy: HeapStrategy): number {
  let base = 0;
  strategy.walk((entry) => {
    if (base === 0 && entry.kind === 'region') base = entry.address;
  });
  return base;
}

/** Byte `phase` (mod 4) of a little-endian DWORD pattern. */
function patternByte(pattern: number, phase: number): number {
  return Math.floor(pattern / 2 ** ((phase % 4) * 8)) % 256;
}

/** Fills [address, address + length) with a little-endian DWORD pattern whose phase starts at `phase` bytes. */
function fillPattern(source: PageSource, address: number, length: number, pattern: number, phase = 0): void {
  const memory = source.memory;
  for (let index = 0; index < length; index++) memory.setUint8(address + index, patternByte(pattern, phase + index));
}

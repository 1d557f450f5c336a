// PhysicalMemory: the frames of simulated RAM of one machine, and the system commit accounting.
// Frames live in host slabs (ArrayBuffers of SLAB_BYTES) created when a frame of the slab is first
// handed out; per-frame metadata is one Int32 reference count and one Uint8 NUMA node (grown on
// demand), so touching N bytes of simulated memory costs about N bytes of host memory.
// Invariants: a frame is free iff its reference count is 0; a free frame is on its node's free
// stack or above its node's high-water mark; frames handed out are all zero. Frames beyond RAM
// ("paged out") are allowed up to the commit limit and count as overflow.
import { ERROR_INVALID_PARAMETER } from './constants';
import { MemError } from './errors';

/** Bytes of one host slab. */
export const SLAB_BYTES = 1 << 20;

export interface PhysicalMemoryOptions {
  pageSize: number;
  /** Bytes of RAM (rounded down to pages). */
  physicalMemory: number;
  /** Bytes of paging file; commit limit = RAM + paging file. */
  pagingFile: number;
  /** NUMA nodes; RAM is split evenly (default 1). */
  numaNodes?: number;
}

function growInt32(array: Int32Array<ArrayBuffer>, minimum: number): Int32Array<ArrayBuffer> {
  if (array.length >= minimum) return array;
  const grown = new Int32Array(Math.max(minimum, array.length * 2, 1024));
  grown.set(array);
  return grown;
}

export class PhysicalMemory {
  readonly pageSize: number;
  readonly pageShift: number;
  /** Frames of RAM. */
  readonly ramFrames: number;
  /** Frames that may exist at once (RAM + paging file). */
  readonly frameCapacity: number;
  readonly numaNodes: number;
  /** Frames per slab, and log2 of it: slab = frame >>> slabShift. */
  readonly framesPerSlab: number;
  readonly slabShift: number;
  /** One DataView per slab (undefined until the slab exists). Hot: memory access reads it. */
  readonly slabViews: DataView[] = [];
  readonly slabBytes: Uint8Array[] = [];

  /** Commit limit and charge, in pages. */
  readonly commitLimitPages: number;
  private commitChargePagesValue = 0;
  private peakCommitPages = 0;

  private refCounts: Int32Array<ArrayBuffer> = new Int32Array(0);
  /** Frames in use (reference count > 0). */
  private framesInUseValue = 0;
  /** Per node: [first frame, end frame) of its RAM share, high-water mark, free stack. */
  private readonly nodeStart: number[] = [];
  private readonly nodeEnd: number[] = [];
  private readonly nodeNext: number[] = [];
  private readonly nodeFree: Int32Array<ArrayBuffer>[] = [];
  private readonly nodeFreeCount: number[] = [];
  /** Per node: RAM frames in use. */
  private readonly nodeInUse: number[] = [];
  /** Overflow frames (beyond RAM): high-water mark and free stack. */
  private overflowNext: number;
  private overflowFree: Int32Array<ArrayBuffer> = new Int32Array(0);
  private overflowFreeCount = 0;

  constructor(options: PhysicalMemoryOptions) {
    const { pageSize, physicalMemory, pagingFile } = options;
    const numaNodes = options.numaNodes ?? 1;
    if (!Number.isInteger(numaNodes) || numaNodes < 1 || numaNodes > 64) {
      throw new MemError(ERROR_INVALID_PARAMETER, 'numaNodes must be an integer in 1..64');
    }
    if (!(physicalMemory >= pageSize * numaNodes) || !Number.isSafeInteger(physicalMemory)) {
      throw new MemError(ERROR_INVALID_PARAMETER, 'physicalMemory must be at least one page per node');
    }
    if (!(pagingFile >= 0) || !Number.isSafeInteger(pagingFile)) {
      throw new MemError(ERROR_INVALID_PARAMETER, 'pagingFile must be a non-negative integer');
    }
    this.pageSize = pageSize;
    this.pageShift = Math.log2(pageSize);
    this.ramFrames = Math.floor(physicalMemory / pageSize);
    this.commitLimitPages = this.ramFrames + Math.floor(pagingFile / pageSize);
    if (this.commitLimitPages >= 2 ** 29) {
      throw new MemError(ERROR_INVALID_PARAMETER, 'RAM + paging file too large for the frame encoding (< 2^29 pages)');
    }
    this.frameCapacity = this.commitLimitPages;
    this.numaNodes = numaNodes;
    this.framesPerSlab = Math.max(1, SLAB_BYTES / pageSize);
    this.slabShift = Math.log2(this.framesPerSlab);
    const perNode = Math.floor(this.ramFrames / numaNodes);
    for (let node = 0; node < numaNodes; node++) {
      const start = node * perNode;
      this.nodeStart.push(start);
      this.nodeEnd.push(node === numaNodes - 1 ? this.ramFrames : start + perNode);
      this.nodeNext.push(start);
      this.nodeFree.push(new Int32Array(0));
      this.nodeFreeCount.push(0);
      this.nodeInUse.push(0);
    }
    this.overflowNext = this.ramFrames;
  }

  // ---------------------------------------------------------------- commit charge

  get commitChargePages(): number {
    return this.commitChargePagesValue;
  }
  get peakCommitChargePages(): number {
    return this.peakCommitPages;
  }
  get commitLimit(): number {
    return this.commitLimitPages * this.pageSize;
  }
  get commitCharge(): number {
    return this.commitChargePagesValue * this.pageSize;
  }

  /** Charges `pageCount` pages of commit; false (nothing charged) beyond the commit limit. */
  chargeCommit(pageCount: number): boolean {
    if (pageCount <= 0) return true;
    if (this.commitChargePagesValue + pageCount > this.commitLimitPages) return false;
    this.commitChargePagesValue += pageCount;
    if (this.commitChargePagesValue > this.peakCommitPages) this.peakCommitPages = this.commitChargePagesValue;
    return true;
  }

  uncharge(pageCount: number): void {
    if (pageCount <= 0) return;
    if (pageCount > this.commitChargePagesValue) throw new Error('PhysicalMemory: uncharge below zero');
    this.commitChargePagesValue -= pageCount;
  }

  // ---------------------------------------------------------------- frames

  get framesInUse(): number {
    return this.framesInUseValue;
  }
  /** Frames of RAM not in use (never negative: overflow frames count as paged out). */
  get availableFrames(): number {
    return Math.max(0, this.ramFrames - this.framesInUseValue);
  }
  get totalPhysical(): number {
    return this.ramFrames * this.pageSize;
  }
  get availablePhysical(): number {
    return this.availableFrames * this.pageSize;
  }
  /** Host bytes held by slabs (for statistics and the benchmark). */
  get hostBytes(): number {
    let slabs = 0;
    for (const view of this.slabViews) if (view !== EMPTY_VIEW) slabs++;
    return slabs * SLAB_BYTES;
  }

  /** RAM frames of `node` not in use (GetNumaAvailableMemoryNodeEx). */
  availableFramesOfNode(node: number): number {
    const start = this.nodeStart[node];
    const end = this.nodeEnd[node];
    if (start === undefined || end === undefined) return 0;
    return end - start - (this.nodeInUse[node] ?? 0);
  }

  /** NUMA node of a frame (overflow frames report node 0). */
  nodeOf(frame: number): number {
    if (frame >= this.ramFrames) return 0;
    for (let node = this.numaNodes - 1; node > 0; node--) if (frame >= (this.nodeStart[node] ?? 0)) return node;
    return 0;
  }

  /** Reference count of a frame (0 = free). */
  refCount(frame: number): number {
    return this.refCounts[frame] ?? 0;
  }

  /**
   * A zero-filled frame with reference count 1, preferably on `preferredNode`, then other nodes,
   * then beyond RAM. -1 when all frames up to the commit limit are in use.
   */
  allocateFrame(preferredNode = 0): number {
    const start = preferredNode >= 0 && preferredNode < this.numaNodes ? preferredNode : 0;
    for (let step = 0; step < this.numaNodes; step++) {
      const node = (start + step) % this.numaNodes;
      const frame = this.takeFromNode(node);
      if (frame >= 0) return this.handOut(frame);
    }
    if (this.overflowFreeCount > 0) {
      this.overflowFreeCount--;
      return this.handOut(this.zeroFrame(this.overflowFree[this.overflowFreeCount] ?? 0));
    }
    if (this.overflowNext < this.frameCapacity) return this.handOut(this.overflowNext++);
    return -1;
  }

  private takeFromNode(node: number): number {
    const freeCount = this.nodeFreeCount[node] ?? 0;
    if (freeCount > 0) {
      this.nodeFreeCount[node] = freeCount - 1;
      return this.zeroFrame(this.nodeFree[node]?.[freeCount - 1] ?? 0);
    }
    const next = this.nodeNext[node] ?? 0;
    if (next < (this.nodeEnd[node] ?? 0)) {
      this.nodeNext[node] = next + 1;
      return next;
    }
    return -1;
  }

  private handOut(frame: number): number {
    this.ensureSlab(frame >>> this.slabShift);
    this.refCounts = growInt32(this.refCounts, frame + 1);
    this.refCounts[frame] = 1;
    this.framesInUseValue++;
    if (frame < this.ramFrames) {
      const node = this.nodeOf(frame);
      this.nodeInUse[node] = (this.nodeInUse[node] ?? 0) + 1;
    }
    return frame;
  }

  private ensureSlab(slab: number): void {
    // dense arrays (no holes): the hot path indexes them
    while (this.slabViews.length <= slab) {
      this.slabViews.push(EMPTY_VIEW);
      this.slabBytes.push(EMPTY_BYTES);
    }
    if (this.slabViews[slab] !== EMPTY_VIEW) return;
    const buffer = new ArrayBuffer(SLAB_BYTES);
    this.slabViews[slab] = new DataView(buffer);
    this.slabBytes[slab] = new Uint8Array(buffer);
  }

  /** Zeroes a reused frame (fresh slab memory is zero already). */
  private zeroFrame(frame: number): number {
    this.bytesOf(frame).fill(0);
    return frame;
  }

  /** Takes one more reference on a frame in use. */
  addRef(frame: number): void {
    const count = this.refCounts[frame] ?? 0;
    if (count <= 0) throw new Error(`PhysicalMemory: addRef on free frame ${frame}`);
    this.refCounts[frame] = count + 1;
  }

  /** Drops one reference; the frame is freed (for reuse, zeroed then) when none remain. */
  release(frame: number): void {
    const count = this.refCounts[frame] ?? 0;
    if (count <= 0) throw new Error(`PhysicalMemory: release of free frame ${frame}`);
    this.refCounts[frame] = count - 1;
    if (count > 1) return;
    this.framesInUseValue--;
    if (frame >= this.ramFrames) {
      this.overflowFree = growInt32(this.overflowFree, this.overflowFreeCount + 1);
      this.overflowFree[this.overflowFreeCount++] = frame;
      return;
    }
    const node = this.nodeOf(frame);
    this.nodeInUse[node] = (this.nodeInUse[node] ?? 0) - 1;
    const freeCount = this.nodeFreeCount[node] ?? 0;
    const stack = growInt32(this.nodeFree[node] ?? new Int32Array(0), freeCount + 1);
    stack[freeCount] = frame;
    this.nodeFree[node] = stack;
    this.nodeFreeCount[node] = freeCount + 1;
  }

  /** The bytes of one frame (a view into its slab, no copy). */
  bytesOf(frame: number): Uint8Array {
    const slab = this.slabBytes[frame >>> this.slabShift];
    if (slab === undefined || slab === EMPTY_BYTES) throw new Error(`PhysicalMemory: frame ${frame} has no storage`);
    const offset = (frame & (this.framesPerSlab - 1)) * this.pageSize;
    return slab.subarray(offset, offset + this.pageSize);
  }

  /** Byte offset of a frame inside its slab. */
  offsetInSlab(frame: number): number {
    return (frame & (this.framesPerSlab - 1)) << this.pageShift;
  }

  /** Copies the contents of one frame into another. */
  copyFrame(source: number, destination: number): void {
    this.bytesOf(destination).set(this.bytesOf(source));
  }

  /** Checks the free stacks and counters against the reference counts; throws on inconsistency. */
  validate(): void {
    let inUse = 0;
    for (let frame = 0; frame < this.refCounts.length; frame++) {
      const count = this.refCounts[frame] ?? 0;
      if (count < 0) throw new Error(`PhysicalMemory: negative refcount at ${frame}`);
      if (count > 0) inUse++;
    }
    if (inUse !== this.framesInUseValue) throw new Error(`PhysicalMemory: framesInUse ${this.framesInUseValue} ≠ ${inUse}`);
    for (let node = 0; node < this.numaNodes; node++) {
      let nodeCount = 0;
      for (let frame = this.nodeStart[node] ?? 0; frame < (this.nodeEnd[node] ?? 0); frame++) if ((this.refCounts[frame] ?? 0) > 0) nodeCount++;
      if (nodeCount !== this.nodeInUse[node]) throw new Error(`PhysicalMemory: node ${node} in-use count`);
    }
    const seen = new Set<number>();
    const checkFree = (frame: number) => {
      if ((this.refCounts[frame] ?? 0) !== 0) throw new Error(`PhysicalMemory: frame ${frame} on a free stack is in use`);
      if (seen.has(frame)) throw new Error(`PhysicalMemory: frame ${frame} twice on free stacks`);
      seen.add(frame);
    };
    for (let node = 0; node < this.numaNodes; node++) {
      const stack = this.nodeFree[node] ?? new Int32Array(0);
      for (let i = 0; i < (this.nodeFreeCount[node] ?? 0); i++) checkFree(stack[i] ?? -1);
    }
    for (let i = 0; i < this.overflowFreeCount; i++) checkFree(this.overflowFree[i] ?? -1);
    if (this.commitChargePagesValue < 0 || this.commitChargePagesValue > this.commitLimitPages) {
      throw new Error('PhysicalMemory: commit charge out of range');
    }
  }
}

const EMPTY_VIEW = new DataView(new ArrayBuffer(0));
const EMPTY_BYTES = new Uint8Array(0);

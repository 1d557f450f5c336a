// Each heap of the process as the explorer draws it: segments with their blocks (busy, free, LFH
// subsegments and chunks, uncommitted tails), large blocks, LFH buckets with their occupancy,
// fragmentation figures, and HeapValidate's verdict with the blocks it refuses. A heap found corrupted
// refuses to be walked (STATUS_HEAP_CORRUPTION, as a 64-bit process would terminate): the explorer then
// shows the last walk it made and validates each of its busy blocks.
import { findHeap, type HeapWalkEntry } from '@mem/heap';
import type { Kernel32 } from '@mem/kernel32';

export type HeapBlockKind = 'busy' | 'free' | 'subsegment' | 'lfh-busy' | 'lfh-free' | 'uncommitted' | 'header';

/** One block of a segment strip. [start, end) covers the header; `address` is the user pointer. */
export interface HeapBlock {
  kind: HeapBlockKind;
  start: number;
  end: number;
  address: number;
  /** Requested size (busy), body size (free), range size (uncommitted). */
  size: number;
  /** HeapValidate(heap, 0, address) refused this busy block. */
  corrupt: boolean;
}

export interface HeapSegment {
  index: number;
  base: number;
  /** First byte after the reservation. */
  end: number;
  committed: number;
  uncommitted: number;
  blocks: HeapBlock[];
}

export interface LfhBucket {
  /** Chunk size in bytes, header included. */
  chunkSize: number;
  subsegments: number;
  chunks: number;
  busyChunks: number;
}

export interface HeapFigures {
  liveBytes: number;
  liveBlocks: number;
  freeBytes: number;
  freeBlocks: number;
  largestFreeBlock: number;
  committedBytes: number;
  reservedBytes: number;
  largeBlocks: number;
  /** Committed bytes over live bytes (1 is perfect; 0 when nothing is live). */
  footprint: number;
}

export interface HeapView {
  handle: number;
  isProcessHeap: boolean;
  strategy: string;
  /** HeapQueryInformation(HeapCompatibilityInformation): 2 once the LFH serves. */
  compatibility: number;
  segments: HeapSegment[];
  /** Blocks in reservations of their own (≥ 508 KiB / 1020 KiB). */
  largeBlocks: HeapBlock[];
  buckets: LfhBucket[];
  figures: HeapFigures;
  /** HeapValidate(heap, 0, NULL). */
  valid: boolean;
  /** User addresses of busy blocks HeapValidate(heap, 0, block) refuses. */
  corruptBlocks: number[];
  /** Why the walk shown is an earlier one (the heap refused HeapWalk), or ''. */
  walkNote: string;
}

/** Handles of the process's heaps, process heap first (GetProcessHeaps). */
export function processHeapHandles(k: Kernel32): number[] {
  const count = k.GetProcessHeaps(0, undefined);
  const handles: number[] = [];
  k.GetProcessHeaps(count, handles);
  return handles;
}

/** Keeps each heap's last good walk, to show a heap that now refuses to be walked. */
export class HeapWalkCache {
  private readonly walks = new Map<number, HeapWalkEntry[]>();

  walk(k: Kernel32, handle: number): { entries: HeapWalkEntry[]; note: string } {
    const heap = findHeap(k.process, handle);
    if (heap === undefined) return { entries: [], note: 'no such heap' };
    try {
      const entries = heap.walkSnapshot();
      this.walks.set(handle, entries);
      return { entries, note: '' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { entries: this.walks.get(handle) ?? [], note: `HeapWalk refused: ${message}; showing the last walk` };
    }
  }

  forget(handle: number): void {
    this.walks.delete(handle);
  }
}

/** One heap, walked and validated. */
export function describeHeap(k: Kernel32, handle: number, cache = new HeapWalkCache(), validateBlocks = true): HeapView {
  const heap = findHeap(k.process, handle);
  const header = 2 * k.process.geometry.pointerSize;
  const { entries, note } = cache.walk(k, handle);
  const valid = k.HeapValidate(handle, 0, 0);
  const segments: HeapSegment[] = [];
  const largeBlocks: HeapBlock[] = [];
  const bucketsBySize = new Map<number, LfhBucket>();
  let currentBucket: LfhBucket | undefined;
  let currentSubsegmentEnd = 0;
  const figures: HeapFigures = {
    liveBytes: 0,
    liveBlocks: 0,
    freeBytes: 0,
    freeBlocks: 0,
    largestFreeBlock: 0,
    committedBytes: 0,
    reservedBytes: 0,
    largeBlocks: 0,
    footprint: 0,
  };
  let segment: HeapSegment | undefined;
  for (const entry of entries) {
    if (entry.kind === 'region') {
      const firstBlock = entry.firstBlock ?? entry.address + entry.overhead;
      segment = {
        index: entry.regionIndex,
        base: entry.address,
        end: entry.address + entry.size,
        committed: entry.committedSize ?? 0,
        uncommitted: entry.uncommittedSize ?? 0,
        blocks: [{ kind: 'header', start: entry.address, end: firstBlock, address: entry.address, size: firstBlock - entry.address, corrupt: false }],
      };
      segments.push(segment);
      figures.reservedBytes += entry.size;
      figures.committedBytes += entry.committedSize ?? 0;
      continue;
    }
    if (entry.kind === 'large') {
      largeBlocks.push(blockOf('busy', entry, entry.address, entry.address + entry.size + entry.overhead));
      figures.liveBytes += entry.size;
      figures.liveBlocks++;
      figures.largeBlocks++;
      figures.committedBytes += entry.size + entry.overhead;
      figures.reservedBytes += entry.size + entry.overhead;
      continue;
    }
    if (segment === undefined) continue;
    if (entry.kind === 'uncommitted') {
      segment.blocks.push(blockOf('uncommitted', entry, entry.address, entry.address + entry.size));
      continue;
    }
    const start = entry.address - header;
    const end = start + entry.size + entry.overhead;
    if (entry.kind === 'subsegment') {
      segment.blocks.push(blockOf('subsegment', entry, start, end));
      currentSubsegmentEnd = end;
      currentBucket = undefined;
      continue;
    }
    if (entry.frontEnd === true && start < currentSubsegmentEnd) {
      const chunkSize = entry.size + entry.overhead;
      if (currentBucket === undefined) {
        currentBucket = bucketsBySize.get(chunkSize);
        if (currentBucket === undefined) {
          currentBucket = { chunkSize, subsegments: 0, chunks: 0, busyChunks: 0 };
          bucketsBySize.set(chunkSize, currentBucket);
        }
        currentBucket.subsegments++;
      }
      currentBucket.chunks++;
      if (entry.kind === 'busy') {
        currentBucket.busyChunks++;
        figures.liveBytes += entry.size;
        figures.liveBlocks++;
        segment.blocks.push(blockOf('lfh-busy', entry, start, end));
      } else {
        segment.blocks.push(blockOf('lfh-free', entry, start, end));
      }
      continue;
    }
    if (entry.kind === 'busy') {
      figures.liveBytes += entry.size;
      figures.liveBlocks++;
      segment.blocks.push(blockOf('busy', entry, start, end));
    } else if (entry.kind === 'free') {
      figures.freeBytes += entry.size;
      figures.freeBlocks++;
      figures.largestFreeBlock = Math.max(figures.largestFreeBlock, entry.size);
      segment.blocks.push(blockOf('free', entry, start, end));
    }
  }
  figures.footprint = figures.liveBytes === 0 ? 0 : figures.committedBytes / figures.liveBytes;
  const corruptBlocks: number[] = [];
  if (!valid && validateBlocks) {
    for (const block of [...segments.flatMap((s) => s.blocks), ...largeBlocks]) {
      if ((block.kind === 'busy' || block.kind === 'lfh-busy') && !k.HeapValidate(handle, 0, block.address)) {
        block.corrupt = true;
        corruptBlocks.push(block.address);
      }
    }
  }
  const info: { value?: number } = {};
  k.HeapQueryInformation(handle, 0, info, 4, undefined);
  return {
    handle,
    isProcessHeap: handle === k.GetProcessHeap(),
    strategy: heap?.strategyName ?? '',
    compatibility: info.value ?? 0,
    segments,
    largeBlocks,
    buckets: [...bucketsBySize.values()].sort((a, b) => a.chunkSize - b.chunkSize),
    figures,
    valid,
    corruptBlocks,
    walkNote: note,
  };
}

function blockOf(kind: HeapBlockKind, entry: HeapWalkEntry, start: number, end: number): HeapBlock {
  return { kind, start, end, address: entry.address, size: entry.size, corrupt: false };
}

/** Every heap of the process (GetProcessHeaps), walked and validated. */
export function describeHeaps(k: Kernel32, cache = new HeapWalkCache(), validateBlocks = true): HeapView[] {
  return processHeapHandles(k).map((handle) => describeHeap(k, handle, cache, validateBlocks));
}

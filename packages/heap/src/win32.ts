// The Win32 door of @mem/heap: the Heap* functions with their Win32 names, each taking the calling Process
// first (Kernel32 binds them). They never throw for bad input: they return the Win32 failure value and set
// the process's last error. They let through what Windows raises: STATUS_NO_MEMORY for HEAP_GENERATE_EXCEPTIONS
// and STATUS_HEAP_CORRUPTION when the process terminates on corruption (Win32Exception from @mem/pages).
import type { Process } from '@mem/pages';
import {
  ERROR_INSUFFICIENT_BUFFER,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NO_MORE_ITEMS,
  ERROR_NOACCESS,
  ERROR_SUCCESS,
  isMemError,
  toWin32,
} from '@mem/pages';
import type { HeapWalkEntry } from './api';
import {
  HeapCompatibilityInformation,
  HeapEnableTerminationOnCorruption,
  HeapOptimizeResources,
  PROCESS_HEAP_ENTRY_BUSY,
  PROCESS_HEAP_REGION,
  PROCESS_HEAP_UNCOMMITTED_RANGE,
} from './constants';
import type { Heap } from './Heap';
import {
  createHeap,
  destroyHeap,
  enableTerminationOnCorruption,
  findHeap,
  getProcessHeap,
  processHeaps,
} from './ProcessHeaps';

/** PROCESS_HEAP_ENTRY as a plain object (the Block / Region union as two members). */
export interface PROCESS_HEAP_ENTRY {
  lpData: number;
  cbData?: number;
  cbOverhead?: number;
  iRegionIndex?: number;
  wFlags?: number;
  Block?: { hMem: number };
  Region?: { dwCommittedSize: number; dwUnCommittedSize: number; lpFirstBlock: number; lpLastBlock: number };
}

/** HEAP_SUMMARY: `cb` must be set to its size (20 on 32-bit, 40 on 64-bit) by the caller. */
export interface HEAP_SUMMARY {
  cb: number;
  cbAllocated?: number;
  cbCommitted?: number;
  cbReserved?: number;
  cbMaxReserve?: number;
}

/** A box the call fills, as the contract's out-parameters. */
export interface ValueBox {
  value?: number;
}

/** (SIZE_T)-1, HeapSize's failure value (the contract writes all-ones pointer-sized values as -1). */
export const HEAP_SIZE_FAILURE = -1;

/** The live heap named by `handle`, or undefined after setting ERROR_INVALID_HANDLE. */
function heapOf(process: Process, handle: number): Heap | undefined {
  const heap = findHeap(process, handle);
  if (heap === undefined) process.lastError = ERROR_INVALID_HANDLE;
  return heap;
}

export function GetProcessHeap(process: Process): number {
  return getProcessHeap(process).handle;
}

/** Returns how many heaps the process has; stores up to `count` handles (process heap first). */
export function GetProcessHeaps(process: Process, count: number, heaps: number[] | undefined): number {
  const list = processHeaps(process).heaps;
  if (heaps !== undefined) {
    const stored = Math.min(count, list.length);
    for (let index = 0; index < stored; index++) heaps[index] = list[index]!.handle;
  }
  return list.length;
}

export function HeapCreate(process: Process, options: number, initialSize: number, maximumSize: number): number {
  try {
    return createHeap(process, { flags: options, initialSize, maximumSize }).handle;
  } catch (error) {
    return toWin32(process, error, 0);
  }
}

export function HeapDestroy(process: Process, heap: number): boolean {
  const target = heapOf(process, heap);
  if (target === undefined) return false;
  try {
    destroyHeap(process, target);
    return true;
  } catch (error) {
    return toWin32(process, error, false);
  }
}

export function HeapAlloc(process: Process, heap: number, flags: number, bytes: number): number {
  const target = heapOf(process, heap);
  if (target === undefined) return 0;
  try {
    return target.alloc(bytes, flags);
  } catch (error) {
    return toWin32(process, error, 0);
  }
}

export function HeapReAlloc(process: Process, heap: number, flags: number, mem: number, bytes: number): number {
  const target = heapOf(process, heap);
  if (target === undefined) return 0;
  // Windows fails a NULL block and reports NO_ERROR.
  if (!mem) {
    process.lastError = ERROR_SUCCESS;
    return 0;
  }
  try {
    return target.realloc(mem, bytes, flags);
  } catch (error) {
    return toWin32(process, error, 0);
  }
}

export function HeapFree(process: Process, heap: number, _flags: number, mem: number | undefined): boolean {
  const target = heapOf(process, heap);
  if (target === undefined) return false;
  if (!mem) return true; // freeing NULL succeeds
  try {
    target.free(mem);
    return true;
  } catch (error) {
    return toWin32(process, error, false);
  }
}

/** The requested size of a block; (SIZE_T)-1 on failure, without setting the last error. */
export function HeapSize(process: Process, heap: number, _flags: number, mem: number): number {
  const target = findHeap(process, heap);
  if (target === undefined || !mem) return HEAP_SIZE_FAILURE;
  try {
    return target.size(mem);
  } catch (error) {
    if (isMemError(error)) return HEAP_SIZE_FAILURE;
    throw error;
  }
}

/** Whole heap (mem NULL) or one block; FALSE leaves the last error untouched. */
export function HeapValidate(process: Process, heap: number, _flags: number, mem: number | undefined): boolean {
  const target = findHeap(process, heap);
  if (target === undefined) return false;
  return target.validate(mem ?? 0);
}

export function HeapWalk(process: Process, heap: number, entry: PROCESS_HEAP_ENTRY | undefined): boolean {
  const target = heapOf(process, heap);
  if (target === undefined) return false;
  if (entry === undefined) {
    process.lastError = ERROR_INVALID_PARAMETER; // RtlWalkHeap refuses a NULL entry (STATUS_INVALID_PARAMETER)
    return false;
  }
  let entries: HeapWalkEntry[];
  try {
    entries = target.walkSnapshot();
  } catch (error) {
    return toWin32(process, error, false);
  }
  let next = 0;
  if (entry.lpData) {
    const current = findEntry(entries, entry.lpData, entry.wFlags ?? 0, target.walkCursor);
    if (current < 0) {
      process.lastError = ERROR_INVALID_PARAMETER;
      return false;
    }
    next = current + 1;
  }
  const found = entries[next];
  if (found === undefined) {
    process.lastError = ERROR_NO_MORE_ITEMS;
    return false;
  }
  target.walkCursor = next;
  fillEntry(entry, found, target.pointerSize, target.source.pageSize);
  return true;
}

function flagsOf(kind: HeapWalkEntry['kind']): number {
  switch (kind) {
    case 'region':
      return PROCESS_HEAP_REGION;
    case 'uncommitted':
      return PROCESS_HEAP_UNCOMMITTED_RANGE;
    case 'busy':
    case 'large':
      return PROCESS_HEAP_ENTRY_BUSY;
    default:
      return 0;
  }
}

function findEntry(entries: HeapWalkEntry[], address: number, flags: number, hint: number): number {
  const atHint = entries[hint];
  if (atHint !== undefined && atHint.address === address && flagsOf(atHint.kind) === flags) return hint;
  for (let index = 0; index < entries.length; index++) {
    const candidate = entries[index]!;
    if (candidate.address === address && flagsOf(candidate.kind) === flags) return index;
  }
  return -1;
}

/**
 * Fills PROCESS_HEAP_ENTRY from a strategy's walk entry with Windows' conventions (H-029..H-031): a region's
 * cbData is its header in front of the first block's header; a busy block's cbOverhead is its slack after the
 * data (the header not counted); a free block reports cbOverhead 4·ptr and a cbData such that
 * lpData + cbData + 2·cbOverhead is its end; the last page of a segment's uncommitted tail is not reported.
 */
function fillEntry(entry: PROCESS_HEAP_ENTRY, found: HeapWalkEntry, pointerSize: number, pageSize: number): void {
  const header = 2 * pointerSize;
  entry.lpData = found.address;
  entry.iRegionIndex = found.regionIndex;
  entry.wFlags = flagsOf(found.kind);
  const block = entry.Block ?? (entry.Block = { hMem: 0 });
  block.hMem = 0;
  const region =
    entry.Region ?? (entry.Region = { dwCommittedSize: 0, dwUnCommittedSize: 0, lpFirstBlock: 0, lpLastBlock: 0 });
  region.dwCommittedSize = 0;
  region.dwUnCommittedSize = 0;
  region.lpFirstBlock = 0;
  region.lpLastBlock = 0;
  switch (found.kind) {
    case 'region': {
      const first = found.firstBlock ?? found.address + found.overhead;
      const uncommitted = found.uncommittedSize ?? 0;
      entry.cbData = Math.max(0, first - found.address - header);
      entry.cbOverhead = 0;
      region.dwCommittedSize = found.committedSize ?? 0;
      region.dwUnCommittedSize = uncommitted;
      region.lpFirstBlock = first;
      const end = found.lastBlock ?? found.address + found.size;
      region.lpLastBlock = uncommitted >= pageSize ? end - pageSize : end;
      break;
    }
    case 'uncommitted':
      entry.cbData = found.size >= pageSize ? found.size - pageSize : found.size;
      entry.cbOverhead = 0;
      break;
    case 'free': {
      if (found.frontEnd) {
        // A free LFH chunk: its size and chunk header, as Windows 8+ lists them.
        entry.cbData = found.size;
        entry.cbOverhead = found.overhead;
        break;
      }
      const end = found.address + found.size;
      entry.cbOverhead = 2 * header;
      entry.cbData = Math.max(0, end - found.address - 4 * header);
      break;
    }
    case 'subsegment':
      // An LFH subsegment is one back-end block; its busy chunks follow as their own entries.
      entry.cbData = found.size;
      entry.cbOverhead = Math.max(0, found.overhead - header);
      break;
    case 'busy':
      entry.cbData = found.size;
      entry.cbOverhead = found.frontEnd ? found.overhead : Math.max(0, found.overhead - header);
      break;
    default:
      // A large block: its own reservation, no block overhead reported (H-031).
      entry.cbData = found.size;
      entry.cbOverhead = 0;
  }
}

/** The largest committed free block after returning free pages; 0 with NO_ERROR when there is none. */
export function HeapCompact(process: Process, heap: number, _flags: number): number {
  const target = heapOf(process, heap);
  if (target === undefined) return 0;
  try {
    const largest = target.compact();
    if (largest === 0) process.lastError = ERROR_SUCCESS;
    return largest;
  } catch (error) {
    return toWin32(process, error, 0);
  }
}

export function HeapLock(process: Process, heap: number): boolean {
  const target = heapOf(process, heap);
  if (target === undefined) return false;
  try {
    target.lock();
    return true;
  } catch (error) {
    return toWin32(process, error, false);
  }
}

export function HeapUnlock(process: Process, heap: number): boolean {
  const target = heapOf(process, heap);
  if (target === undefined) return false;
  try {
    target.unlock();
    return true;
  } catch (error) {
    return toWin32(process, error, false);
  }
}

export function HeapSummary(process: Process, heap: number, _flags: number, summary: HEAP_SUMMARY | undefined): boolean {
  const target = heapOf(process, heap);
  if (target === undefined) return false;
  if (summary === undefined) {
    process.lastError = ERROR_NOACCESS;
    return false;
  }
  const size = process.geometry.pointerSize === 8 ? 40 : 20;
  if (summary.cb !== size) {
    process.lastError = ERROR_INVALID_PARAMETER;
    return false;
  }
  try {
    const result = target.summary();
    summary.cbAllocated = result.allocated;
    summary.cbCommitted = result.committed;
    summary.cbReserved = result.reserved;
    summary.cbMaxReserve = result.maximumReserve;
    return true;
  } catch (error) {
    return toWin32(process, error, false);
  }
}

/**
 * HeapQueryInformation(heap, HeapCompatibilityInformation, info, length, returned): writes the ULONG value into
 * `info.value` and its size (4) into `returned.value`.
 */
export function HeapQueryInformation(
  process: Process,
  heap: number,
  informationClass: number,
  info: ValueBox | undefined,
  length: number,
  returned: ValueBox | undefined,
): boolean {
  if (informationClass !== HeapCompatibilityInformation) {
    process.lastError = ERROR_INVALID_PARAMETER;
    return false;
  }
  // The heap is read before anything else: NULL or a stranger faults (ERROR_NOACCESS), length untouched.
  const target = heap ? findHeap(process, heap) : undefined;
  if (target === undefined) {
    process.lastError = ERROR_NOACCESS;
    return false;
  }
  if (returned !== undefined) returned.value = 4;
  if (info === undefined || !(length >= 4)) {
    process.lastError = ERROR_INSUFFICIENT_BUFFER;
    return false;
  }
  try {
    info.value = target.compatibility;
    return true;
  } catch (error) {
    return toWin32(process, error, false);
  }
}

/**
 * HeapSetInformation: HeapCompatibilityInformation takes the ULONG value itself (2 switches the heap to the LFH,
 * for good); HeapEnableTerminationOnCorruption (heap NULL, no buffer) turns termination on process-wide.
 */
export function HeapSetInformation(
  process: Process,
  heap: number,
  informationClass: number,
  value: number | undefined,
  length: number,
): boolean {
  switch (informationClass) {
    case HeapEnableTerminationOnCorruption:
      enableTerminationOnCorruption(process);
      return true;
    case HeapCompatibilityInformation: {
      const target = heap ? findHeap(process, heap) : undefined;
      if (target === undefined) {
        process.lastError = ERROR_NOACCESS;
        return false;
      }
      if (value === undefined) {
        process.lastError = ERROR_NOACCESS;
        return false;
      }
      if (!(length >= 4)) {
        process.lastError = ERROR_INSUFFICIENT_BUFFER;
        return false;
      }
      try {
        target.setCompatibility(value);
        return true;
      } catch (error) {
        return toWin32(process, error, false);
      }
    }
    case HeapOptimizeResources: {
      // HEAP_OPTIMIZE_RESOURCES_INFORMATION is 8 bytes; NULL heap means every heap of the process.
      if (length < 8) {
        process.lastError = ERROR_INSUFFICIENT_BUFFER;
        return false;
      }
      const targets = heap ? [findHeap(process, heap)] : processHeaps(process).heaps;
      try {
        for (const target of targets) {
          if (target === undefined) {
            process.lastError = ERROR_INVALID_HANDLE;
            return false;
          }
          target.compact();
        }
        return true;
      } catch (error) {
        return toWin32(process, error, false);
      }
    }
    default:
      process.lastError = ERROR_INVALID_PARAMETER;
      return false;
  }
}

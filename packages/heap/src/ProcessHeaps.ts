// The heaps of each process: a registry hung off the Process in a WeakMap (created on first use), with the
// process heap first and HeapCreate heaps after it in creation order, the handle → heap map, the process's
// heap strategy and the process-wide termination-on-corruption flag. HeapCreate's rounding lives here.
import type { Process } from '@mem/pages';
import { ERROR_INVALID_HANDLE, ERROR_NOT_ENOUGH_MEMORY, MemError } from '@mem/pages';
import type { HeapStrategy } from './api';
import { HEAP_CREATE_ENABLE_EXECUTE, HEAP_GROWABLE, largeBlockThreshold } from './constants';
import { frontEndAllowed, Heap, HEAP_CREATE_KEPT_FLAGS, type HeapCreation, type HeapOwner } from './Heap';
import { ProcessPageSource } from './sources/ProcessPageSource';
import { createLowFragmentationHeap } from './strategies/lfh';
import { getStrategy } from './strategies/registry';
import { SegregatedHeap } from './strategies/segregated';

/** The heap strategy processes get when none is named: Windows since Vista (NT back end + LFH). */
export const DEFAULT_HEAP_STRATEGY = 'lfh';

/** Reservation of the process heap (the image's default SizeOfHeapReserve, 1 MiB). */
const PROCESS_HEAP_RESERVE = 0x100000;
/** A growable heap reserves its initial size plus this (H-003). */
const GROWABLE_EXTRA_RESERVE = 0x10000;

export interface HeapCreateOptions {
  /** HeapCreate flOptions (HEAP_NO_SERIALIZE, HEAP_GENERATE_EXCEPTIONS, HEAP_CREATE_ENABLE_EXECUTE, debug flags). */
  flags?: number;
  /** dwInitialSize in bytes. */
  initialSize?: number;
  /** dwMaximumSize in bytes; 0 (default) makes a growable heap. */
  maximumSize?: number;
}

/** The heap registry of one process. */
export class ProcessHeapList implements HeapOwner {
  readonly process: Process;
  /** Strategy of the process's heaps ('lfh', 'segregated', or any registered name). */
  readonly strategyName: string;
  private terminate: boolean;
  /** Process heap first, then HeapCreate order. */
  readonly heaps: Heap[] = [];
  readonly byHandle = new Map<number, Heap>();
  processHeap: Heap | undefined;

  constructor(process: Process, strategyName: string) {
    this.process = process;
    this.strategyName = strategyName;
    // Windows turns termination on for every 64-bit process (and for 32-bit images of subsystem 6+;
    // our 32-bit processes stand for older images, so they start without it).
    this.terminate = process.geometry.pointerSize === 8;
  }

  /** HeapEnableTerminationOnCorruption is in force for the process (it can only be turned on). */
  get terminateOnCorruption(): boolean {
    return this.terminate;
  }

  enableTerminationOnCorruption(): void {
    this.terminate = true;
  }

  createStrategy(name: string, creation: HeapCreation, previous?: HeapStrategy): HeapStrategy {
    const options = {
      source: creation.source,
      initialReserve: creation.initialReserve,
      initialCommit: creation.initialCommit,
      maximumSize: creation.maximumSize,
    };
    if (previous !== undefined) return takeOver(name, previous);
    return getStrategy(name)(options);
  }

  destroyHeap(heap: Heap): void {
    if (heap === this.processHeap || this.byHandle.get(heap.handle) !== heap) {
      throw new MemError(ERROR_INVALID_HANDLE, 'the process heap cannot be destroyed');
    }
    this.byHandle.delete(heap.handle);
    this.heaps.splice(this.heaps.indexOf(heap), 1);
    heap.release();
    forgetFound(heap);
  }

  add(heap: Heap): void {
    this.heaps.push(heap);
    this.byHandle.set(heap.handle, heap);
  }
}

/**
 * The LFH front end taking over a heap's existing back end (HeapSetInformation(…, 2) on a 'segregated' heap):
 * the blocks already handed out stay valid. Other strategies have no back end to take over and stay as they are.
 */
function takeOver(name: string, previous: HeapStrategy): HeapStrategy {
  if (name === 'lfh' && previous instanceof SegregatedHeap) return createLowFragmentationHeap(previous);
  return previous;
}

const registries = new WeakMap<Process, ProcessHeapList>();

/** The registry of a process, made with its process heap (of strategy `strategyName`) on first use. */
function registryOf(process: Process, strategyName: string): ProcessHeapList {
  let list = registries.get(process);
  if (list === undefined) {
    list = new ProcessHeapList(process, strategyName);
    registries.set(process, list);
    list.processHeap = makeHeap(list, HEAP_GROWABLE, 0, 0, PROCESS_HEAP_RESERVE);
  }
  return list;
}

/** The heap registry of a process (made with a default-strategy process heap if nothing made it before). */
export function processHeaps(process: Process): ProcessHeapList {
  return registryOf(process, DEFAULT_HEAP_STRATEGY);
}

/**
 * Creates the process heap of a new process with the system's heap strategy (kernel32's createProcess calls
 * it) and returns it. The first call for a process decides its strategy; later calls return the same heap.
 * An unknown strategy name is MemError(ERROR_INVALID_PARAMETER).
 */
export function createProcessHeap(process: Process, strategyName: string = DEFAULT_HEAP_STRATEGY): Heap {
  getStrategy(strategyName);
  return registryOf(process, strategyName).processHeap!;
}

/** GetProcessHeap's heap. */
export function getProcessHeap(process: Process): Heap {
  return processHeaps(process).processHeap!;
}

/** HeapCreate: a new private heap of the process. Throws MemError(ERROR_NOT_ENOUGH_MEMORY) when it cannot. */
export function createHeap(process: Process, options: HeapCreateOptions = {}): Heap {
  const list = processHeaps(process);
  return makeHeap(list, options.flags ?? 0, options.initialSize ?? 0, options.maximumSize ?? 0, 0);
}

/** The heap whose handle is `handle`, or undefined. */
export function findHeap(process: Process, handle: number): Heap | undefined {
  // Every HeapAlloc/HeapFree names its heap: the last one found answers without the two map look-ups.
  const cached = lastFound;
  if (cached !== undefined && handle === lastFoundHandle && process === lastFoundProcess && !cached.destroyed) return cached;
  const heap = processHeaps(process).byHandle.get(handle);
  if (heap !== undefined) {
    lastFoundProcess = process;
    lastFoundHandle = handle;
    lastFound = heap;
  }
  return heap;
}

/** Drops findHeap's cache entry for a destroyed heap (so that it keeps neither the heap nor its process alive). */
function forgetFound(heap: Heap): void {
  if (lastFound === heap) {
    lastFound = undefined;
    lastFoundProcess = undefined;
  }
}

/** findHeap's one-entry cache (a destroyed heap never answers: its handle may come back for a new heap). */
let lastFoundProcess: Process | undefined;
let lastFoundHandle = 0;
let lastFound: Heap | undefined;

/** HeapDestroy's core: the process heap cannot be destroyed (MemError(ERROR_INVALID_HANDLE), as Windows). */
export function destroyHeap(process: Process, heap: Heap): void {
  processHeaps(process).destroyHeap(heap);
}

/** Every heap of the process: the process heap first, then HeapCreate order (GetProcessHeaps). */
export function listHeaps(process: Process): readonly Heap[] {
  return processHeaps(process).heaps;
}

/** HeapSetInformation(NULL, HeapEnableTerminationOnCorruption): process-wide and irreversible. */
export function enableTerminationOnCorruption(process: Process): void {
  processHeaps(process).enableTerminationOnCorruption();
}

function makeHeap(
  list: ProcessHeapList,
  flags: number,
  initialSize: number,
  maximumSize: number,
  reserve: number,
): Heap {
  const geometry = list.process.geometry;
  const pageSize = geometry.pageSize;
  const pointerSize = geometry.pointerSize;
  const kept = flags & HEAP_CREATE_KEPT_FLAGS;
  const roundUp = (value: number, unit: number) => Math.ceil(value / unit) * unit;
  if (!(initialSize >= 0) || !(maximumSize >= 0)) throw new MemError(ERROR_NOT_ENOUGH_MEMORY, 'bad heap size');
  // The first commit: the initial size in pages, at least the heap header's 0x400·ptr bytes (H-029).
  let initialCommit = Math.max(roundUp(initialSize, pageSize), 0x400 * pointerSize);
  let fixedSize = 0;
  let initialReserve: number;
  if (maximumSize > 0) {
    // A fixed heap reserves its maximum rounded to 0x400·ptr (H-004), never less than its initial size.
    fixedSize = roundUp(Math.max(maximumSize, initialCommit), 0x400 * pointerSize);
    fixedSize = roundUp(fixedSize, pageSize);
    const userSpan = geometry.highestUserAddress + 1 - geometry.lowestUserAddress;
    if (fixedSize > userSpan) throw new MemError(ERROR_NOT_ENOUGH_MEMORY, 'the maximum size exceeds the address space');
    initialCommit = Math.min(initialCommit, fixedSize);
    initialReserve = fixedSize;
  } else {
    initialReserve = reserve !== 0 ? reserve : roundUp(initialSize, pageSize) + GROWABLE_EXTRA_RESERVE;
  }
  const source = new ProcessPageSource(list.process, { executable: (kept & HEAP_CREATE_ENABLE_EXECUTE) !== 0 });
  const creation: HeapCreation = { source, flags: kept, initialCommit, initialReserve, maximumSize: fixedSize };
  let strategyName = list.strategyName;
  if (strategyName === 'lfh' && !frontEndAllowed(kept, fixedSize)) strategyName = 'segregated';
  let heap: Heap;
  try {
    heap = new Heap(list, creation, strategyName, largeBlockThreshold(pointerSize));
  } catch (error) {
    throw new MemError(ERROR_NOT_ENOUGH_MEMORY, `HeapCreate failed: ${(error as Error).message}`);
  }
  if (heap.handle === 0) throw new MemError(ERROR_NOT_ENOUGH_MEMORY, 'HeapCreate could not reserve memory');
  // Name the heap's reservations (VMMap's "Heap" type and heap ID): later segments get the tag when reserved.
  source.tag = `heap 0x${heap.handle.toString(16)}`;
  const first = list.process.addressSpace.allocationAt(heap.handle);
  if (first !== undefined) first.tag = source.tag;
  list.add(heap);
  return heap;
}

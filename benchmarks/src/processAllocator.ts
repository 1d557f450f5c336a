// The process backend: an Allocator over the Win32 Heap API of a simulated Windows process
// (HeapAlloc / HeapReAlloc / HeapFree on its process heap), its memory seen through `k.mem`.
// Committed bytes come from HeapSummary; the peak from the machine's peak commit charge (the
// process heap is the only thing committing), less what was committed before the first event.
import type { Allocator, HeapStats } from '@mem/heap';
import type { HEAP_SUMMARY } from '@mem/heap/win32';
import { createSystem } from '@mem/kernel32';
import { PointerTable } from './pointerTable';

export interface ProcessAllocatorOptions {
  geometry: 'x86' | 'x64' | 'ia64';
  /** The system's heap strategy (createSystem's heapStrategy). */
  heapStrategy: string;
}

/** RAM and paging file of the simulated machine: room for the traces' peaks. */
const MACHINE_BYTES = 2 ** 31;

export function createProcessAllocator(options: ProcessAllocatorOptions): Allocator {
  const system = createSystem({
    geometry: options.geometry,
    heapStrategy: options.heapStrategy,
    physicalMemory: MACHINE_BYTES,
    pagingFile: MACHINE_BYTES,
  });
  const k = system.createProcess({ name: 'mem-bench' });
  const heap = k.GetProcessHeap();
  const physical = system.machine.physical;
  const pageSize = physical.pageSize;
  const baselinePages = physical.commitChargePages;
  // HeapAlloc aligns to 8 (x86) or 16 (x64); larger alignments are served as _aligned_malloc does.
  const naturalAlignment = k.process.geometry.pointerSize * 2;
  const alignedBlocks = new PointerTable();
  const summary: HEAP_SUMMARY = { cb: k.process.geometry.pointerSize === 8 ? 40 : 20 };
  const summarize = (): HEAP_SUMMARY => {
    if (!k.HeapSummary(heap, 0, summary)) throw new Error(`HeapSummary failed: ${k.GetLastError()}`);
    return summary;
  };
  const failed = (what: string): never => {
    throw new Error(`${what} failed with last error ${k.GetLastError()}`);
  };

  const allocator: Allocator = {
    strategy: options.heapStrategy,
    memory: k.mem,
    bytes: undefined,
    alloc(size: number, alignment?: number): number {
      if (alignment === undefined || alignment <= naturalAlignment) return k.HeapAlloc(heap, 0, size);
      const raw = k.HeapAlloc(heap, 0, size + alignment);
      if (raw === 0) return 0;
      const pointer = Math.ceil((raw + 1) / alignment) * alignment;
      alignedBlocks.set(pointer, raw);
      return pointer;
    },
    calloc(count: number, size: number): number {
      return k.HeapAlloc(heap, 0x00000008 /* HEAP_ZERO_MEMORY */, count * size);
    },
    realloc(pointer: number, size: number): number {
      const raw = alignedBlocks.get(pointer);
      if (raw < 0) return k.HeapReAlloc(heap, 0, pointer, size);
      const moved = k.HeapAlloc(heap, 0, size);
      if (moved === 0) return 0;
      const old = k.HeapSize(heap, 0, raw) - (pointer - raw);
      k.mem.copy(moved, pointer, Math.min(old, size));
      alignedBlocks.delete(pointer);
      if (!k.HeapFree(heap, 0, raw)) failed('HeapFree');
      return moved;
    },
    free(pointer: number): void {
      if (pointer === 0) return;
      const raw = alignedBlocks.delete(pointer);
      if (!k.HeapFree(heap, 0, raw >= 0 ? raw : pointer)) failed(`HeapFree(${pointer})`);
    },
    usableSize(pointer: number): number {
      const raw = alignedBlocks.get(pointer);
      return raw >= 0 ? k.HeapSize(heap, 0, raw) - (pointer - raw) : k.HeapSize(heap, 0, pointer);
    },
    stats(): HeapStats {
      const current = summarize();
      const allocated = current.cbAllocated ?? 0;
      return {
        liveBytes: allocated,
        liveBlocks: 0,
        peakLiveBytes: allocated,
        committedBytes: current.cbCommitted ?? 0,
        peakCommittedBytes: Math.max(current.cbCommitted ?? 0, (physical.peakCommitChargePages - baselinePages) * pageSize),
        reservedBytes: current.cbReserved ?? 0,
        freeBytes: 0,
        largestFreeBlock: 0,
      };
    },
    validate(): void {
      if (!k.HeapValidate(heap, 0, undefined)) failed('HeapValidate');
    },
    walk(): void {},
  };
  return allocator;
}

// createAllocator: a strategy (by name or factory) over any memory — a byte count (a new ArrayBuffer),
// an ArrayBuffer, a growable SharedArrayBuffer, a WebAssembly.Memory, or a PageSource (a simulated
// address space) — behind the malloc-shaped Allocator interface: offsets, 0 on out-of-memory,
// MemError on misuse.
import { ERROR_NOT_ENOUGH_MEMORY, MemError } from '@mem/pages';
import type { Allocator, HeapMemory, HeapStats, HeapStrategy, HeapStrategyFactory, HeapWalkEntry, PageSource } from './api';
import { invalidParameter } from './errors';
import { assertSize } from './numbers';
import { BufferPageSource } from './sources/BufferPageSource';
import { FlatPageSource, type FlatSourceGeometry } from './sources/FlatPageSource';
import { SharedArrayBufferPageSource } from './sources/SharedArrayBufferPageSource';
import { WasmMemoryPageSource } from './sources/WasmMemoryPageSource';
import { getStrategy } from './strategies/registry';

/**
 * A number is a byte count: the allocator makes its own ArrayBuffer of that size, known to be zero, so it
 * never clears pages and the host backs only the pages the heap and its user write.
 */
export type AllocatorMemory =
  | number
  | ArrayBuffer
  | SharedArrayBuffer
  | WebAssembly.Memory
  | PageSource
  | { source: PageSource };

export interface CreateAllocatorOptions {
  /** A registered strategy name ('segregated', 'lfh', 'tlsf', 'bump', …) or a factory. @defaultValue 'lfh' */
  strategy?: string | HeapStrategyFactory;
  memory: AllocatorMemory;
  /** For flat buffers: 'x86' (4-byte pointers, 8-byte blocks), 'x64' (the default), or explicit sizes. */
  geometry?: 'x86' | 'x64' | FlatSourceGeometry;
  /** Passed to the strategy (see HeapStrategyOptions). */
  initialReserve?: number;
  initialCommit?: number;
  maximumSize?: number;
}

function isPageSource(value: unknown): value is PageSource {
  return typeof value === 'object' && value !== null && typeof (value as PageSource).reserve === 'function';
}

function resolveGeometry(geometry: CreateAllocatorOptions['geometry']): FlatSourceGeometry {
  if (geometry === undefined || geometry === 'x64') return { pointerSize: 8 };
  if (geometry === 'x86') return { pointerSize: 4 };
  return geometry;
}

/** The PageSource behind `memory` (a new one for a buffer). */
export function pageSourceFor(memory: AllocatorMemory, geometry?: CreateAllocatorOptions['geometry']): PageSource {
  const flat = resolveGeometry(geometry);
  if (typeof memory === 'number') {
    if (!Number.isSafeInteger(memory) || memory <= 0) throw invalidParameter(`memory must be a positive byte count, got ${memory}`);
    let buffer: ArrayBuffer;
    try {
      buffer = new ArrayBuffer(memory);
    } catch {
      throw new MemError(ERROR_NOT_ENOUGH_MEMORY, `the host cannot allocate a buffer of ${memory} bytes`);
    }
    return new BufferPageSource(buffer, flat, true);
  }
  if (memory instanceof ArrayBuffer) return new BufferPageSource(memory, flat);
  if (typeof SharedArrayBuffer !== 'undefined' && memory instanceof SharedArrayBuffer) {
    return new SharedArrayBufferPageSource(memory, flat);
  }
  if (typeof WebAssembly !== 'undefined' && memory instanceof WebAssembly.Memory) return new WasmMemoryPageSource(memory, flat);
  if (isPageSource(memory)) return memory;
  if (typeof memory === 'object' && memory !== null && isPageSource((memory as { source: unknown }).source)) {
    return (memory as { source: PageSource }).source;
  }
  throw invalidParameter('memory must be a byte count, an ArrayBuffer, SharedArrayBuffer, WebAssembly.Memory or PageSource');
}

class StrategyAllocator implements Allocator {
  readonly strategy: string;
  readonly memory: HeapMemory;
  readonly heap: HeapStrategy;
  readonly source: PageSource;

  constructor(heap: HeapStrategy, source: PageSource) {
    this.heap = heap;
    this.source = source;
    this.strategy = heap.name;
    this.memory = source.memory;
  }

  get bytes(): Uint8Array | undefined {
    return this.source instanceof FlatPageSource ? this.source.bytes : undefined;
  }

  alloc(size: number, alignment?: number): number {
    return this.heap.allocate(size, alignment ?? 0);
  }

  calloc(count: number, size: number): number {
    assertSize(count);
    assertSize(size);
    const total = count * size;
    if (!Number.isSafeInteger(total)) return 0;
    const pointer = this.heap.allocate(total, 0);
    if (pointer !== 0 && total > 0) this.memory.fill(pointer, total, 0);
    return pointer;
  }

  realloc(pointer: number, size: number): number {
    if (pointer === 0) return this.heap.allocate(size, 0);
    const oldSize = this.heap.sizeOf(pointer);
    if (this.heap.resizeInPlace(pointer, size)) return pointer;
    const moved = this.heap.allocate(size, 0);
    if (moved === 0) return 0;
    const keep = Math.min(oldSize, size);
    if (keep > 0) this.memory.copy(moved, pointer, keep);
    this.heap.free(pointer);
    return moved;
  }

  free(pointer: number): void {
    if (pointer === 0) return;
    this.heap.free(pointer);
  }

  usableSize(pointer: number): number {
    return this.heap.usableSize(pointer);
  }

  stats(): HeapStats {
    return this.heap.stats();
  }

  validate(): void {
    this.heap.validate();
  }

  walk(visit: (entry: HeapWalkEntry) => void): void {
    this.heap.walk(visit);
  }
}

/** A malloc-shaped allocator: `createAllocator({ strategy: 'lfh', memory: new ArrayBuffer(64 << 20) })`. */
export function createAllocator(options: CreateAllocatorOptions): Allocator {
  const source = pageSourceFor(options.memory, options.geometry);
  const factory = typeof options.strategy === 'function' ? options.strategy : getStrategy(options.strategy ?? 'lfh');
  const heap = factory({
    source,
    initialReserve: options.initialReserve,
    initialCommit: options.initialCommit,
    maximumSize: options.maximumSize,
  });
  return new StrategyAllocator(heap, source);
}

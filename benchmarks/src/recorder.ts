// recordAllocator: wraps any Allocator so that every successful alloc, calloc, realloc and free is
// recorded as an `mtrace v1` event, with block ids renumbered like the shared traces (the smallest
// id not in use). Users replay their own program's allocation pattern with it.
import type { Writable } from 'node:stream';
import type { Allocator, HeapMemory, HeapStats, HeapWalkEntry } from '@mem/heap';
import { IdPool } from './idPool';
import { PointerTable } from './pointerTable';
import { type Trace, TraceBuilder } from './trace';
import { writeTrace } from './traceWriter';

/** Where a recording goes when it is closed: a file path (gzip when it ends in .gz) or a stream. */
export type TraceSink = string | Writable | { path: string; gzip?: boolean } | undefined;

export interface RecordOptions {
  /** The `# program:` header line (default `recorded`). */
  program?: string;
}

export interface RecordingAllocator extends Allocator {
  /** The events recorded so far, as a replayable trace. */
  trace(): Trace;
  /** Writes the recording to the sink (if any) and returns it. The allocator stays usable. */
  close(): Promise<Trace>;
}

/** Wraps `allocator`; everything it does successfully is recorded. */
export function recordAllocator(allocator: Allocator, sink?: TraceSink, options: RecordOptions = {}): RecordingAllocator {
  const program = options.program ?? 'recorded';
  const builder = new TraceBuilder();
  const ids = new IdPool();
  const blockIds = new PointerTable();

  const recordAlloc = (pointer: number, size: number, alignment: number): void => {
    if (pointer === 0) return;
    const id = ids.take();
    blockIds.set(pointer, id);
    builder.alloc(id, size, alignment);
  };

  const recording: RecordingAllocator = {
    get strategy(): string {
      return allocator.strategy;
    },
    get memory(): HeapMemory {
      return allocator.memory;
    },
    get bytes(): Uint8Array | undefined {
      return allocator.bytes;
    },
    alloc(size: number, alignment?: number): number {
      const pointer = alignment === undefined ? allocator.alloc(size) : allocator.alloc(size, alignment);
      recordAlloc(pointer, size, alignment ?? 0);
      return pointer;
    },
    calloc(count: number, size: number): number {
      const pointer = allocator.calloc(count, size);
      recordAlloc(pointer, count * size, 0);
      return pointer;
    },
    realloc(pointer: number, size: number): number {
      if (pointer === 0) return recording.alloc(size);
      const moved = allocator.realloc(pointer, size);
      if (moved === 0) return 0;
      const id = blockIds.delete(pointer);
      if (id < 0) return moved; // not a block we saw allocated: the inner allocator accepted it; nothing to record
      blockIds.set(moved, id);
      builder.realloc(id, size);
      return moved;
    },
    free(pointer: number): void {
      allocator.free(pointer);
      if (pointer === 0) return;
      const id = blockIds.delete(pointer);
      if (id < 0) return;
      builder.free(id);
      ids.give(id);
    },
    usableSize(pointer: number): number {
      return allocator.usableSize(pointer);
    },
    stats(): HeapStats {
      return allocator.stats();
    },
    validate(): void {
      allocator.validate();
    },
    walk(visit: (entry: HeapWalkEntry) => void): void {
      allocator.walk(visit);
    },
    trace(): Trace {
      return builder.toTrace(program);
    },
    async close(): Promise<Trace> {
      const trace = builder.toTrace(program);
      if (sink === undefined) return trace;
      if (typeof sink === 'string') await writeTrace(trace, sink);
      else if ('path' in sink && typeof sink.path === 'string' && !('write' in sink)) {
        await writeTrace(trace, sink.path, sink.gzip === undefined ? {} : { gzip: sink.gzip });
      } else await writeTrace(trace, sink as Writable);
      return trace;
    },
  };
  return recording;
}

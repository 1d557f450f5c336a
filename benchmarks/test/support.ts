// Test helpers: a small trace built by hand, and allocators broken on purpose around a real one.
import type { Allocator } from '@mem/heap';
import { createBenchAllocator, type Trace, TraceBuilder } from '../src/index';

export function realAllocator(strategy = 'tlsf', geometry: 'x86' | 'x64' = 'x64'): Allocator {
  return createBenchAllocator({ strategy, geometry, backend: 'buffer', memoryBytes: 16 * 2 ** 20 });
}

/** Allocates ids 0..count-1 with growing sizes, resizes every third, frees every other. */
export function smallTrace(count = 64): Trace {
  const builder = new TraceBuilder();
  for (let id = 0; id < count; id++) builder.alloc(id, 16 + id * 8);
  for (let id = 0; id < count; id += 3) builder.realloc(id, 400 + id);
  for (let id = 0; id < count; id += 2) builder.free(id);
  for (let id = 0; id < count; id += 2) builder.alloc(id, 40, id % 8 === 0 ? 64 : 0);
  for (let id = 0; id < count; id++) builder.free(id);
  return builder.toTrace('small');
}

/** Delegates everything to `inner`, with some methods replaced. */
export function wrap(inner: Allocator, overrides: Partial<Allocator>): Allocator {
  return {
    get strategy() {
      return inner.strategy;
    },
    get memory() {
      return inner.memory;
    },
    get bytes() {
      return inner.bytes;
    },
    alloc: (size, alignment) => inner.alloc(size, alignment),
    calloc: (count, size) => inner.calloc(count, size),
    realloc: (pointer, size) => inner.realloc(pointer, size),
    free: (pointer) => inner.free(pointer),
    usableSize: (pointer) => inner.usableSize(pointer),
    stats: () => inner.stats(),
    validate: () => inner.validate(),
    walk: (visit) => inner.walk(visit),
    ...overrides,
  };
}

/** Every fifth allocation overlaps the block allocated just before it (starts 8 bytes into it). */
export function overlappingAllocator(inner: Allocator): Allocator {
  let count = 0;
  let previous = 0;
  return wrap(inner, {
    alloc(size, alignment) {
      count++;
      const pointer = inner.alloc(size + 64, alignment);
      const result = count % 5 === 0 && previous !== 0 ? previous + 8 : pointer;
      previous = pointer;
      return result;
    },
    free(pointer) {
      // The overlapping blocks were never really allocated: the inner heap refuses their frees.
      try {
        inner.free(pointer);
      } catch {
        // an interior pointer of the wrapped heap
      }
    },
  });
}

/** realloc moves every block to a new one without copying the contents. */
export function forgetfulAllocator(inner: Allocator): Allocator {
  return wrap(inner, {
    realloc(pointer, size) {
      const moved = inner.alloc(size);
      if (moved !== 0) inner.free(pointer);
      return moved;
    },
  });
}

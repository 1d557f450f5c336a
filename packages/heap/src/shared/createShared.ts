// Making and joining a shared heap: createSharedAllocator lays the control block, slots and live
// bitmap out at the start of a SharedArrayBuffer and publishes the magic word last;
// attachSharedAllocator (in any thread that received the buffer) checks it and returns that thread's
// door. The buffer may be growable (`new SharedArrayBuffer(n, { maxByteLength })`): the heap manages
// up to maxByteLength and grows the buffer, which every thread sees (a growable buffer's length is shared).
import { HEAP_NO_SERIALIZE } from '../constants';
import { invalidParameter } from '../errors';
import {
  C_BITMAP_START,
  C_FRONT_END,
  C_HEAP_START,
  C_LIMIT,
  C_MAGIC,
  C_NO_SERIALIZE,
  C_PEAK_TOP,
  C_SLOTS_START,
  C_TOP,
  C_VERSION,
  MAX_MANAGED_BYTES,
  PAGE_SIZE,
  SHARED_HEAP_MAGIC,
  SHARED_HEAP_VERSION,
  computeLayout,
} from './layout';
import { SharedAllocator, type SharedAllocatorHandle } from './SharedAllocator';

export interface CreateSharedAllocatorOptions {
  /** The heap's memory, shared with the workers. A growable one grows up to its maxByteLength. */
  memory: SharedArrayBuffer;
  /**
   * HEAP_NO_SERIALIZE (0x1): no locking at all (one thread at a time is the caller's business), and no
   * front end, as Windows gives no LFH to such heaps. Other bits are refused. @defaultValue 0
   */
  flags?: number;
  /** Per-thread caches for requests up to 1008 bytes (LFH-like). @defaultValue true */
  frontEnd?: boolean;
}

interface MaybeGrowable extends SharedArrayBuffer {
  readonly growable?: boolean;
  readonly maxByteLength?: number;
  grow?(length: number): void;
}

/**
 * A heap whose whole state lives in `memory`, and this thread's door to it. Pass `handle()` to workers
 * (postMessage) and call attachSharedAllocator there.
 */
export function createSharedAllocator(options: CreateSharedAllocatorOptions): SharedAllocator {
  const buffer = options.memory as MaybeGrowable;
  if (typeof SharedArrayBuffer === 'undefined' || !(buffer instanceof SharedArrayBuffer)) {
    throw invalidParameter('memory must be a SharedArrayBuffer');
  }
  const flags = options.flags ?? 0;
  if (!Number.isInteger(flags) || (flags & ~HEAP_NO_SERIALIZE) !== 0) throw invalidParameter(`unsupported flags 0x${flags.toString(16)}`);
  const growable = buffer.growable === true;
  const capacity = growable ? (buffer.maxByteLength as number) : buffer.byteLength;
  const limit = Math.floor(Math.min(capacity, MAX_MANAGED_BYTES) / PAGE_SIZE) * PAGE_SIZE;
  const layout = computeLayout(limit);
  if (layout.heapStart + PAGE_SIZE > limit) {
    throw invalidParameter(`memory of ${capacity} bytes is too small: the heap's metadata alone takes ${layout.heapStart}`);
  }
  if (buffer.byteLength < layout.heapStart) buffer.grow?.(layout.heapStart);
  const words = new Int32Array(buffer);
  if (Atomics.load(words, C_MAGIC) !== 0) throw invalidParameter('memory already holds a shared heap: attach to it instead');
  const noSerialize = (flags & HEAP_NO_SERIALIZE) !== 0;
  words[C_VERSION] = SHARED_HEAP_VERSION;
  words[C_LIMIT] = limit;
  words[C_NO_SERIALIZE] = noSerialize ? 1 : 0;
  words[C_FRONT_END] = !noSerialize && options.frontEnd !== false ? 1 : 0;
  words[C_SLOTS_START] = layout.slotsStart;
  words[C_BITMAP_START] = layout.bitmapStart;
  words[C_HEAP_START] = layout.heapStart;
  words[C_TOP] = layout.heapStart;
  words[C_PEAK_TOP] = layout.heapStart;
  // Published last: an attaching thread that sees the magic sees everything above (Atomics are sequentially consistent).
  Atomics.store(words, C_MAGIC, SHARED_HEAP_MAGIC);
  return new SharedAllocator(buffer);
}

/** This thread's door to a shared heap made by createSharedAllocator (anywhere). Attach once per thread. */
export function attachSharedAllocator(handle: SharedAllocatorHandle | SharedArrayBuffer): SharedAllocator {
  const buffer = handle instanceof SharedArrayBuffer ? handle : handle?.memory;
  if (!(buffer instanceof SharedArrayBuffer)) throw invalidParameter('handle must come from SharedAllocator.handle()');
  return new SharedAllocator(buffer);
}

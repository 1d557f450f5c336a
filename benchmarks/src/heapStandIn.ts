// TEMPORARY stand-in for @mem/heap's createAllocator while the real strategies land. Delete me.
import type { Allocator, HeapStats } from './heapApi';
import { bufferMemory } from './bufferMemory';

export function listStrategies(): string[] {
  return ['standin'];
}

export function createAllocator(options: { strategy: string; memory: ArrayBuffer; geometry?: string }): Allocator {
  const buffer = options.memory;
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const header = options.geometry === 'x86' ? 8 : 16;
  const lists = new Map<number, number[]>();
  let top = header;
  let live = 0;
  let peakLive = 0;
  let high = 0;
  const round = (size: number) => Math.max(header, Math.ceil(size / header) * header);
  const a: Allocator = {
    strategy: options.strategy,
    memory: bufferMemory(buffer),
    bytes,
    alloc(size, alignment) {
      const rounded = round(size + (alignment ?? 0));
      const list = lists.get(rounded);
      let block = list?.pop();
      if (block === undefined) {
        if (top + rounded + header > buffer.byteLength) return 0;
        block = top + header;
        top += rounded + header;
        if (top > high) high = top;
      }
      view.setFloat64(block - 8, size, true);
      view.setFloat64(block - 16 < 0 ? 0 : block - 16, rounded, true);
      live += size;
      if (live > peakLive) peakLive = live;
      return block;
    },
    calloc(count, size) {
      const p = a.alloc(count * size);
      if (p) bytes.fill(0, p, p + count * size);
      return p;
    },
    realloc(pointer, size) {
      const old = view.getFloat64(pointer - 8, true);
      const p = a.alloc(size);
      if (p === 0) return 0;
      bytes.copyWithin(p, pointer, pointer + Math.min(old, size));
      a.free(pointer);
      return p;
    },
    free(pointer) {
      const size = view.getFloat64(pointer - 8, true);
      const rounded = view.getFloat64(pointer - 16, true);
      live -= size;
      let list = lists.get(rounded);
      if (!list) lists.set(rounded, (list = []));
      list.push(pointer);
    },
    usableSize(pointer) {
      return view.getFloat64(pointer - 16, true);
    },
    stats(): HeapStats {
      const committed = Math.ceil(high / 4096) * 4096;
      return {
        liveBytes: live,
        liveBlocks: 0,
        peakLiveBytes: peakLive,
        committedBytes: committed,
        peakCommittedBytes: committed,
        reservedBytes: buffer.byteLength,
        freeBytes: 0,
        largestFreeBlock: 0,
      };
    },
    validate() {},
    walk() {},
  };
  return a;
}

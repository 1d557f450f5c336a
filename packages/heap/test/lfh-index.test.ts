// The LFH front end's host-side indexes and fast paths: the page index that maps an address to its
// subsegment (and its fallback when addresses span too much), chunk headers read as words of a flat
// buffer that grows or is replaced, the per-bucket stacks of subsegments with room, and the activation
// counters kept from the back end's live bytes. Random sequences against a reference model, validate()
// after every step, misuse refused with nothing changed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HeapMemory, PageSource } from '../src/api';
import { BufferPageSource } from '../src/sources/BufferPageSource';
import { SharedArrayBufferPageSource } from '../src/sources/SharedArrayBufferPageSource';
import { WasmMemoryPageSource } from '../src/sources/WasmMemoryPageSource';
import { createLowFragmentationHeap, type LowFragmentationHeap } from '../src/strategies/lfh';
import { SegregatedHeap } from '../src/strategies/segregated';
import { errorCode } from '../src/testing';
import { bufferSource, GrowableSharedArrayBuffer, highSource } from './support/sources';

const HEAP_CORRUPTION = 0xc0000374;
const INVALID_PARAMETER = 87;
/** Addresses this far apart cannot share the LFH's page index (it covers at most 8 GiB). */
const FAR = 2 ** 36;

function lfhOver(source: PageSource, activateImmediately = true): LowFragmentationHeap {
  return createLowFragmentationHeap(new SegregatedHeap({ source }), { activateImmediately });
}

/**
 * A flat source whose reservations alternate between the buffer's own addresses and the same bytes
 * seen FAR higher, so one heap's segments (and the subsegments in them) lie 64 GiB apart.
 */
function splitSource(pointerSize: 4 | 8): PageSource {
  const flat = bufferSource(pointerSize, 64 << 20);
  const inner = flat.memory;
  const down = (address: number): number => (address >= FAR ? address - FAR : address);
  const memory: HeapMemory = {
    getUint8: (address) => inner.getUint8(down(address)),
    setUint8: (address, value) => inner.setUint8(down(address), value),
    getUint16: (address) => inner.getUint16(down(address)),
    setUint16: (address, value) => inner.setUint16(down(address), value),
    getUint32: (address) => inner.getUint32(down(address)),
    setUint32: (address, value) => inner.setUint32(down(address), value),
    getFloat64: (address) => inner.getFloat64(down(address)),
    setFloat64: (address, value) => inner.setFloat64(down(address), value),
    read: (address, length) => inner.read(down(address), length),
    write: (address, bytes) => inner.write(down(address), bytes),
    fill: (address, length, byte) => inner.fill(down(address), length, byte),
    copy: (destination, source, length) => inner.copy(down(destination), down(source), length),
  };
  let reservations = 0;
  return {
    memory,
    pageSize: flat.pageSize,
    granularity: flat.granularity,
    pointerSize,
    reserve(size: number): number {
      const base = flat.reserve(size);
      if (base === 0) return 0;
      return reservations++ % 2 === 0 ? base : base + FAR;
    },
    commit: (address, size) => flat.commit(down(address), size),
    decommit: (address, size) => flat.decommit(down(address), size),
    release: (address, size) => flat.release(down(address), size),
  };
}

type Step = { kind: 'alloc'; size: number } | { kind: 'free'; pick: number } | { kind: 'resize'; pick: number; size: number };

const blockSize = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(1, 16, 24, 100, 200, 1000) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 3000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 9000, max: 40_000 }) },
);

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('alloc' as const), size: blockSize }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resize' as const), pick: fc.nat(), size: blockSize }) },
);

/** Runs `steps` against a model of live blocks (pointer → size); validate() and misuse checks after each. */
function runModel(heap: LowFragmentationHeap, steps: Step[]): void {
  const live = new Map<number, number>();
  const order: number[] = [];
  // Blocks live before the sequence stay live through it.
  const alreadyLive = heap.stats().liveBytes;
  let expectedBytes = alreadyLive;
  for (const next of steps) {
    if (next.kind === 'alloc') {
      const pointer = heap.allocate(next.size);
      expect(pointer).not.toBe(0);
      expect(live.has(pointer)).toBe(false);
      expect(heap.sizeOf(pointer)).toBe(next.size);
      live.set(pointer, next.size);
      order.push(pointer);
      expectedBytes += next.size;
    } else if (order.length > 0) {
      const at = next.pick % order.length;
      const pointer = order[at] as number;
      const size = live.get(pointer) as number;
      if (next.kind === 'free') {
        heap.free(pointer);
        live.delete(pointer);
        order.splice(at, 1);
        expectedBytes -= size;
        // A freed block and an interior pointer are refused, and nothing changes.
        const before = heap.stats();
        expect(errorCode(() => heap.free(pointer))).toBe(INVALID_PARAMETER);
        expect(heap.owns(pointer)).toBe(false);
        expect(heap.stats()).toEqual(before);
      } else if (heap.resizeInPlace(pointer, next.size)) {
        live.set(pointer, next.size);
        expectedBytes += next.size - size;
        expect(heap.sizeOf(pointer)).toBe(next.size);
      } else {
        expect(heap.sizeOf(pointer)).toBe(size);
      }
    }
    if (order.length > 0) {
      const pointer = order[order.length - 1] as number;
      expect(errorCode(() => heap.free(pointer + 8))).toBe(INVALID_PARAMETER);
    }
    heap.validate();
    expect(heap.stats().liveBytes).toBe(expectedBytes);
  }
  for (const pointer of order) {
    expect(heap.owns(pointer)).toBe(true);
    heap.free(pointer);
  }
  heap.validate();
  expect(heap.stats().liveBytes).toBe(alreadyLive);
}

describe.each([4, 8] as const)('LFH indexes, pointer size %i', (pointerSize) => {
  it('finds every chunk and back-end block through the page index (random sequences, flat buffer)', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 150 }), (steps) => {
        runModel(lfhOver(bufferSource(pointerSize)), steps);
      }),
      { numRuns: 25 },
    );
  });

  it('does the same through HeapMemory at high addresses (no word view; past 2^32 on x64)', () => {
    const offset = pointerSize === 8 ? 2 ** 40 + 2 ** 31 : 2 ** 31 + 2 ** 30;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), (steps) => {
        runModel(lfhOver(highSource(pointerSize, offset, 24 << 20)), steps);
      }),
      { numRuns: 15 },
    );
  });

  it('reuses released subsegments and their ids: the index forgets a released range', () => {
    const heap = lfhOver(bufferSource(pointerSize));
    const rounds: number[][] = [];
    for (let round = 0; round < 3; round++) {
      const blocks = Array.from({ length: 600 }, (_, i) => heap.allocate(i % 2 === 0 ? 48 : 700));
      rounds.push(blocks);
      // Free every block but a few: emptied subsegments go back to the back end.
      for (const pointer of blocks.slice(10)) heap.free(pointer);
      heap.validate();
      for (const pointer of blocks.slice(10)) expect(heap.owns(pointer)).toBe(false);
      heap.compact();
      heap.validate();
      // Only subsegments holding the ten blocks kept (of every round so far) remain.
      const subsegments = [] as number[];
      heap.walk((entry) => {
        if (entry.kind === 'subsegment') subsegments.push(entry.address);
      });
      expect(subsegments.length).toBeLessThanOrEqual(10 * (round + 1));
    }
    // A back-end block now lying where a released subsegment was is freed through the back end.
    const big = heap.allocate(5000);
    heap.validate();
    heap.free(big);
    for (const blocks of rounds) for (const pointer of blocks.slice(0, 10)) heap.free(pointer);
    heap.validate();
    expect(heap.stats().liveBytes).toBe(0);
  });

  it('extends the page index downwards when a subsegment lands below the first one', () => {
    const heap = lfhOver(bufferSource(pointerSize));
    // Back-end blocks (over 16 KiB) fill the low addresses, the first subsegment goes above them.
    const low = Array.from({ length: 40 }, () => heap.allocate(20_000));
    const first = heap.allocate(32);
    expect(first).toBeGreaterThan(Math.max(...low));
    for (const pointer of low) heap.free(pointer);
    // New buckets' subsegments now fill the freed range below it.
    const chunks = [16, 100, 300, 600, 900, 2000, 4000, 8000].flatMap((size) =>
      Array.from({ length: 5 }, () => heap.allocate(size)),
    );
    expect(Math.min(...chunks)).toBeLessThan(first);
    heap.validate();
    for (const pointer of chunks) expect(heap.isFrontEndBlock(pointer)).toBe(true);
    for (const pointer of [first, ...chunks]) heap.free(pointer);
    heap.validate();
    expect(heap.stats().liveBytes).toBe(0);
  });

  it('refuses interior pointers whose bytes below forge a chunk header, and non-number pointers', () => {
    const heap = lfhOver(bufferSource(pointerSize));
    const chunk = heap.allocate(200);
    const other = heap.allocate(200);
    const back = heap.allocate(20_000);
    // Copy a live chunk's real header words into the user data of `chunk` at every 8-byte offset.
    const word0 = heap.memory.getUint32(other - 8);
    const word1 = heap.memory.getUint32(other - 4);
    for (let offset = 8; offset + 8 <= 200; offset += 8) {
      heap.memory.setUint32(chunk + offset - 8, word0);
      heap.memory.setUint32(chunk + offset - 4, word1);
    }
    const before = heap.stats();
    for (let offset = 8; offset + 8 <= 200; offset += 8) {
      expect(errorCode(() => heap.free(chunk + offset))).toBe(INVALID_PARAMETER);
      expect(heap.owns(chunk + offset)).toBe(false);
    }
    // The same forged words in a back-end block's data: its interior is refused too.
    heap.memory.setUint32(back + 64 - 8, word0);
    heap.memory.setUint32(back + 64 - 4, word1);
    expect(errorCode(() => heap.free(back + 64))).toBe(INVALID_PARAMETER);
    for (const bad of [String(other), { valueOf: () => other }, Number.NaN, -8, 2 ** 53]) {
      expect(errorCode(() => heap.free(bad as never))).toBe(INVALID_PARAMETER);
      expect(heap.owns(bad as never)).toBe(false);
    }
    expect(heap.stats()).toEqual(before);
    heap.validate();
    for (const pointer of [chunk, other, back]) heap.free(pointer);
    heap.validate();
  });

  it('counts back-end frees of a bucket (live count) before activating it', () => {
    const heap = lfhOver(bufferSource(pointerSize), false);
    for (let round = 0; round < 3; round++) {
      const blocks = Array.from({ length: 16 }, () => heap.allocate(0x50));
      for (const pointer of blocks) heap.free(pointer);
    }
    expect(heap.isBucketActive(0x50)).toBe(false);
    // A large back-end block's free counts toward no bucket.
    heap.free(heap.allocate(0x100000));
    const blocks = Array.from({ length: 17 }, () => heap.allocate(0x50));
    expect(heap.isBucketActive(0x50)).toBe(false);
    blocks.push(heap.allocate(0x50));
    expect(heap.isBucketActive(0x50)).toBe(true);
    expect(heap.isFrontEndBlock(blocks[17] as number)).toBe(true);
    for (const pointer of blocks) heap.free(pointer);
    heap.validate();
  });

  it('finds an overflow into the next chunk header through the word view, and changes nothing', () => {
    const heap = lfhOver(bufferSource(pointerSize));
    const first = heap.allocate(100);
    const second = heap.allocate(100);
    const headerSize = 2 * pointerSize;
    const header = second - headerSize;
    const saved = heap.memory.read(header, headerSize);
    // The chunk header is the last 8 header bytes (x64's first 8 are _HEAP_ENTRY's unchecked private data):
    // unused bytes, chunk index, flags, checksum, subsegment serial.
    for (const corrupt of [headerSize - 8, headerSize - 6, headerSize - 4, headerSize - 3, headerSize - 1]) {
      heap.memory.setUint8(header + corrupt, heap.memory.getUint8(header + corrupt) ^ 0x10);
      const before = heap.stats();
      expect(errorCode(() => heap.free(second))).toBe(HEAP_CORRUPTION);
      expect(errorCode(() => heap.sizeOf(second))).toBe(HEAP_CORRUPTION);
      expect(errorCode(() => heap.validate())).toBe(HEAP_CORRUPTION);
      expect(heap.stats()).toEqual(before);
      heap.memory.write(header, saved);
      heap.validate();
    }
    heap.free(second);
    heap.validate();
    heap.free(first);
  });
});

describe('LFH page index fallback (x64 addresses)', () => {
  it('falls back to the sorted index when subsegments lie 64 GiB apart', () => {
    const heap = createLowFragmentationHeap(
      new SegregatedHeap({ source: splitSource(8), initialReserve: 0x10000 }),
      { activateImmediately: true },
    );
    const blocks: number[] = [];
    for (let i = 0; i < 3000; i++) blocks.push(heap.allocate(16 + (i % 7) * 200));
    expect(blocks.some((pointer) => pointer >= FAR)).toBe(true);
    expect(blocks.some((pointer) => pointer < FAR)).toBe(true);
    expect((heap as unknown as { paged: boolean }).paged).toBe(false);
    heap.validate();
    for (let i = 0; i < blocks.length; i += 2) heap.free(blocks[i] as number);
    heap.validate();
    expect(errorCode(() => heap.free(blocks[0] as number))).toBe(INVALID_PARAMETER);
    for (let i = 1; i < blocks.length; i += 2) expect(heap.isFrontEndBlock(blocks[i] as number)).toBe(true);
    runModel(heap, [
      { kind: 'alloc', size: 40 },
      { kind: 'alloc', size: 20_000 },
      { kind: 'free', pick: 0 },
    ]);
  });
});

describe('LFH word view over buffers that grow or are replaced', () => {
  it('re-makes its view when a WebAssembly.Memory grows (the old buffer is detached)', () => {
    const wasm = new WebAssembly.Memory({ initial: 2, maximum: 2048 });
    const heap = lfhOver(new WasmMemoryPageSource(wasm, { pointerSize: 8 }));
    const blocks: number[] = [];
    const buffer = wasm.buffer;
    for (let i = 0; i < 20_000; i++) blocks.push(heap.allocate(16 + (i % 40) * 16));
    expect(wasm.buffer).not.toBe(buffer);
    heap.validate();
    const last = blocks[blocks.length - 1] as number;
    heap.memory.fill(last - 8, 8, 0x41);
    expect(errorCode(() => heap.free(last))).toBe(HEAP_CORRUPTION);
    expect(errorCode(() => heap.validate())).toBe(HEAP_CORRUPTION);
    for (const pointer of blocks.slice(0, -1)) heap.free(pointer);
  });

  it('re-makes its view when a growable SharedArrayBuffer grows', () => {
    const shared = new GrowableSharedArrayBuffer(1 << 16, { maxByteLength: 64 << 20 });
    const heap = lfhOver(new SharedArrayBufferPageSource(shared, { pointerSize: 4 }));
    const blocks: number[] = [];
    for (let i = 0; i < 20_000; i++) blocks.push(heap.allocate(8 + (i % 30) * 8));
    expect(shared.byteLength).toBeGreaterThan(1 << 16);
    heap.validate();
    for (const pointer of blocks) heap.free(pointer);
    heap.validate();
    expect(heap.stats().liveBytes).toBe(0);
  });

  it('serves a buffer over 2 GiB through HeapMemory (no word view), headers still in memory', () => {
    const heap = lfhOver(new BufferPageSource(new ArrayBuffer(2 ** 31 + 65536), { pointerSize: 8 }));
    const blocks = Array.from({ length: 300 }, (_, i) => heap.allocate(16 + (i % 5) * 100));
    heap.validate();
    const victim = blocks[7] as number;
    heap.memory.setUint8(victim - 4, heap.memory.getUint8(victim - 4) ^ 0x01);
    expect(errorCode(() => heap.free(victim))).toBe(HEAP_CORRUPTION);
    heap.memory.setUint8(victim - 4, heap.memory.getUint8(victim - 4) ^ 0x01);
    for (const pointer of blocks) heap.free(pointer);
    heap.validate();
    expect(heap.stats().liveBytes).toBe(0);
  });

  it('keeps working after destroy() and a fresh start on the same buffer', () => {
    const source = new BufferPageSource(new ArrayBuffer(8 << 20), { pointerSize: 8 });
    const heap = lfhOver(source);
    for (let i = 0; i < 500; i++) heap.allocate(64);
    heap.destroy();
    const again = lfhOver(source);
    const pointer = again.allocate(64);
    expect(again.sizeOf(pointer)).toBe(64);
    again.free(pointer);
    again.validate();
  });
});

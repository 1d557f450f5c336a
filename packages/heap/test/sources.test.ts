// Flat page sources: reservations never at address 0, first-fit and merged on release, commit
// zero-fills (also after a decommit) except pages known to be zero already, growth of resizable /
// growable buffers and of wasm memory with the accessor rebound to the new buffer.
import fc from 'fast-check';
import { ERROR_NOT_ENOUGH_MEMORY } from '@mem/pages';
import { describe, expect, it } from 'vitest';
import { createAllocator } from '../src/createAllocator';
import { BufferMemory } from '../src/sources/BufferMemory';
import { BufferPageSource } from '../src/sources/BufferPageSource';
import { SharedArrayBufferPageSource } from '../src/sources/SharedArrayBufferPageSource';
import { WasmMemoryPageSource } from '../src/sources/WasmMemoryPageSource';
import { GrowableSharedArrayBuffer } from './support/sources';

const Resizable = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer;

describe('BufferMemory', () => {
  it('reads and writes little-endian, copies with overlap, and read() returns a copy', () => {
    const memory = new BufferMemory(new ArrayBuffer(64));
    memory.setUint32(4, 0x11223344);
    expect(memory.getUint8(4)).toBe(0x44);
    expect(memory.getUint16(6)).toBe(0x1122);
    memory.setFloat64(16, 1.5);
    expect(memory.getFloat64(16)).toBe(1.5);
    memory.write(32, new Uint8Array([1, 2, 3, 4, 5]));
    memory.copy(33, 32, 5);
    expect([...memory.read(32, 6)]).toEqual([1, 1, 2, 3, 4, 5]);
    const copy = memory.read(32, 2);
    copy[0] = 99;
    expect(memory.getUint8(32)).toBe(1);
    memory.fill(40, 4, 0xab);
    expect(memory.getUint32(40)).toBe(0xabababab);
  });
});

describe('BufferPageSource', () => {
  it('never reserves the first page, reuses released ranges first-fit, and merges them', () => {
    const source = new BufferPageSource(new ArrayBuffer(1 << 20));
    const a = source.reserve(8192);
    const b = source.reserve(4096);
    const c = source.reserve(4096);
    expect(a).toBe(4096);
    expect([b, c]).toEqual([a + 8192, a + 12288]);
    source.release(a, 8192);
    source.release(b, 4096);
    expect(source.reserve(12288)).toBe(a);
    expect(source.reserve(2 << 20)).toBe(0);
    expect(source.reservedBytes).toBe(12288 + 4096);
  });

  it('zero-fills pages when committed, again after a decommit, and counts committed pages', () => {
    const buffer = new ArrayBuffer(1 << 16);
    new Uint8Array(buffer).fill(0x5a);
    const source = new BufferPageSource(buffer);
    const base = source.reserve(16384);
    expect(source.commit(base, 8192)).toBe(true);
    expect(source.memory.getUint32(base + 100)).toBe(0);
    source.memory.fill(base, 8192, 7);
    expect(source.commit(base, 4096)).toBe(true);
    expect(source.memory.getUint8(base)).toBe(7);
    source.decommit(base, 4096);
    expect(source.committedBytes).toBe(4096);
    expect(source.commit(base, 8192)).toBe(true);
    expect(source.memory.getUint8(base)).toBe(0);
    expect(source.memory.getUint8(base + 4096)).toBe(7);
    expect(source.commit(base, 1 << 20)).toBe(false);
  });

  it('a zeroed buffer is not cleared on first commit, but is after a decommit', () => {
    // Bytes the source was told are zero: had commit filled them, the 0x5a would be gone.
    const buffer = new ArrayBuffer(1 << 16);
    new Uint8Array(buffer).fill(0x5a);
    const source = new BufferPageSource(buffer, undefined, true);
    const base = source.reserve(16384);
    expect(source.commit(base, 8192)).toBe(true);
    expect(source.committedBytes).toBe(8192);
    expect(source.memory.getUint8(base + 4100)).toBe(0x5a);
    source.decommit(base, 8192);
    source.decommit(base, 8192); // twice: the pages stay dirty, the count does not go below zero
    expect(source.committedBytes).toBe(0);
    expect(source.commit(base, 12288)).toBe(true);
    expect(source.memory.getUint8(base + 4100)).toBe(0); // written while committed: cleared
    expect(source.memory.getUint8(base + 8192)).toBe(0x5a); // never committed: left as it was
    expect(source.committedBytes).toBe(12288);
  });

  it('a resizable buffer clears the bytes it had when made, and pages written before a decommit', () => {
    const buffer = new Resizable(8192, { maxByteLength: 1 << 20 });
    new Uint8Array(buffer).fill(0x5a);
    const source = new BufferPageSource(buffer);
    const base = source.reserve(16384);
    expect(base).toBe(4096);
    expect(source.commit(base, 16384)).toBe(true);
    expect(source.memory.getUint8(base)).toBe(0); // inside the first 8 KiB: cleared
    const view = new Uint8Array(buffer);
    view[base + 8192] = 0x77; // past the old length: stands for a byte commit must not clear
    source.decommit(base + 8192, 4096);
    expect(source.commit(base + 8192, 4096)).toBe(true);
    expect(view[base + 8192]).toBe(0); // committed before, so cleared now
  });

  it('createAllocator with a byte count makes its own buffer of that size', () => {
    const allocator = createAllocator({ strategy: 'segregated', memory: 1 << 20 });
    expect(allocator.bytes?.byteLength).toBe(1 << 20);
    const block = allocator.alloc(2000);
    expect(block).not.toBe(0);
    expect(allocator.usableSize(block)).toBeGreaterThanOrEqual(2000);
    expect(allocator.alloc(2 << 20)).toBe(0);
    allocator.validate();
    for (const bad of [0, -4096, 1.5, Number.NaN]) expect(() => createAllocator({ memory: bad })).toThrow(/positive byte count/);
    // more than the host can give: a MemError with ERROR_NOT_ENOUGH_MEMORY, not the host's RangeError
    expect(() => createAllocator({ memory: 2 ** 52 })).toThrow(expect.objectContaining({ code: ERROR_NOT_ENOUGH_MEMORY }));
  });

  it('grows a resizable ArrayBuffer when commit reaches past its length', () => {
    const buffer = new Resizable(8192, { maxByteLength: 1 << 20 });
    const source = new BufferPageSource(buffer);
    const base = source.reserve(65536);
    expect(source.commit(base, 65536)).toBe(true);
    expect(buffer.byteLength).toBe(base + 65536);
    source.memory.setUint32(base + 65532, 42);
    expect(source.memory.getUint32(base + 65532)).toBe(42);
  });

  it('an 8-KiB page geometry (ia64) rounds reservations to 8 KiB', () => {
    const source = new BufferPageSource(new ArrayBuffer(1 << 20), { pageSize: 8192, pointerSize: 8 });
    expect(source.reserve(100)).toBe(8192);
    expect(source.reserve(100)).toBe(16384);
    expect(() => new BufferPageSource(new ArrayBuffer(1 << 20), { pageSize: 3000 })).toThrow(RangeError);
  });
});

describe('FlatPageSource against a model of page contents', () => {
  const PAGE = 4096;
  const PAGES = 24;
  // ops on pages 1..PAGES-1 of one reservation: commit, decommit or write a byte to a run of pages
  const op = fc.record({
    kind: fc.constantFrom('commit', 'decommit', 'write'),
    first: fc.integer({ min: 1, max: PAGES - 1 }),
    count: fc.integer({ min: 1, max: 6 }),
    value: fc.integer({ min: 1, max: 255 }),
  });

  it('a page reads zero whenever it is committed anew, whatever the buffer held and however it is made', () => {
    fc.assert(
      fc.property(fc.constantFrom('zeroed', 'dirty', 'resizable'), fc.array(op, { maxLength: 40 }), (kind, ops) => {
        // dirty and resizable buffers hold 0x5a (the source must clear it; a resize adds zeros); a zeroed
        // one is really zero
        const buffer =
          kind === 'resizable' ? new Resizable(4 * PAGE, { maxByteLength: PAGES * PAGE }) : new ArrayBuffer(PAGES * PAGE);
        if (kind !== 'zeroed') new Uint8Array(buffer).fill(0x5a);
        const source = new BufferPageSource(buffer, undefined, kind === 'zeroed');
        const base = source.reserve((PAGES - 1) * PAGE);
        expect(base).toBe(PAGE);
        const committed = new Array<boolean>(PAGES).fill(false);
        const content = new Array<number>(PAGES).fill(0); // the byte at each committed page's start
        for (const { kind: action, first, count, value } of ops) {
          const last = Math.min(PAGES, first + count);
          if (action === 'commit') {
            expect(source.commit(first * PAGE, (last - first) * PAGE)).toBe(true);
            for (let page = first; page < last; page++) {
              if (!committed[page]) content[page] = 0;
              committed[page] = true;
            }
          } else if (action === 'decommit') {
            source.decommit(first * PAGE, (last - first) * PAGE);
            for (let page = first; page < last; page++) committed[page] = false;
          } else {
            for (let page = first; page < last; page++) {
              if (!committed[page]) continue;
              source.memory.setUint8(page * PAGE, value);
              source.memory.setUint8(page * PAGE + PAGE - 1, value);
              content[page] = value;
            }
          }
          for (let page = 1; page < PAGES; page++) {
            if (!committed[page]) continue;
            expect(source.memory.getUint8(page * PAGE)).toBe(content[page]);
            expect(source.memory.getUint8(page * PAGE + PAGE - 1)).toBe(content[page]);
            expect(source.memory.getUint8(page * PAGE + 100)).toBe(0);
          }
          expect(source.committedBytes).toBe(committed.filter(Boolean).length * PAGE);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('growable SharedArrayBuffer and WebAssembly.Memory', () => {
  it('grows a SharedArrayBuffer up to its maximum and no further', () => {
    const buffer = new GrowableSharedArrayBuffer(65536, { maxByteLength: 1 << 20 });
    const allocator = createAllocator({ strategy: 'segregated', memory: buffer });
    const block = allocator.alloc(300_000);
    expect(block).not.toBe(0);
    expect(buffer.byteLength).toBeGreaterThan(300_000);
    allocator.memory.setUint32(block + 299_996, 7);
    expect(allocator.memory.getUint32(block + 299_996)).toBe(7);
    expect(allocator.alloc(900_000)).toBe(0);
    allocator.validate();
  });

  it('grows wasm memory and keeps the accessor on the new buffer', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 32 });
    const source = new WasmMemoryPageSource(memory, { maximumBytes: 32 * 65536 });
    const allocator = createAllocator({ strategy: 'tlsf', memory: source });
    const before = memory.buffer;
    const block = allocator.alloc(500_000);
    expect(block).not.toBe(0);
    expect(memory.buffer).not.toBe(before);
    allocator.memory.setUint32(block + 400_000, 0xcafe);
    expect(new DataView(memory.buffer).getUint32(block + 400_000, true)).toBe(0xcafe);
    expect(allocator.bytes?.buffer).toBe(memory.buffer);
    expect(allocator.alloc(4 << 20)).toBe(0);
    allocator.validate();
  });

  it('a plain (non-growable) SharedArrayBuffer is a fixed address space', () => {
    const source = new SharedArrayBufferPageSource(new SharedArrayBuffer(1 << 20));
    const allocator = createAllocator({ strategy: 'bump', memory: { source } });
    expect(allocator.alloc(100_000)).not.toBe(0);
    expect(allocator.alloc(2 << 20)).toBe(0);
  });

  it('refuses memories it cannot manage', () => {
    expect(() => createAllocator({ memory: {} as never })).toThrow(/memory must be/);
    expect(() => createAllocator({ strategy: 'no-such', memory: new ArrayBuffer(1 << 20) })).toThrow(/unknown heap strategy/);
  });
});

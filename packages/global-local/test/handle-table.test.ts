// The two structures under the core: the handle table (slot layout in simulated memory, handle residue,
// free-list reuse, commit on demand) and the pointer index (a typed-array hash against a Map model).
import fc from 'fast-check';
import { getProcessHeap } from '@mem/heap';
import { describe, expect, it } from 'vitest';
import { SLOT_DISCARDABLE, SLOT_MOVEABLE } from '../src/constants';
import { HandleTable } from '../src/handle-table';
import { PointerIndex } from '../src/pointer-index';
import { GEOMETRIES, newKernel } from './support';

describe.each(GEOMETRIES)('HandleTable on %s', (geometry) => {
  it('lays slots out as { flags, ptr } of 2·ptr bytes in its own reservation, handles ≡ ptr (mod 2·ptr)', () => {
    const k = newKernel(geometry);
    const source = getProcessHeap(k.process).source;
    const table = new HandleTable(source, 1024);
    const ptr = k.pointerSize;
    expect(table.slotSize).toBe(2 * ptr);
    expect(table.base % 0x10000).toBe(0);
    expect(table.reservedSize).toBe(0x10000);
    const first = table.allocate(SLOT_MOVEABLE, 0x123450);
    const second = table.allocate(SLOT_MOVEABLE | SLOT_DISCARDABLE, 0);
    expect(table.handleOf(first)).toBe(table.base + ptr);
    expect(table.handleOf(second)).toBe(table.base + 3 * ptr);
    expect(table.handleOf(second) % (2 * ptr)).toBe(ptr);
    expect(k.process.mem.getUint32(table.base)).toBe(0x3);
    expect(k.process.mem.getUint32(table.base + ptr)).toBe(0x123450);
    expect(k.process.mem.getUint32(table.base + 2 * ptr)).toBe(0x7);
    table.lock(first);
    table.lock(first);
    expect(k.process.mem.getUint32(table.base)).toBe(0x20003);
    expect(table.slotOf(table.handleOf(first))).toBe(first);
    expect(table.slotOf(table.handleOf(first) + 2 * ptr * 5)).toBe(-1); // never handed out
    expect(table.slotOf(table.handleOf(first) - ptr)).toBe(-1); // the flags field is no handle
    // A freed slot links to the next free one and is reused first.
    table.release(first);
    expect(table.slotOf(table.handleOf(first))).toBe(-1);
    expect(table.readFlagsWord(first)).toBe(table.base + 2 * 2 * ptr); // the never-used slot after `second`
    expect(table.readPointerField(first)).toBe(0);
    expect(table.allocate(SLOT_MOVEABLE, 0)).toBe(first);
    expect(table.generation[first]).toBe(2);
  });

  it('commits a page at a time and refuses the slot after its capacity', () => {
    const k = newKernel(geometry);
    const source = getProcessHeap(k.process).source;
    const table = new HandleTable(source, 600);
    const perPage = 4096 / table.slotSize;
    for (let i = 0; i < 600; i++) expect(table.allocate(SLOT_MOVEABLE, 0)).toBe(i);
    expect(table.allocate(SLOT_MOVEABLE, 0)).toBe(-1);
    expect(table.liveCount).toBe(600);
    // The page after the last used slot's page is still only reserved.
    const lastPageEnd = table.base + Math.ceil(600 / perPage) * 4096;
    expect(() => k.process.mem.getUint8(lastPageEnd)).toThrow();
  });
});

describe('HandleTable above 4 GiB (x64)', () => {
  it('stores flags words and pointers wider than 32 bits', () => {
    const k = newKernel('x64');
    const space = k.process.addressSpace;
    const high = 0x7ff0_1234_0000;
    const source = {
      memory: k.process.mem,
      pageSize: 4096,
      granularity: 0x10000,
      pointerSize: 8 as const,
      reserve: (size: number) => space.reserve(high, size),
      commit: (address: number, size: number) => space.commit(address, size) !== 0,
      decommit: () => {},
      release: (address: number) => space.release(address),
    };
    const table = new HandleTable(source, 64);
    expect(table.base).toBe(high);
    const slot = table.allocate(SLOT_MOVEABLE, 0x7ff0_dead_bee0);
    expect(table.handleOf(slot)).toBe(high + 8);
    expect(table.readPointerField(slot)).toBe(0x7ff0_dead_bee0);
    expect(k.process.mem.getUint32(high + 12)).toBe(0x7ff0);
    const next = table.allocate(SLOT_MOVEABLE, 0);
    table.release(slot);
    expect(table.readFlagsWord(slot)).toBe(high + 2 * 16); // the never-used slot after `next`
    expect(table.slotOf(table.handleOf(next))).toBe(next);
    table.destroy();
    expect(() => k.process.mem.getUint8(high)).toThrow();
  });
});

describe('PointerIndex', () => {
  it('agrees with a Map through random set / delete / get (with growth and tombstone rehashes)', () => {
    const key = fc.integer({ min: 1, max: 4000 }).map((n) => n * 16 + 0x7fff_0000_0000);
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key, value: fc.nat(65535) }),
      fc.record({ kind: fc.constant('delete' as const), key }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const index = new PointerIndex();
        const model = new Map<number, number>();
        for (const current of ops) {
          if (current.kind === 'set') {
            if (model.has(current.key)) continue;
            index.set(current.key, current.value);
            model.set(current.key, current.value);
          } else {
            expect(index.delete(current.key)).toBe(model.delete(current.key));
          }
          expect(index.count).toBe(model.size);
        }
        for (const [pointer, slot] of model) expect(index.get(pointer)).toBe(slot);
        expect(index.get(0x10)).toBe(-1);
        const seen = new Map<number, number>();
        index.forEach((pointer, slot) => {
          seen.set(pointer, slot);
        });
        expect(seen).toEqual(model);
      }),
      { numRuns: 40 },
    );
  });
});

// IdPool and PointerTable against simple reference models (property tests).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdPool, PointerTable } from '../src/index';

describe('IdPool', () => {
  it('always hands out the smallest id not in use', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat()), { maxLength: 300 }), (steps) => {
        const pool = new IdPool();
        const used = new Set<number>();
        for (const [take, pick] of steps) {
          if (take || used.size === 0) {
            let expected = 0;
            while (used.has(expected)) expected++;
            expect(pool.take()).toBe(expected);
            used.add(expected);
          } else {
            const id = [...used][pick % used.size]!;
            used.delete(id);
            pool.give(id);
          }
        }
      }),
    );
  });
});

describe('PointerTable', () => {
  it('behaves as a Map from addresses (up to 2^47) to values', () => {
    const address = fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 1, max: 2 ** 47 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('set', 'delete', 'get'), address, fc.nat()), { maxLength: 400 }), (steps) => {
        const table = new PointerTable();
        const model = new Map<number, number>();
        for (const [op, key, value] of steps) {
          if (op === 'set') {
            table.set(key, value);
            model.set(key, value);
          } else if (op === 'delete') {
            expect(table.delete(key)).toBe(model.get(key) ?? -1);
            model.delete(key);
          } else {
            expect(table.get(key)).toBe(model.get(key) ?? -1);
          }
          expect(table.size).toBe(model.size);
        }
        for (const [key, value] of model) expect(table.get(key)).toBe(value);
      }),
    );
  });
});

describe('PointerTable growth', () => {
  it('keeps every entry across rehashes and tombstones', () => {
    const table = new PointerTable();
    for (let index = 1; index <= 20_000; index++) table.set(index * 16 + 2 ** 40, index);
    for (let index = 1; index <= 20_000; index += 2) expect(table.delete(index * 16 + 2 ** 40)).toBe(index);
    for (let index = 20_001; index <= 30_000; index++) table.set(index * 16 + 2 ** 40, index);
    expect(table.size).toBe(20_000);
    for (let index = 1; index <= 30_000; index++) {
      expect(table.get(index * 16 + 2 ** 40)).toBe(index <= 20_000 && index % 2 === 1 ? -1 : index);
    }
  });
});

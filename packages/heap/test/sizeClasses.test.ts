// Size-class tables checked as Wine checks its own (size → list → size round trips): every free block
// lands in the list whose lower bound it meets, lists are ordered, and a TLSF search list only holds
// blocks big enough for the request.
import { describe, expect, it } from 'vitest';
import { ntListIndex, ntListLowerBound } from '../src/strategies/segregated';
import { tlsfListIndex, tlsfListLowerBound, tlsfSearchIndex } from '../src/strategies/tlsf';

/** Every size up to 2^16 granules, then a spread up to the 24-bit header limit. */
function sizes(): number[] {
  const list: number[] = [];
  for (let granules = 2; granules <= 1 << 16; granules++) list.push(granules);
  for (let granules = (1 << 16) + 1; granules < 1 << 24; granules = Math.floor(granules * 1.013) + 1) list.push(granules);
  list.push((1 << 24) - 1);
  return list;
}

describe('size classes', () => {
  it('NT: exact lists below 128 granules, then 8 classes per power of two, in order', () => {
    let last = 0;
    for (const granules of sizes()) {
      const index = ntListIndex(granules);
      expect(index).toBeGreaterThanOrEqual(last);
      expect(ntListLowerBound(index)).toBeLessThanOrEqual(granules);
      expect(ntListLowerBound(index + 1)).toBeGreaterThan(granules);
      last = index;
    }
    expect(ntListIndex(127)).toBe(127);
    expect(ntListIndex(128)).toBe(128);
    expect(ntListIndex((1 << 24) - 1)).toBeLessThan(128 + 17 * 8);
  });

  it('TLSF: 16 second-level classes per power of two; search lists hold only blocks that fit', () => {
    let last = 0;
    for (const granules of sizes()) {
      const index = tlsfListIndex(granules);
      expect(index).toBeGreaterThanOrEqual(last);
      expect(tlsfListLowerBound(index)).toBeLessThanOrEqual(granules);
      expect(tlsfListLowerBound(index + 1)).toBeGreaterThan(granules);
      expect(tlsfListLowerBound(tlsfSearchIndex(granules))).toBeGreaterThanOrEqual(granules);
      expect(tlsfSearchIndex(granules) - index).toBeLessThanOrEqual(1);
      last = index;
    }
    expect(tlsfListIndex(16)).toBe(16);
    expect(tlsfListIndex(32)).toBe(32);
    expect(tlsfListIndex(33)).toBe(32);
  });
});

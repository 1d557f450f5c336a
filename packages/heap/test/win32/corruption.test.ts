// Heap corruption through the simulated CPU: a buffer overflow written with k.mem damages the next block's
// header; HeapValidate finds it, HeapFree of the damaged block fails, and with termination on corruption the
// heap raises STATUS_HEAP_CORRUPTION. The debug heap's fill patterns and tail check (win32-facts H-026, H-028).
import { STATUS_HEAP_CORRUPTION } from '@mem/pages';
import { describe, expect, it } from 'vitest';
import {
  HEAP_FREE_CHECKING_ENABLED,
  HEAP_REALLOC_IN_PLACE_ONLY,
  HEAP_TAIL_CHECKING_ENABLED,
  HEAP_ZERO_MEMORY,
  HeapEnableTerminationOnCorruption,
} from '../../src/constants';
import { attempt, type HeapKernel, heapKernel, SENTINEL } from './support';

/** Two adjacent blocks; the first one's overflow reaches the second one's header. */
function neighbours(k: HeapKernel, heap: number): [number, number] {
  const first = k.HeapAlloc(heap, 0, 32);
  const second = k.HeapAlloc(heap, 0, 32);
  expect(second).toBeGreaterThan(first);
  expect(second - first).toBeLessThanOrEqual(32 + 4 * k.process.geometry.pointerSize);
  return [first, second];
}

function smash(k: HeapKernel, from: number, to: number): void {
  for (let address = from; address < to; address++) k.mem.setUint8(address, (k.mem.getUint8(address) ^ 0x5a) & 0xff);
}

describe('heap corruption on x86 (termination off by default)', () => {
  it('HeapValidate finds an overflow into the next header; HeapFree of the damaged block fails; nothing raises', () => {
    const k = heapKernel('x86');
    const heap = k.HeapCreate(0, 0, 0);
    const [first, second] = neighbours(k, heap);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
    smash(k, first + 32, second);
    expect(attempt(k, () => k.HeapValidate(heap, 0, 0))).toEqual([false, SENTINEL]);
    expect(k.HeapValidate(heap, 0, second)).toBe(false);
    const [freed, error] = attempt(k, () => k.HeapFree(heap, 0, second));
    expect(freed).toBe(false);
    expect(error).not.toBe(SENTINEL);
    // Other heaps are not affected.
    const other = k.HeapCreate(0, 0, 0);
    expect(k.HeapAlloc(other, 0, 10)).not.toBe(0);
  });

  it('with HeapEnableTerminationOnCorruption the next call on the damaged heap raises STATUS_HEAP_CORRUPTION', () => {
    const k = heapKernel('x86');
    expect(k.HeapSetInformation(0, HeapEnableTerminationOnCorruption, undefined, 0)).toBe(true);
    const heap = k.HeapCreate(0, 0, 0);
    const [first, second] = neighbours(k, heap);
    smash(k, first + 32, second);
    expect(k.HeapValidate(heap, 0, 0)).toBe(false);
    expect(() => k.HeapAlloc(heap, 0, 10)).toThrowError(expect.objectContaining({ code: STATUS_HEAP_CORRUPTION }));
    expect(() => k.HeapFree(heap, 0, first)).toThrowError(expect.objectContaining({ code: STATUS_HEAP_CORRUPTION }));
  });

  it('with termination on, freeing the damaged block raises even without a HeapValidate first', () => {
    const k = heapKernel('x86');
    k.HeapSetInformation(0, HeapEnableTerminationOnCorruption, undefined, 0);
    const heap = k.HeapCreate(0, 0, 0);
    const [first, second] = neighbours(k, heap);
    smash(k, first + 32, second);
    expect(() => k.HeapFree(heap, 0, second)).toThrowError(expect.objectContaining({ code: STATUS_HEAP_CORRUPTION }));
  });
});

describe('heap corruption on x64 (termination on, as for every 64-bit process)', () => {
  it('freeing a block whose header was overwritten raises STATUS_HEAP_CORRUPTION', () => {
    const k = heapKernel('x64');
    const heap = k.GetProcessHeap();
    const [first, second] = neighbours(k, heap);
    smash(k, first + 32, second);
    let raised: unknown;
    try {
      k.HeapFree(heap, 0, second);
    } catch (error) {
      raised = error;
    }
    expect(raised).toMatchObject({ code: STATUS_HEAP_CORRUPTION });
    expect(k.HeapValidate(heap, 0, 0)).toBe(false);
  });
});

describe('use after free', () => {
  it('a write over a freed block\'s links is caught when the heap reuses it: FALSE on x86, STATUS_HEAP_CORRUPTION on x64', () => {
    for (const geometry of ['x86', 'x64'] as const) {
      const k = heapKernel(geometry, 'segregated');
      const heap = k.GetProcessHeap();
      const blocks = [k.HeapAlloc(heap, 0, 200), k.HeapAlloc(heap, 0, 200), k.HeapAlloc(heap, 0, 200)];
      expect(k.HeapFree(heap, 0, blocks[1]!)).toBe(true);
      k.mem.fill(blocks[1]!, 16, 0x41); // the freed block's list links
      expect(k.HeapValidate(heap, 0, 0)).toBe(false);
      if (geometry === 'x86') {
        const [result, error] = attempt(k, () => k.HeapAlloc(heap, 0, 200));
        expect(result).toBe(0);
        expect(error).not.toBe(SENTINEL);
      } else {
        expect(() => k.HeapAlloc(heap, 0, 200)).toThrowError(expect.objectContaining({ code: STATUS_HEAP_CORRUPTION }));
      }
    }
  });
});

describe.each(['x86', 'x64'] as const)('debug heap on %s', (geometry) => {
  it('H-028: tail checking puts ≥ 8 bytes of 0xAB after every small block; HeapValidate detects a changed tail', () => {
    const k = heapKernel(geometry);
    const heap = k.HeapCreate(HEAP_TAIL_CHECKING_ENABLED, 0, 0);
    for (let size = 0; size < 64; size++) {
      const block = k.HeapAlloc(heap, 0, size);
      expect(k.HeapSize(heap, 0, block)).toBe(size);
      let tail = 0;
      while (tail < 32 && k.mem.getUint8(block + size + tail) === 0xab) tail++;
      expect(tail).toBeGreaterThanOrEqual(8);
      expect(k.HeapFree(heap, 0, block)).toBe(true);
    }
    const block = k.HeapAlloc(heap, HEAP_ZERO_MEMORY, 17);
    expect([...k.mem.read(block + 14, 3)]).toEqual([0, 0, 0]);
    expect([...k.mem.read(block + 17, 3)]).toEqual([0xab, 0xab, 0xab]);
    // Shrinking in place moves the tail.
    expect(k.HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, block, 14)).toBe(block);
    expect([...k.mem.read(block + 14, 3)]).toEqual([0xab, 0xab, 0xab]);
    const old = k.mem.getUint8(block + 14);
    k.mem.setUint8(block + 14, 0xcc);
    expect(k.HeapValidate(heap, 0, block)).toBe(false);
    expect(k.HeapValidate(heap, 0, 0)).toBe(false);
    k.mem.setUint8(block + 14, old);
  });

  it('H-028: free checking fills fresh blocks with 0xBAADF00D and freed ones with 0xFEEEFEEE', () => {
    const k = heapKernel(geometry);
    const heap = k.HeapCreate(HEAP_FREE_CHECKING_ENABLED, 0, 0);
    const block = k.HeapAlloc(heap, 0, 37);
    expect(k.mem.getUint32(block)).toBe(0xbaadf00d);
    expect(k.mem.getUint32(block + 32)).toBe(0xbaadf00d);
    k.mem.fill(block, 37, 0xcc);
    expect(k.HeapFree(heap, 0, block)).toBe(true);
    expect([...k.mem.read(block + 16, 4)]).toEqual([0xee, 0xfe, 0xee, 0xfe]);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
    const zeroed = k.HeapAlloc(heap, HEAP_ZERO_MEMORY, 37);
    expect(k.mem.read(zeroed, 37).every((byte) => byte === 0)).toBe(true);
  });

  it('H-028: HeapValidate(heap, 0, NULL) detects a write into a freed block of a free-checking heap', () => {
    const k = heapKernel(geometry);
    const heap = k.HeapCreate(HEAP_FREE_CHECKING_ENABLED, 0, 0);
    const keep = k.HeapAlloc(heap, 0, 64);
    const block = k.HeapAlloc(heap, 0, 37);
    const fence = k.HeapAlloc(heap, 0, 64);
    expect(k.HeapFree(heap, 0, block)).toBe(true);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
    const old = k.mem.getUint8(block + 16);
    k.mem.setUint8(block + 16, 0xcc); // a use after free
    expect(attempt(k, () => k.HeapValidate(heap, 0, 0))).toEqual([false, SENTINEL]);
    k.mem.setUint8(block + 16, old);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
    expect([keep, fence].every((pointer) => k.HeapSize(heap, 0, pointer) === 64)).toBe(true);
  });

  it('H-028: a free-checking heap stays valid through merges, splits and growth', () => {
    const k = heapKernel(geometry);
    const heap = k.HeapCreate(HEAP_FREE_CHECKING_ENABLED | HEAP_TAIL_CHECKING_ENABLED, 0, 0);
    const live: number[] = [];
    for (let index = 0; index < 300; index++) {
      const size = (index * 131) % 2000;
      const block = k.HeapAlloc(heap, 0, size);
      k.mem.fill(block, size, 0x33);
      live.push(block);
      if (index % 3 === 0) expect(k.HeapFree(heap, 0, live.splice((index * 7) % live.length, 1)[0]!)).toBe(true);
      if (index % 5 === 0) {
        const at = (index * 11) % live.length;
        live[at] = k.HeapReAlloc(heap, 0, live[at]!, (index * 37) % 3000);
      }
      if (index % 25 === 0) expect(k.HeapValidate(heap, 0, 0)).toBe(true);
    }
    for (const block of live) expect(k.HeapFree(heap, 0, block)).toBe(true);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
  });

  it('H-028: large blocks get no tail', () => {
    const k = heapKernel(geometry);
    const heap = k.HeapCreate(HEAP_TAIL_CHECKING_ENABLED, 0, 0);
    const size = 3000 * 1024 + 37;
    const block = k.HeapAlloc(heap, 0, size);
    expect(k.HeapSize(heap, 0, block)).toBe(size);
    expect(k.mem.getUint8(block + size)).toBe(0);
    k.mem.setUint8(block + size, 0xcc);
    expect(k.HeapValidate(heap, 0, block)).toBe(true);
  });
});

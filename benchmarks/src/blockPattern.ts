// Content checks of the replayer: each block holds a byte pattern derived from its id and
// generation (so a reused id gets a different pattern), written on allocation and checked on resize
// and free. `prefix` mode covers the first and last bytes of a block, `full` every byte, `touch`
// writes one byte (as the native figures were measured) and checks nothing.
import type { Allocator, HeapMemory } from '@mem/heap';
import { CHECK_PREFIX_BYTES, CHECK_SUFFIX_BYTES } from './constants';

export type CheckMode = 'none' | 'touch' | 'prefix' | 'full';

export const CHECK_MODES: readonly CheckMode[] = ['none', 'touch', 'prefix', 'full'];

/** The pattern repeats with this period (bytes); offsets are reduced modulo it. */
const PATTERN_PERIOD = 65536;
/** Longest range checked in one go without wrapping in prefix mode. */
const PATTERN_SLACK = 64;

/**
 * One precomputed row of pseudo-random bytes, periodic in PATTERN_PERIOD, long enough to be read
 * from any seed (0-255) plus any reduced offset plus a short range: pattern byte = ROW[seed + offset].
 */
const ROW = (() => {
  const row = new Uint8Array(256 + PATTERN_PERIOD + PATTERN_SLACK);
  for (let index = 0; index < row.length; index++) {
    const x = index % PATTERN_PERIOD;
    row[index] = Math.floor((((x * 2654435761) % 4294967296) / 16777216) % 256);
  }
  return row;
})();

/** The pattern byte at `offset` of a block whose seed is `seed`. */
export function patternByte(seed: number, offset: number): number {
  return ROW[seed + (offset % PATTERN_PERIOD)]!;
}

/** A block's seed (0-255) from its id and generation. */
export function patternSeed(id: number, generation: number): number {
  return ((id % 65521) * 131 + generation * 29) % 256;
}

/**
 * Writes and checks patterns through the allocator's flat bytes when it has them (fast), else through
 * its HeapMemory (a simulated process).
 */
export class BlockPattern {
  private readonly bytes: Uint8Array | undefined;
  private readonly memory: HeapMemory;
  constructor(
    allocator: Allocator,
    readonly mode: CheckMode,
  ) {
    this.bytes = allocator.bytes;
    this.memory = allocator.memory;
  }

  /** Writes the checked bytes of a block of `size` bytes at `pointer`. */
  write(seed: number, pointer: number, size: number): void {
    if (size === 0 || this.mode === 'none') return;
    if (this.mode === 'touch') {
      this.store(pointer, seed);
      return;
    }
    if (this.mode === 'full' || size <= CHECK_PREFIX_BYTES + CHECK_SUFFIX_BYTES) {
      this.writeRange(seed, pointer, 0, size);
      return;
    }
    this.writeRange(seed, pointer, 0, CHECK_PREFIX_BYTES);
    this.writeRange(seed, pointer, size - CHECK_SUFFIX_BYTES, size);
  }

  /**
   * Checks the bytes a block of `size` bytes was given, limited to offsets below `limit` (the part
   * that must survive a resize). Returns the first bad offset, or -1.
   */
  verify(seed: number, pointer: number, size: number, limit: number): number {
    if (size === 0 || limit === 0 || this.mode === 'none' || this.mode === 'touch') return -1;
    if (this.mode === 'full' || size <= CHECK_PREFIX_BYTES + CHECK_SUFFIX_BYTES) {
      return this.verifyRange(seed, pointer, 0, Math.min(size, limit));
    }
    const bad = this.verifyRange(seed, pointer, 0, Math.min(CHECK_PREFIX_BYTES, limit));
    if (bad >= 0) return bad;
    return this.verifyRange(seed, pointer, size - CHECK_SUFFIX_BYTES, Math.min(size, limit));
  }

  private store(address: number, value: number): void {
    if (this.bytes !== undefined) this.bytes[address] = value;
    else this.memory.setUint8(address, value);
  }

  private writeRange(seed: number, pointer: number, start: number, end: number): void {
    const bytes = this.bytes;
    const wrap = seed + PATTERN_PERIOD;
    let index = seed + (start % PATTERN_PERIOD);
    if (bytes !== undefined) {
      for (let address = pointer + start; address < pointer + end; address++) {
        bytes[address] = ROW[index++]!;
        if (index === wrap) index = seed;
      }
      return;
    }
    for (let address = pointer + start; address < pointer + end; address++) {
      this.memory.setUint8(address, ROW[index++]!);
      if (index === wrap) index = seed;
    }
  }

  private verifyRange(seed: number, pointer: number, start: number, end: number): number {
    const bytes = this.bytes;
    const wrap = seed + PATTERN_PERIOD;
    let index = seed + (start % PATTERN_PERIOD);
    if (bytes !== undefined) {
      for (let address = pointer + start; address < pointer + end; address++) {
        if (bytes[address] !== ROW[index++]) return address - pointer;
        if (index === wrap) index = seed;
      }
      return -1;
    }
    for (let address = pointer + start; address < pointer + end; address++) {
      if (this.memory.getUint8(address) !== ROW[index++]) return address - pointer;
      if (index === wrap) index = seed;
    }
    return -1;
  }
}

// Arithmetic the strategies share: rounding and power-of-two tests with Math, never 32-bit bit
// operations (x64 addresses exceed 2^31), bitmap population counts, and the checks of size and
// alignment arguments every strategy makes before touching anything.
import { invalidParameter } from './errors';

/** `value` rounded up to a multiple of `step`. */
export function roundUp(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}

export function isPowerOfTwo(value: number): boolean {
  return value > 0 && Number.isInteger(value) && 2 ** Math.round(Math.log2(value)) === value;
}

/** Number of set bits in a bitmap. */
export function countBits(words: Uint32Array): number {
  let count = 0;
  for (let i = 0; i < words.length; i++) {
    let bits = words[i] as number;
    while (bits !== 0) {
      bits &= bits - 1;
      count++;
    }
  }
  return count;
}

/** Throws MemError(ERROR_INVALID_PARAMETER) unless `size` is a non-negative integer. */
export function assertSize(size: number): void {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
    throw invalidParameter(`size must be a non-negative integer, got ${String(size)}`);
  }
}

/** Throws MemError(ERROR_INVALID_PARAMETER) unless `alignment` is 0 (none) or a power of two. */
export function assertAlignment(alignment: number): void {
  if (alignment !== 0 && !isPowerOfTwo(alignment)) {
    throw invalidParameter(`alignment must be a power of two, got ${String(alignment)}`);
  }
}

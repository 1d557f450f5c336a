// The one seam where @mem/heap builds its errors: bad pointers (ERROR_INVALID_PARAMETER) and heap
// corruption (STATUS_HEAP_CORRUPTION), both thrown as MemError from @mem/pages.
import { ERROR_INVALID_PARAMETER, MemError, STATUS_HEAP_CORRUPTION } from '@mem/pages';

export function hex(address: number): string {
  return `0x${address.toString(16).toUpperCase()}`;
}

/** A pointer that is not a live block of this heap, or an argument out of range. */
export function invalidParameter(detail: string): MemError {
  return new MemError(ERROR_INVALID_PARAMETER, detail);
}

/** A block header or free-list link that does not hold what the heap wrote there. */
export function heapCorruption(block: number, detail: string): MemError {
  return new MemError(STATUS_HEAP_CORRUPTION, `heap corruption at block ${hex(block)}: ${detail}`);
}

export function badPointer(pointer: number): MemError {
  return invalidParameter(`${hex(pointer)} is not a live block of this heap`);
}

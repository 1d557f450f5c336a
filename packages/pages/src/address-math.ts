// Address arithmetic safe beyond 2^31 (x64 addresses): Math.floor and multiplication, never bit operators.

export function alignDown(value: number, alignment: number): number {
  return Math.floor(value / alignment) * alignment;
}

export function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

export function isAligned(value: number, alignment: number): boolean {
  return value % alignment === 0;
}

/** True for a non-negative safe integer (an address or a size). */
export function isAddressLike(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

export function hex(value: number): string {
  return `0x${value.toString(16).toUpperCase()}`;
}

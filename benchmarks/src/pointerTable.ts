// An open-addressing hash table from block address to a number (a block id, or a raw pointer),
// in typed arrays so the recorder and adapters add no per-call objects. Addresses are positive.

const EMPTY = 0;
const DELETED = -1;

export class PointerTable {
  private keys = new Float64Array(1024);
  private values = new Float64Array(1024);
  private used = 0;
  private filled = 0;

  get size(): number {
    return this.used;
  }

  /** The value stored for `pointer`, or -1. */
  get(pointer: number): number {
    const slot = this.find(pointer);
    return slot < 0 ? -1 : this.values[slot]!;
  }

  set(pointer: number, value: number): void {
    if ((this.filled + 1) * 2 > this.keys.length) this.rehash();
    const keys = this.keys;
    const mask = keys.length - 1;
    let slot = this.hash(pointer) & mask;
    let tombstone = -1;
    for (;;) {
      const key = keys[slot]!;
      if (key === pointer) {
        this.values[slot] = value;
        return;
      }
      if (key === EMPTY) break;
      if (key === DELETED && tombstone < 0) tombstone = slot;
      slot = (slot + 1) & mask;
    }
    if (tombstone >= 0) slot = tombstone;
    else this.filled++;
    keys[slot] = pointer;
    this.values[slot] = value;
    this.used++;
  }

  /** Removes `pointer`; returns its value, or -1. */
  delete(pointer: number): number {
    const slot = this.find(pointer);
    if (slot < 0) return -1;
    this.keys[slot] = DELETED;
    this.used--;
    return this.values[slot]!;
  }

  private find(pointer: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    let slot = this.hash(pointer) & mask;
    for (;;) {
      const key = keys[slot]!;
      if (key === pointer) return slot;
      if (key === EMPTY) return -1;
      slot = (slot + 1) & mask;
    }
  }

  /** Mixes the address (which may exceed 2^32) into a 31-bit slot index without bit operations on it. */
  private hash(pointer: number): number {
    const low = pointer % 4294967296;
    const high = Math.floor(pointer / 4294967296);
    return Math.imul((low >>> 3) ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b) >>> 1;
  }

  private rehash(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const capacity = this.used * 4 > oldKeys.length ? oldKeys.length * 2 : oldKeys.length;
    this.keys = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.used = 0;
    this.filled = 0;
    for (let slot = 0; slot < oldKeys.length; slot++) {
      const key = oldKeys[slot]!;
      if (key !== EMPTY && key !== DELETED) this.set(key, oldValues[slot]!);
    }
  }
}

// From the data block of a moveable handle back to its handle-table slot: what Windows keeps as the
// heap block's "user value", and what GlobalHandle, GlobalSize and GlobalFlags read given a pointer.
// An open-addressing hash table over typed arrays (linear probing, tombstones), so that alloc, free and
// realloc make no host objects. Keys are heap pointers (never 0); values are slot indexes.
//
// Invariants: `count` live keys; `keys[i]` is EMPTY, TOMBSTONE or a live pointer; the table is at most
// half full counting tombstones, and its length is a power of two.

const EMPTY = 0;
const TOMBSTONE = -1;
const INITIAL_LENGTH = 1024;
const TWO_TO_32 = 0x100000000;

export class PointerIndex {
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;
  /** Live keys. */
  count = 0;
  /** Live keys plus tombstones: what the load factor counts. */
  private used = 0;

  constructor() {
    this.keys = new Float64Array(INITIAL_LENGTH);
    this.values = new Int32Array(INITIAL_LENGTH);
    this.mask = INITIAL_LENGTH - 1;
  }

  /** The slot recorded for `pointer`, or -1. */
  get(pointer: number): number {
    const keys = this.keys;
    let position = this.home(pointer);
    for (;;) {
      const key = keys[position]!;
      if (key === pointer) return this.values[position]!;
      if (key === EMPTY) return -1;
      position = (position + 1) & this.mask;
    }
  }

  /** Records `pointer` → `slot` (the pointer must not be recorded yet). */
  set(pointer: number, slot: number): void {
    if ((this.used + 1) * 2 > this.keys.length) this.rehash(this.count * 4 > this.keys.length ? this.keys.length * 2 : this.keys.length);
    const keys = this.keys;
    let position = this.home(pointer);
    for (;;) {
      const key = keys[position]!;
      if (key === EMPTY || key === TOMBSTONE) {
        if (key === EMPTY) this.used++;
        keys[position] = pointer;
        this.values[position] = slot;
        this.count++;
        return;
      }
      position = (position + 1) & this.mask;
    }
  }

  /** Forgets `pointer`; false when it was not recorded. */
  delete(pointer: number): boolean {
    const keys = this.keys;
    let position = this.home(pointer);
    for (;;) {
      const key = keys[position]!;
      if (key === pointer) {
        keys[position] = TOMBSTONE;
        this.count--;
        return true;
      }
      if (key === EMPTY) return false;
      position = (position + 1) & this.mask;
    }
  }

  /** Calls `visit` for every recorded pair (for validation and the explorer; not a hot path). */
  forEach(visit: (pointer: number, slot: number) => void): void {
    const keys = this.keys;
    for (let position = 0; position < keys.length; position++) {
      const key = keys[position]!;
      if (key !== EMPTY && key !== TOMBSTONE) visit(key, this.values[position]!);
    }
  }

  /** Fibonacci hashing of the pointer's low 32 bits above its 16-byte alignment. */
  private home(pointer: number): number {
    const low = Math.floor(pointer / 16) % TWO_TO_32;
    return (Math.imul(low, 0x9e3779b1) >>> 0) & this.mask;
  }

  private rehash(length: number): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.keys = new Float64Array(length);
    this.values = new Int32Array(length);
    this.mask = length - 1;
    this.count = 0;
    this.used = 0;
    for (let position = 0; position < oldKeys.length; position++) {
      const key = oldKeys[position]!;
      if (key !== EMPTY && key !== TOMBSTONE) this.set(key, oldValues[position]!);
    }
  }
}

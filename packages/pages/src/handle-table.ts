// HandleTable: the kernel-object handles of one process. Handles are multiples of 4 from 4; each entry
// holds a type tag, the object and the granted access mask. Closed slots are reused (lowest first is
// not promised; Windows reuses freed handles LIFO). Objects may clean up through an onClose callback.

export interface HandleEntry {
  readonly type: string;
  readonly object: unknown;
  readonly access: number;
  readonly onClose: ((entry: HandleEntry) => void) | undefined;
}

/** Windows caps a handle table near 2^24 handles; this simulation uses the same bound. */
export const MAX_HANDLES = 1 << 24;

export class HandleTable {
  private readonly entries: (HandleEntry | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private countValue = 0;

  /** Number of open handles. */
  get count(): number {
    return this.countValue;
  }

  /** Adds an entry; returns its handle (a multiple of 4 from 4), or 0 when the table is full. */
  insert(type: string, object: unknown, access: number, onClose?: (entry: HandleEntry) => void): number {
    const entry: HandleEntry = { type, object, access: access >>> 0, onClose };
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      if (this.entries.length >= MAX_HANDLES) return 0;
      slot = this.entries.length;
      this.entries.push(entry);
    } else {
      this.entries[slot] = entry;
    }
    this.countValue++;
    return (slot + 1) * 4;
  }

  /** The entry of `handle` (of `type` when given), or undefined. */
  get(handle: number, type?: string): HandleEntry | undefined {
    if (!Number.isInteger(handle) || handle <= 0 || handle % 4 !== 0) return undefined;
    const entry = this.entries[handle / 4 - 1];
    if (entry === undefined || (type !== undefined && entry.type !== type)) return undefined;
    return entry;
  }

  /** Closes a handle (calling its onClose); the removed entry, or undefined when not open. */
  close(handle: number): HandleEntry | undefined {
    const entry = this.get(handle);
    if (entry === undefined) return undefined;
    this.entries[handle / 4 - 1] = undefined;
    this.freeSlots.push(handle / 4 - 1);
    this.countValue--;
    entry.onClose?.(entry);
    return entry;
  }

  /** A second handle to the same object with `access` (defaults to the same mask); 0 when invalid. */
  duplicate(handle: number, access?: number): number {
    const entry = this.get(handle);
    if (entry === undefined) return 0;
    return this.insert(entry.type, entry.object, access ?? entry.access, entry.onClose);
  }

  /** Open handles and their entries, in handle order. */
  *[Symbol.iterator](): IterableIterator<[number, HandleEntry]> {
    for (let slot = 0; slot < this.entries.length; slot++) {
      const entry = this.entries[slot];
      if (entry !== undefined) yield [(slot + 1) * 4, entry];
    }
  }
}

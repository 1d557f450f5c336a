// Whether any process of a machine still holds a handle to an object. Objects do not count their
// handles: HandleTable.duplicate copies an entry (and its onClose) without telling the object, so a
// count would die with the first of two handles. Closing is rare, so each close scans the tables.
import type { Machine } from '@mem/pages';

export function hasOpenHandle(machine: Machine, object: unknown): boolean {
  for (const process of machine.processes()) {
    for (const [, entry] of process.handles) if (entry.object === object) return true;
  }
  return false;
}

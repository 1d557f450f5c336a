// The Global/Local state of each process: one MovableMemory over the process heap, hung off the Process
// in a WeakMap and made on first use. Global* and Local* share it — one handle table, one limit (GL-002).
import { getProcessHeap, ProcessPageSource } from '@mem/heap';
import type { Process } from '@mem/pages';
import { MovableMemory } from './movable-memory';

const perProcess = new WeakMap<Process, MovableMemory>();

/** Tag of the handle table's reservation (what the explorer shows for it). */
export const TABLE_TAG = 'global handle table';

/** The process's moveable memory (its handle table over its process heap). */
export function processMovableMemory(process: Process): MovableMemory {
  let memory = perProcess.get(process);
  if (memory === undefined) {
    // The table is a reservation of its own, tagged so that a VMMap-like view names it.
    const tableSource = new ProcessPageSource(process, { tag: TABLE_TAG });
    memory = new MovableMemory(getProcessHeap(process), undefined, tableSource);
    perProcess.set(process, memory);
  }
  return memory;
}

// The Global/Local state of each process: one MovableMemory over the process heap, hung off the Process
// in a WeakMap and made on first use. Global* and Local* share it — one handle table, one limit (GL-002).
import { getProcessHeap } from '@mem/heap';
import type { Process } from '@mem/pages';
import { MovableMemory } from './movable-memory';

const perProcess = new WeakMap<Process, MovableMemory>();

/** The process's moveable memory (its handle table over its process heap). */
export function processMovableMemory(process: Process): MovableMemory {
  let memory = perProcess.get(process);
  if (memory === undefined) {
    memory = new MovableMemory(getProcessHeap(process));
    perProcess.set(process, memory);
  }
  return memory;
}

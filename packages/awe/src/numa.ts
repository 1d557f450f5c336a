// NUMA queries over a machine's PhysicalMemory: how many nodes, and the free RAM of one node
// (GetNumaHighestNodeNumber, GetNumaAvailableMemoryNode(Ex)). Nodes split RAM evenly (@mem/pages).
import { ERROR_INVALID_PARAMETER, MemError, type PhysicalMemory } from '@mem/pages';
import { NUMA_NO_PREFERRED_NODE } from './constants';

/** The highest node number (nodes are 0..highest). */
export function highestNodeNumber(physical: PhysicalMemory): number {
  return physical.numaNodes - 1;
}

/** True when `node` names a node of `physical`. */
export function isNode(physical: PhysicalMemory, node: number): boolean {
  return Number.isInteger(node) && node >= 0 && node < physical.numaNodes;
}

/** Bytes of free RAM on `node`; MemError(ERROR_INVALID_PARAMETER) for a node that does not exist. */
export function availableMemoryOfNode(physical: PhysicalMemory, node: number): number {
  if (!isNode(physical, node)) throw new MemError(ERROR_INVALID_PARAMETER, `no NUMA node ${node}`);
  return physical.availableFramesOfNode(node) * physical.pageSize;
}

/**
 * The node frames should come from for an nndPreferred argument: the node itself, or node 0 for
 * NUMA_NO_PREFERRED_NODE (then PhysicalMemory falls back across nodes anyway). -1 when invalid.
 */
export function preferredNode(physical: PhysicalMemory, nndPreferred: number): number {
  if (nndPreferred === NUMA_NO_PREFERRED_NODE) return 0;
  return isNode(physical, nndPreferred) ? nndPreferred : -1;
}

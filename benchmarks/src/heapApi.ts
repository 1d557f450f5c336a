// TEMPORARY: the @mem/heap contract types until @mem/heap's index exports them.
export type { Allocator, HeapMemory, HeapStats, HeapWalkEntry } from '../../packages/heap/src/api';

// @mem/heap, the idiomatic door: createAllocator over any memory, the strategy registry, the built-in
// strategies (segregated NT back end, LFH front end, TLSF, bump arena), page sources for flat buffers,
// the heap's constants and the contract types. The Win32 Heap* door is '@mem/heap/win32'.
export type * from './api';
export * from './constants';
export { createAllocator, pageSourceFor, type AllocatorMemory, type CreateAllocatorOptions } from './createAllocator';
export { registerStrategy, getStrategy, hasStrategy, strategyNames } from './strategies/registry';
export { SegregatedHeap, createSegregatedHeap, type SegregatedHeapOptions } from './strategies/segregated';
export {
  LowFragmentationHeap,
  createLowFragmentationHeap,
  createLfhHeap,
  lfhBucketSizes,
  type LowFragmentationHeapOptions,
} from './strategies/lfh';
export { TlsfHeap, createTlsfHeap } from './strategies/tlsf';
export { BumpArena, createBumpArena } from './strategies/bump';
export { BufferMemory } from './sources/BufferMemory';
export { FlatPageSource, type FlatSourceGeometry } from './sources/FlatPageSource';
export { BufferPageSource } from './sources/BufferPageSource';
export { SharedArrayBufferPageSource } from './sources/SharedArrayBufferPageSource';
export { WasmMemoryPageSource, type WasmSourceOptions } from './sources/WasmMemoryPageSource';

// ---- Win32 heaps (maintained by the Win32-heaps work: src/Heap.ts, src/ProcessHeaps.ts, src/win32.ts) ----
// Heaps of a simulated process, as HeapCreate / GetProcessHeap make them, with an idiomatic API that throws
// MemError (the Heap* functions themselves are in '@mem/heap/win32').
export { Heap, frontEndAllowed, type HeapCreation, type HeapOwner, type HeapSummary } from './Heap';
export {
  DEFAULT_HEAP_STRATEGY,
  ProcessHeapList,
  createHeap,
  createProcessHeap,
  destroyHeap,
  enableTerminationOnCorruption,
  findHeap,
  getProcessHeap,
  listHeaps,
  processHeaps,
  type HeapCreateOptions,
} from './ProcessHeaps';
export { ProcessPageSource, type ProcessPageSourceOptions } from './sources/ProcessPageSource';

// @mem/awe, the idiomatic door: Address Windowing Extensions (physical pages a process allocates and
// maps into MEM_PHYSICAL windows), the AweWindow pattern, and NUMA node queries. Throws MemError
// (from @mem/pages) with the Windows code. The Win32 door is '@mem/awe/win32'.
export * from './constants';
export { AweWindow, createAweWindow, type AweWindowOptions } from './awe-window';
export {
  allocatePhysicalPages,
  freePhysicalPages,
  mapPhysicalPages,
  mapPhysicalPagesScatter,
  physicalPageAddress,
  physicalPageCount,
  type AllocatePhysicalPagesOptions,
} from './physical-pages';
export { availableMemoryOfNode, highestNodeNumber } from './numa';
export { UserPhysicalPages, userPhysicalPagesOf } from './user-physical-pages';

// @mem/pages, the idiomatic door: machines, processes, address spaces, checked memory access, the
// layers under them, every shared constant and the error types. The Win32 door is '@mem/pages/win32'.
export * from './constants';
export {
  MemError,
  isMemError,
  Win32Exception,
  isWin32Exception,
  AccessViolation,
  GuardPageViolation,
  type AccessOperation,
} from './errors';
export { GEOMETRIES, resolveGeometry, type Geometry, type GeometryName } from './geometry';
export { PhysicalMemory, SLAB_BYTES, type PhysicalMemoryOptions } from './physical-memory';
export {
  PageTable,
  PageTableLeaf,
  LEAF_PAGES,
  FAST_READ,
  FAST_WRITE,
  PAGE_FLAG_COPIED,
  PAGE_FLAG_DIRTY,
  PAGE_FLAG_LOCKED,
  PAGE_FLAG_NONPAGED,
  PAGE_FLAG_RESET,
  PAGE_FLAG_WATCHED,
  fastEntry,
  isCopyOnWrite,
  isExecutable,
  isReadable,
  isWritable,
} from './page-table';
export {
  Allocation,
  ALLOCATION_FIXED,
  ALLOCATION_LARGE_PAGES,
  ALLOCATION_PHYSICAL,
  ALLOCATION_WRITE_WATCH,
  type AllocationOwner,
} from './allocation';
export {
  AddressSpace,
  normalizeProtection,
  type InsertAllocationOptions,
  type RegionInfo,
  type ReserveOptions,
} from './address-space';
export { MemoryAccess } from './memory-access';
export { HandleTable, MAX_HANDLES, type HandleEntry } from './handle-table';
export { Process, type ProcessOptions } from './process';
export { Machine, createMachine, type MachineOptions } from './machine';
export { CURRENT_PROCESS_HANDLE, resolveProcessHandle } from './process-handle';
export { toWin32 } from './to-win32';
export { alignDown, alignUp } from './address-math';
export { applyDepPolicy, setSystemDepPolicy, systemDepPolicy } from './dep-policy';

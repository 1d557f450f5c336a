// @mem/global-local, the idiomatic door: movable memory (Movable, MovableHandle), the core under both
// doors (MovableMemory, HandleTable) for tools such as the explorer, and every GMEM_* / LMEM_* constant.
// The Win32 door (Global*, Local*) is '@mem/global-local/win32'.
export * from './constants';
export { HandleTable } from './handle-table';
export {
  ALLOC_DDESHARE,
  ALLOC_DISCARDABLE,
  ALLOC_MOVEABLE,
  ALLOC_ZEROINIT,
  type BlockHeap,
  MovableMemory,
  VALUE_BLOCK,
  VALUE_HANDLE,
  VALUE_NOT_A_BLOCK,
  VALUE_NULL,
  VALUE_STALE_HANDLE,
  VALUE_WILD,
} from './movable-memory';
export {
  Movable,
  MovableHandle,
  type MovableAllocOptions,
  type MovableOptions,
  type MovableReallocOptions,
} from './movable';
export { processMovableMemory, TABLE_TAG } from './process-movable';

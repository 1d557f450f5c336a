// @mem/heap/shared: heaps whose whole state lives in a SharedArrayBuffer, usable from any number of
// worker threads at once (futex heap lock, HeapLock/HeapUnlock, HEAP_NO_SERIALIZE, per-thread caches).
export { attachSharedAllocator, createSharedAllocator, type CreateSharedAllocatorOptions } from './createShared';
export { SharedAllocator, type SharedAllocatorHandle, type SharedLockState } from './SharedAllocator';
export { FRONT_MAX_REQUEST as SHARED_FRONT_END_MAXIMUM, SLOT_COUNT as SHARED_SLOT_COUNT } from './layout';

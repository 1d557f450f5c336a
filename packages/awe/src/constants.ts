// Constants of @mem/awe: the values Address Windowing Extensions and the NUMA functions add to the
// ones @mem/pages already defines (re-exported here so the package has one place for its codes).
export {
  ERROR_ACCESS_DENIED,
  ERROR_COMMITMENT_LIMIT,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NO_SYSTEM_RESOURCES,
  ERROR_NOACCESS,
  ERROR_PRIVILEGE_NOT_HELD,
  MEM_LARGE_PAGES,
  MEM_PHYSICAL,
  MEM_RESERVE,
  PAGE_READWRITE,
  PROCESS_VM_OPERATION,
  NUMA_NO_PREFERRED_NODE,
  SE_LOCK_MEMORY_NAME,
} from '@mem/pages';


/** Frame number 0 is never an AWE frame: MapUserPhysicalPagesScatter reads a 0 entry as "unmap". */
export const NO_FRAME = 0;

// The Win32 door of @mem/awe: AllocateUserPhysicalPages(Numa), FreeUserPhysicalPages,
// MapUserPhysicalPages(Scatter) and the NUMA queries, with their exact Win32 names, the calling
// Process first. Page counts are in-out boxes ({ value }), frame and address arrays are JS number[]
// (filled in place), NULL is undefined. They never throw for bad input: they return FALSE and set
// the last error, with the codes the NT memory manager gives (STATUS_* mapped to ERROR_*).
import {
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  ERROR_PRIVILEGE_NOT_HELD,
  type Process,
  PROCESS_VM_OPERATION,
  resolveProcessHandle,
  SE_LOCK_MEMORY_NAME,
  toWin32,
} from '@mem/pages';
import { availableMemoryOfNode, highestNodeNumber, preferredNode } from './numa';
import { userPhysicalPagesOf } from './user-physical-pages';

/** A scalar in-out parameter: read from and written to `value`. */
export interface ValueBox<T = number> {
  value?: T;
}

function failWith(process: Process, code: number): false {
  process.lastError = code;
  return false;
}

function allocateIn(process: Process, hProcess: number, NumberOfPages: ValueBox | undefined, PageArray: number[] | undefined, node: number | undefined): boolean {
  if (NumberOfPages === undefined) return failWith(process, ERROR_NOACCESS);
  const requested = NumberOfPages.value;
  // a request for no pages succeeds before anything else is looked at (NT returns at once)
  if (requested === 0) return true;
  if (typeof requested !== 'number' || !Number.isSafeInteger(requested) || requested < 0) return failWith(process, ERROR_INVALID_PARAMETER);
  if (!Array.isArray(PageArray)) return failWith(process, ERROR_NOACCESS);
  let target: Process;
  try {
    target = resolveProcessHandle(process, hProcess, PROCESS_VM_OPERATION);
  } catch (error) {
    return toWin32(process, error, false);
  }
  const physical = target.machine.physical;
  const chosen = node === undefined ? 0 : preferredNode(physical, node);
  if (chosen < 0) return failWith(process, ERROR_INVALID_PARAMETER);
  // the caller's token must hold the privilege (SeSinglePrivilegeCheck), whatever the target
  if (!process.hasPrivilege(SE_LOCK_MEMORY_NAME)) return failWith(process, ERROR_PRIVILEGE_NOT_HELD);
  const result = userPhysicalPagesOf(target, true).allocate(requested, chosen, PageArray);
  if (result < 0) return failWith(process, -result);
  NumberOfPages.value = result;
  return true;
}

/**
 * Allocates physical pages for the process `hProcess` names (PROCESS_VM_OPERATION): up to
 * `NumberOfPages.value` frames written to `PageArray`, the count reduced to what was available.
 * Needs SeLockMemoryPrivilege (ERROR_PRIVILEGE_NOT_HELD); no frame at all: ERROR_NO_SYSTEM_RESOURCES.
 */
export function AllocateUserPhysicalPages(process: Process, hProcess: number, NumberOfPages: ValueBox | undefined, PageArray: number[] | undefined): boolean {
  return allocateIn(process, hProcess, NumberOfPages, PageArray, undefined);
}

/** AllocateUserPhysicalPages taking frames from node `nndPreferred` first (then the others). */
export function AllocateUserPhysicalPagesNuma(
  process: Process,
  hProcess: number,
  NumberOfPages: ValueBox | undefined,
  PageArray: number[] | undefined,
  nndPreferred: number,
): boolean {
  return allocateIn(process, hProcess, NumberOfPages, PageArray, nndPreferred);
}

/**
 * Frees frames of the process `hProcess` names, in order, unmapping each wherever it is shown.
 * A frame the process does not own stops it with ERROR_INVALID_ADDRESS; `NumberOfPages.value`
 * then says how many were freed. A count of 0 fails with ERROR_INVALID_PARAMETER.
 */
export function FreeUserPhysicalPages(process: Process, hProcess: number, NumberOfPages: ValueBox | undefined, PageArray: number[] | undefined): boolean {
  if (NumberOfPages === undefined) return failWith(process, ERROR_NOACCESS);
  const requested = NumberOfPages.value;
  NumberOfPages.value = 0;
  if (typeof requested !== 'number' || !Number.isSafeInteger(requested) || requested <= 0) return failWith(process, ERROR_INVALID_PARAMETER);
  if (!Array.isArray(PageArray) || PageArray.length < requested) return failWith(process, ERROR_NOACCESS);
  let target: Process;
  try {
    target = resolveProcessHandle(process, hProcess, PROCESS_VM_OPERATION);
  } catch (error) {
    return toWin32(process, error, false);
  }
  const state = userPhysicalPagesOf(target);
  if (state === undefined || !state.everAllocated) return failWith(process, ERROR_INVALID_PARAMETER);
  const status = state.free(PageArray, requested, NumberOfPages);
  return status === 0 ? true : failWith(process, status);
}

/**
 * Shows `PageArray[0..NumberOfPages)` at consecutive pages from `VirtualAddress` inside one
 * MEM_PHYSICAL region of the calling process (undefined: unmaps the range). All or nothing.
 */
export function MapUserPhysicalPages(process: Process, VirtualAddress: number, NumberOfPages: number, PageArray: number[] | undefined): boolean {
  const state = userPhysicalPagesOf(process);
  if (!Number.isSafeInteger(NumberOfPages) || NumberOfPages < 1) return failWith(process, ERROR_INVALID_PARAMETER);
  if (state === undefined) {
    if (PageArray !== undefined && (!Array.isArray(PageArray) || PageArray.length < NumberOfPages)) return failWith(process, ERROR_NOACCESS);
    return failWith(process, ERROR_INVALID_PARAMETER);
  }
  const status = state.mapRange(VirtualAddress, NumberOfPages, PageArray);
  return status === 0 ? true : failWith(process, status);
}

/**
 * Shows `PageArray[i]` at the page of `VirtualAddresses[i]` (a 0 entry, or PageArray undefined,
 * unmaps that page). Every address must lie in a MEM_PHYSICAL region. All or nothing.
 */
export function MapUserPhysicalPagesScatter(
  process: Process,
  VirtualAddresses: number[] | undefined,
  NumberOfPages: number,
  PageArray: number[] | undefined,
): boolean {
  if (!Number.isSafeInteger(NumberOfPages) || NumberOfPages < 0) return failWith(process, ERROR_INVALID_PARAMETER);
  if (!Array.isArray(VirtualAddresses) || VirtualAddresses.length < NumberOfPages) return failWith(process, ERROR_NOACCESS);
  if (NumberOfPages === 0) return true;
  const state = userPhysicalPagesOf(process);
  if (state === undefined) {
    if (PageArray !== undefined && (!Array.isArray(PageArray) || PageArray.length < NumberOfPages)) return failWith(process, ERROR_NOACCESS);
    return failWith(process, ERROR_INVALID_PARAMETER);
  }
  const status = state.mapScatter(VirtualAddresses, NumberOfPages, PageArray);
  return status === 0 ? true : failWith(process, status);
}

// ---------------------------------------------------------------------------- NUMA

/** Sets `HighestNodeNumber.value` to the highest NUMA node number (0 on a one-node machine). */
export function GetNumaHighestNodeNumber(process: Process, HighestNodeNumber: ValueBox | undefined): boolean {
  if (HighestNodeNumber === undefined) return failWith(process, ERROR_NOACCESS);
  HighestNodeNumber.value = highestNodeNumber(process.machine.physical);
  return true;
}

/** Sets `AvailableBytes.value` to the free RAM of node `Node`; an unknown node: ERROR_INVALID_PARAMETER. */
export function GetNumaAvailableMemoryNodeEx(process: Process, Node: number, AvailableBytes: ValueBox | undefined): boolean {
  try {
    const bytes = availableMemoryOfNode(process.machine.physical, Node);
    if (AvailableBytes === undefined) return failWith(process, ERROR_NOACCESS);
    AvailableBytes.value = bytes;
    return true;
  } catch (error) {
    return toWin32(process, error, false);
  }
}

/** GetNumaAvailableMemoryNodeEx with a UCHAR node number. */
export function GetNumaAvailableMemoryNode(process: Process, Node: number, AvailableBytes: ValueBox | undefined): boolean {
  if (!Number.isInteger(Node) || Node < 0 || Node > 0xff) return failWith(process, ERROR_INVALID_PARAMETER);
  return GetNumaAvailableMemoryNodeEx(process, Node, AvailableBytes);
}

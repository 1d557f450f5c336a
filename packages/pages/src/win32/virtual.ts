// Win32 door of the virtual-memory functions: VirtualAlloc(Ex|ExNuma), VirtualFree(Ex),
// VirtualProtect(Ex), VirtualQuery(Ex), VirtualLock, VirtualUnlock, GetWriteWatch, ResetWriteWatch.
// Each takes the calling Process first, validates flags as Windows does, calls the AddressSpace and
// reports failure as the Win32 failure value plus the last error. They never throw for bad input.
import { normalizeProtection } from '../address-space';
import { isAddressLike } from '../address-math';
import {
  ERROR_BAD_LENGTH,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  ERROR_PRIVILEGE_NOT_HELD,
  MEM_COMMIT,
  MEM_DECOMMIT,
  MEM_LARGE_PAGES,
  MEM_PHYSICAL,
  MEM_RELEASE,
  MEM_RESERVE,
  MEM_RESET,
  MEM_RESET_UNDO,
  MEM_TOP_DOWN,
  MEM_WRITE_WATCH,
  NUMA_NO_PREFERRED_NODE,
  PAGE_NOACCESS,
  PAGE_READWRITE,
  PROCESS_QUERY_INFORMATION,
  PROCESS_QUERY_LIMITED_INFORMATION,
  PROCESS_VM_OPERATION,
  SE_LOCK_MEMORY_NAME,
  WRITE_WATCH_FLAG_RESET,
} from '../constants';
import { MemError } from '../errors';
import type { Process } from '../process';
import { resolveProcessHandle } from '../process-handle';
import { toWin32 } from '../to-win32';

/** A scalar out-parameter (`const old = {}; VirtualProtect(p, a, n, prot, old); old.value`). */
export interface OutBox<T = number> {
  value?: T;
}

/** MEMORY_BASIC_INFORMATION with its Win32 field names, filled by VirtualQuery. */
export interface MEMORY_BASIC_INFORMATION {
  BaseAddress?: number;
  AllocationBase?: number;
  AllocationProtect?: number;
  PartitionId?: number;
  RegionSize?: number;
  State?: number;
  Protect?: number;
  Type?: number;
}

const ALLOCATION_TYPES = MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_TOP_DOWN | MEM_WRITE_WATCH | MEM_PHYSICAL | MEM_RESET_UNDO | MEM_LARGE_PAGES;

function invalid(detail: string): never {
  throw new MemError(ERROR_INVALID_PARAMETER, detail);
}

/** The core of VirtualAlloc(Ex|ExNuma) on `target`; throws MemError. */
function allocateIn(target: Process, address: number, size: number, allocationType: number, protect: number, node: number | undefined): number {
  const space = target.addressSpace;
  const geometry = target.geometry;
  if (!isAddressLike(address) || !isAddressLike(size)) invalid('address and size must be non-negative integers');
  if (!Number.isInteger(allocationType) || allocationType < 0 || allocationType > 0xffffffff) invalid('allocation type');
  if (size === 0) invalid('size 0');
  if ((allocationType & ~ALLOCATION_TYPES) !== 0 || allocationType > 0x7fffffff) invalid('unknown allocation type bits');
  // reset and reset-undo stand alone; the protection must still be valid
  if ((allocationType & (MEM_RESET | MEM_RESET_UNDO)) !== 0) {
    if (allocationType !== MEM_RESET && allocationType !== MEM_RESET_UNDO) invalid('MEM_RESET / MEM_RESET_UNDO combined with other flags');
    if (normalizeProtection(protect, false) < 0) invalid('invalid protection');
    if (address === 0) invalid('MEM_RESET needs an address');
    return allocationType === MEM_RESET ? space.reset(address, size) : space.resetUndo(address, size);
  }
  const commit = (allocationType & MEM_COMMIT) !== 0;
  const reserve = (allocationType & MEM_RESERVE) !== 0;
  if (!commit && !reserve) invalid('neither MEM_COMMIT nor MEM_RESERVE');
  if ((allocationType & MEM_WRITE_WATCH) !== 0 && !reserve) invalid('MEM_WRITE_WATCH without MEM_RESERVE');
  const physical = (allocationType & MEM_PHYSICAL) !== 0;
  // MEM_PHYSICAL: MEM_RESERVE and nothing else (MEM_TOP_DOWN only places it), PAGE_READWRITE
  if (physical && ((allocationType & ~(MEM_PHYSICAL | MEM_RESERVE | MEM_TOP_DOWN)) !== 0 || protect !== PAGE_READWRITE)) {
    invalid('MEM_PHYSICAL needs MEM_RESERVE alone and PAGE_READWRITE');
  }
  const large = (allocationType & MEM_LARGE_PAGES) !== 0;
  if (large) {
    if (!commit || !reserve) invalid('MEM_LARGE_PAGES needs MEM_RESERVE | MEM_COMMIT');
    const minimum = geometry.largePageMinimum;
    if (minimum === 0 || size % minimum !== 0 || address % minimum !== 0) invalid('large-page size or address not a multiple of the minimum');
    if (!target.hasPrivilege(SE_LOCK_MEMORY_NAME)) throw new MemError(ERROR_PRIVILEGE_NOT_HELD, 'MEM_LARGE_PAGES needs SeLockMemoryPrivilege');
  }
  // a commit into an existing allocation may name WRITECOPY (views allow it); the allocation decides
  const commitOnly = commit && !reserve && address !== 0;
  if (normalizeProtection(protect, commitOnly) < 0) invalid('invalid protection');
  if (address > geometry.highestUserAddress) invalid('address above the user address space');
  if (size > geometry.highestUserAddress + 1 - address) invalid('size runs past the user address space');
  const options = {
    topDown: (allocationType & MEM_TOP_DOWN) !== 0,
    writeWatch: (allocationType & MEM_WRITE_WATCH) !== 0,
    physical,
    largePages: large,
    preferredNode: node,
  };
  if (reserve && commit) return space.allocate(address, size, protect, options);
  if (reserve) return space.reserve(address, size, { ...options, protect });
  // MEM_COMMIT alone: a NULL address reserves too (V-007)
  if (address === 0) return space.allocate(0, size, protect, options);
  return space.commit(address, size, protect);
}

function freeIn(target: Process, address: number, size: number, freeType: number): true {
  if (!isAddressLike(address) || !isAddressLike(size)) invalid('address and size must be non-negative integers');
  if (freeType === MEM_RELEASE) {
    if (size !== 0) invalid('MEM_RELEASE needs size 0');
    target.addressSpace.release(address);
    return true;
  }
  if (freeType === MEM_DECOMMIT) {
    target.addressSpace.decommit(address, size);
    return true;
  }
  invalid('free type must be MEM_DECOMMIT or MEM_RELEASE');
}

function protectIn(target: Process, address: number, size: number, newProtect: number, oldProtect: OutBox | undefined): true {
  if (!isAddressLike(address) || !isAddressLike(size)) invalid('address and size must be non-negative integers');
  const space = target.addressSpace;
  if (normalizeProtection(newProtect, true) < 0) invalid('invalid protection');
  if (oldProtect === undefined) throw new MemError(ERROR_NOACCESS, 'lpflOldProtect is NULL');
  if (address > target.geometry.highestUserAddress || size > target.geometry.highestUserAddress + 1 - address) {
    invalid('range runs above the user address space');
  }
  if (space.allocationAt(address) === undefined) {
    // Windows writes PAGE_NOACCESS to the old protection even when the address is free (P-009)
    oldProtect.value = PAGE_NOACCESS;
    throw new MemError(ERROR_INVALID_ADDRESS, 'address is not allocated');
  }
  oldProtect.value = space.protect(address, size, newProtect);
  return true;
}

function queryIn(target: Process, address: number, info: MEMORY_BASIC_INFORMATION | undefined, length: number | undefined): number {
  const size = target.geometry.memoryBasicInformationSize;
  if (length !== undefined && length < size) throw new MemError(ERROR_BAD_LENGTH, 'buffer smaller than MEMORY_BASIC_INFORMATION');
  if (!isAddressLike(address)) invalid('address');
  const region = target.addressSpace.query(address);
  if (info === undefined) throw new MemError(ERROR_NOACCESS, 'lpBuffer is NULL');
  info.BaseAddress = region.baseAddress;
  info.AllocationBase = region.allocationBase;
  info.AllocationProtect = region.allocationProtect;
  if (target.geometry.pointerSize === 8) info.PartitionId = 0;
  info.RegionSize = region.regionSize;
  info.State = region.state;
  info.Protect = region.protect;
  info.Type = region.type;
  return size;
}

// ---------------------------------------------------------------------------- VirtualAlloc

export function VirtualAlloc(process: Process, lpAddress: number, dwSize: number, flAllocationType: number, flProtect: number): number {
  try {
    return allocateIn(process, lpAddress, dwSize, flAllocationType, flProtect, 0);
  } catch (error) {
    return toWin32(process, error, 0);
  }
}

export function VirtualAllocEx(
  process: Process,
  hProcess: number,
  lpAddress: number,
  dwSize: number,
  flAllocationType: number,
  flProtect: number,
): number {
  try {
    const target = resolveProcessHandle(process, hProcess, PROCESS_VM_OPERATION);
    return allocateIn(target, lpAddress, dwSize, flAllocationType, flProtect, 0);
  } catch (error) {
    return toWin32(process, error, 0);
  }
}

export function VirtualAllocExNuma(
  process: Process,
  hProcess: number,
  lpAddress: number,
  dwSize: number,
  flAllocationType: number,
  flProtect: number,
  nndPreferred: number,
): number {
  try {
    const target = resolveProcessHandle(process, hProcess, PROCESS_VM_OPERATION);
    if (nndPreferred === NUMA_NO_PREFERRED_NODE) return allocateIn(target, lpAddress, dwSize, flAllocationType, flProtect, undefined);
    if (!Number.isInteger(nndPreferred) || nndPreferred < 0 || nndPreferred >= target.machine.physical.numaNodes) {
      invalid('NUMA node out of range');
    }
    return allocateIn(target, lpAddress, dwSize, flAllocationType, flProtect, nndPreferred);
  } catch (error) {
    return toWin32(process, error, 0);
  }
}

// ---------------------------------------------------------------------------- VirtualFree

export function VirtualFree(process: Process, lpAddress: number, dwSize: number, dwFreeType: number): boolean {
  try {
    return freeIn(process, lpAddress, dwSize, dwFreeType);
  } catch (error) {
    return toWin32(process, error, false);
  }
}

export function VirtualFreeEx(process: Process, hProcess: number, lpAddress: number, dwSize: number, dwFreeType: number): boolean {
  try {
    const target = resolveProcessHandle(process, hProcess, PROCESS_VM_OPERATION);
    return freeIn(target, lpAddress, dwSize, dwFreeType);
  } catch (error) {
    return toWin32(process, error, false);
  }
}

// ---------------------------------------------------------------------------- VirtualProtect

export function VirtualProtect(process: Process, lpAddress: number, dwSize: number, flNewProtect: number, lpflOldProtect?: OutBox): boolean {
  try {
    return protectIn(process, lpAddress, dwSize, flNewProtect, lpflOldProtect);
  } catch (error) {
    return toWin32(process, error, false);
  }
}

export function VirtualProtectEx(
  process: Process,
  hProcess: number,
  lpAddress: number,
  dwSize: number,
  flNewProtect: number,
  lpflOldProtect?: OutBox,
): boolean {
  try {
    const target = resolveProcessHandle(process, hProcess, PROCESS_VM_OPERATION);
    return protectIn(target, lpAddress, dwSize, flNewProtect, lpflOldProtect);
  } catch (error) {
    return toWin32(process, error, false);
  }
}

// ---------------------------------------------------------------------------- VirtualQuery

/** Fills `lpBuffer` and returns sizeof(MEMORY_BASIC_INFORMATION) (28 / 48), or 0. */
export function VirtualQuery(process: Process, lpAddress: number, lpBuffer?: MEMORY_BASIC_INFORMATION, dwLength?: number): number {
  try {
    return queryIn(process, lpAddress, lpBuffer, dwLength);
  } catch (error) {
    return toWin32(process, error, 0);
  }
}

export function VirtualQueryEx(
  process: Process,
  hProcess: number,
  lpAddress: number,
  lpBuffer?: MEMORY_BASIC_INFORMATION,
  dwLength?: number,
): number {
  try {
    const target = resolveProcessHandle(process, hProcess, 0, PROCESS_QUERY_INFORMATION | PROCESS_QUERY_LIMITED_INFORMATION);
    return queryIn(target, lpAddress, lpBuffer, dwLength);
  } catch (error) {
    return toWin32(process, error, 0);
  }
}

// ---------------------------------------------------------------------------- VirtualLock

export function VirtualLock(process: Process, lpAddress: number, dwSize: number): boolean {
  try {
    process.addressSpace.lock(lpAddress, dwSize);
    return true;
  } catch (error) {
    return toWin32(process, error, false);
  }
}

export function VirtualUnlock(process: Process, lpAddress: number, dwSize: number): boolean {
  try {
    process.addressSpace.unlock(lpAddress, dwSize);
    return true;
  } catch (error) {
    return toWin32(process, error, false);
  }
}

// ---------------------------------------------------------------------------- write watch

/** Failure value of GetWriteWatch / ResetWriteWatch (a UINT). */
const WATCH_FAILURE = 0xffffffff;

/**
 * Fills `lpAddresses` in place with up to `lpdwCount.value` addresses of written pages, sets
 * `lpdwCount.value` to the number found and `lpdwGranularity.value` to the page size; 0 or 0xFFFFFFFF.
 */
export function GetWriteWatch(
  process: Process,
  dwFlags: number,
  lpBaseAddress: number,
  dwRegionSize: number,
  lpAddresses: number[] | undefined,
  lpdwCount: OutBox | undefined,
  lpdwGranularity: OutBox | undefined,
): number {
  try {
    if (dwFlags !== 0 && dwFlags !== WRITE_WATCH_FLAG_RESET) invalid('flags');
    // order of the checks as Windows makes them (Wine test_write_watch)
    if (lpdwCount === undefined || lpdwCount.value === undefined) throw new MemError(ERROR_NOACCESS, 'lpdwCount is NULL');
    const maxCount = lpdwCount.value;
    if (!Number.isInteger(maxCount) || maxCount <= 0) invalid('count 0');
    if (lpAddresses === undefined) throw new MemError(ERROR_NOACCESS, 'lpAddresses is NULL');
    if (lpdwGranularity === undefined) throw new MemError(ERROR_NOACCESS, 'lpdwGranularity is NULL');
    const found = process.addressSpace.getWriteWatch(lpBaseAddress, dwRegionSize, dwFlags === WRITE_WATCH_FLAG_RESET, maxCount);
    for (let i = 0; i < found.length; i++) lpAddresses[i] = found[i] as number;
    lpdwCount.value = found.length;
    lpdwGranularity.value = process.geometry.pageSize;
    return 0;
  } catch (error) {
    return toWin32(process, error, WATCH_FAILURE);
  }
}

export function ResetWriteWatch(process: Process, lpBaseAddress: number, dwRegionSize: number): number {
  try {
    process.addressSpace.resetWriteWatch(lpBaseAddress, dwRegionSize);
    return 0;
  } catch (error) {
    return toWin32(process, error, WATCH_FAILURE);
  }
}

// Win32 door of the system-information functions: GetSystemInfo, GetNativeSystemInfo,
// GetLargePageMinimum, GlobalMemoryStatusEx, GlobalMemoryStatus, GetPhysicallyInstalledSystemMemory,
// GetLastError, SetLastError.
// Every figure comes from the process's geometry, its address space and the machine's physical
// memory (spec §2.5, §3, §17; internals §3.5). They never throw.
import {
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  PROCESSOR_ARCHITECTURE_AMD64,
  PROCESSOR_ARCHITECTURE_IA64,
  PROCESSOR_ARCHITECTURE_INTEL,
  PROCESSOR_AMD_X8664,
  PROCESSOR_INTEL_IA64,
  PROCESSOR_INTEL_PENTIUM,
} from '../constants';
import type { Geometry } from '../geometry';
import type { Process } from '../process';

/** SYSTEM_INFO with its Win32 field names, filled by GetSystemInfo. */
export interface SYSTEM_INFO {
  /** Union with wProcessorArchitecture / wReserved. */
  dwOemId?: number;
  wProcessorArchitecture?: number;
  wReserved?: number;
  dwPageSize?: number;
  lpMinimumApplicationAddress?: number;
  lpMaximumApplicationAddress?: number;
  dwActiveProcessorMask?: number;
  dwNumberOfProcessors?: number;
  dwProcessorType?: number;
  dwAllocationGranularity?: number;
  wProcessorLevel?: number;
  wProcessorRevision?: number;
}

/** MEMORYSTATUSEX; the caller sets dwLength = 64 (sizeof) before the call. */
export interface MEMORYSTATUSEX {
  dwLength?: number;
  dwMemoryLoad?: number;
  ullTotalPhys?: number;
  ullAvailPhys?: number;
  ullTotalPageFile?: number;
  ullAvailPageFile?: number;
  ullTotalVirtual?: number;
  ullAvailVirtual?: number;
  ullAvailExtendedVirtual?: number;
}

/** Legacy MEMORYSTATUS (32 bytes on 32-bit, 56 on 64-bit); GlobalMemoryStatus sets dwLength itself. */
export interface MEMORYSTATUS {
  dwLength?: number;
  dwMemoryLoad?: number;
  dwTotalPhys?: number;
  dwAvailPhys?: number;
  dwTotalPageFile?: number;
  dwAvailPageFile?: number;
  dwTotalVirtual?: number;
  dwAvailVirtual?: number;
}

/** sizeof(MEMORYSTATUSEX) on every architecture. */
export const MEMORYSTATUSEX_SIZE = 64;

/** The simulated machine's processor count (SYSTEM_INFO has to report something). */
const SIMULATED_PROCESSORS = 4;

function processorType(architecture: number): number {
  if (architecture === PROCESSOR_ARCHITECTURE_INTEL) return PROCESSOR_INTEL_PENTIUM;
  if (architecture === PROCESSOR_ARCHITECTURE_AMD64) return PROCESSOR_AMD_X8664;
  if (architecture === PROCESSOR_ARCHITECTURE_IA64) return PROCESSOR_INTEL_IA64;
  return 0; // ARM64 and others: Windows reports no PROCESSOR_* type
}

function fillSystemInfo(geometry: Geometry, architecture: number, info: SYSTEM_INFO): void {
  info.wProcessorArchitecture = architecture;
  info.wReserved = 0;
  info.dwOemId = architecture;
  info.dwPageSize = geometry.pageSize;
  info.lpMinimumApplicationAddress = geometry.lowestUserAddress;
  info.lpMaximumApplicationAddress = geometry.highestUserAddress;
  info.dwActiveProcessorMask = 2 ** SIMULATED_PROCESSORS - 1;
  info.dwNumberOfProcessors = SIMULATED_PROCESSORS;
  info.dwProcessorType = processorType(architecture);
  info.dwAllocationGranularity = geometry.allocationGranularity;
  // family 6 for x86/x64 (Wine derives the type from it), 0x1F for Itanium 2, 8 for ARMv8
  info.wProcessorLevel = architecture === PROCESSOR_ARCHITECTURE_IA64 ? 0x1f : architecture === PROCESSOR_ARCHITECTURE_AMD64 || architecture === PROCESSOR_ARCHITECTURE_INTEL ? 6 : 8;
  info.wProcessorRevision = 0;
}

/** GetSystemInfo: the system as this process sees it (INTEL under WOW64). NULL does nothing. */
export function GetSystemInfo(process: Process, lpSystemInfo?: SYSTEM_INFO): void {
  if (lpSystemInfo === undefined) return;
  fillSystemInfo(process.geometry, process.geometry.processorArchitecture, lpSystemInfo);
}

/** GetNativeSystemInfo: as GetSystemInfo, with the machine's own architecture (AMD64 under WOW64). */
export function GetNativeSystemInfo(process: Process, lpSystemInfo?: SYSTEM_INFO): void {
  if (lpSystemInfo === undefined) return;
  fillSystemInfo(process.geometry, process.geometry.nativeProcessorArchitecture, lpSystemInfo);
}

/** GetLargePageMinimum: the large-page size, 0 without large-page support. Never sets the last error. */
export function GetLargePageMinimum(process: Process): number {
  return process.geometry.largePageMinimum;
}

interface Figures {
  memoryLoad: number;
  totalPhys: number;
  availPhys: number;
  totalPageFile: number;
  availPageFile: number;
  totalVirtual: number;
  availVirtual: number;
}

function figures(process: Process): Figures {
  const physical = process.machine.physical;
  const geometry = process.geometry;
  const totalPhys = physical.totalPhysical;
  const availPhys = physical.availablePhysical;
  // dwMemoryLoad = in-use / (total / 100), integer arithmetic as Windows (MS-002)
  const onePercent = Math.floor(totalPhys / 100);
  const memoryLoad = onePercent === 0 ? 0 : Math.min(100, Math.floor((totalPhys - availPhys) / onePercent));
  return {
    memoryLoad,
    totalPhys,
    availPhys,
    // ullTotalPageFile is the commit limit, ullAvailPageFile what is left of it
    totalPageFile: physical.commitLimit,
    availPageFile: Math.max(0, physical.commitLimit - physical.commitCharge),
    totalVirtual: geometry.highestUserAddress + 1 - geometry.lowestUserAddress,
    availVirtual: process.addressSpace.availableVirtualBytes,
  };
}

/** GlobalMemoryStatusEx: TRUE, or FALSE with ERROR_INVALID_PARAMETER unless dwLength is 64 (MS-001). */
export function GlobalMemoryStatusEx(process: Process, lpBuffer?: MEMORYSTATUSEX): boolean {
  if (lpBuffer === undefined) {
    process.lastError = ERROR_NOACCESS;
    return false;
  }
  if (lpBuffer.dwLength !== MEMORYSTATUSEX_SIZE) {
    process.lastError = ERROR_INVALID_PARAMETER;
    return false;
  }
  const f = figures(process);
  lpBuffer.dwMemoryLoad = f.memoryLoad;
  lpBuffer.ullTotalPhys = f.totalPhys;
  lpBuffer.ullAvailPhys = f.availPhys;
  lpBuffer.ullTotalPageFile = f.totalPageFile;
  lpBuffer.ullAvailPageFile = f.availPageFile;
  lpBuffer.ullTotalVirtual = f.totalVirtual;
  lpBuffer.ullAvailVirtual = f.availVirtual;
  lpBuffer.ullAvailExtendedVirtual = 0;
  return true;
}

/**
 * GlobalMemoryStatus (legacy): ignores dwLength and fills it; SIZE_T fields clamp as Windows does
 * (MS-003): physical figures to 0x7FFFFFFF for a 32-bit process that is not large-address aware,
 * everything to the SIZE_T range. Never touches the last error.
 */
export function GlobalMemoryStatus(process: Process, lpBuffer?: MEMORYSTATUS): void {
  if (lpBuffer === undefined) return;
  const geometry = process.geometry;
  const is64 = geometry.pointerSize === 8;
  const sizeMax = is64 ? Number.MAX_SAFE_INTEGER : 0xffffffff;
  const largeAddressAware = is64 || geometry.highestUserAddress > 0x7fffffff;
  const physMax = largeAddressAware ? sizeMax : 0x7fffffff;
  const f = figures(process);
  lpBuffer.dwLength = is64 ? 56 : 32;
  lpBuffer.dwMemoryLoad = f.memoryLoad;
  lpBuffer.dwTotalPhys = Math.min(physMax, f.totalPhys);
  lpBuffer.dwAvailPhys = Math.min(physMax, f.availPhys);
  lpBuffer.dwTotalPageFile = Math.min(sizeMax, f.totalPageFile);
  lpBuffer.dwAvailPageFile = Math.min(sizeMax, f.availPageFile);
  lpBuffer.dwTotalVirtual = Math.min(sizeMax, f.totalVirtual);
  lpBuffer.dwAvailVirtual = Math.min(sizeMax, f.availVirtual);
}

/**
 * GetPhysicallyInstalledSystemMemory: the RAM installed, in KiB (at least ullTotalPhys / 1024, MS-004).
 * NULL → FALSE, ERROR_INVALID_PARAMETER.
 */
export function GetPhysicallyInstalledSystemMemory(process: Process, TotalMemoryInKilobytes?: { value?: number }): boolean {
  if (TotalMemoryInKilobytes === undefined) {
    process.lastError = ERROR_INVALID_PARAMETER;
    return false;
  }
  TotalMemoryInKilobytes.value = Math.floor(process.machine.physical.totalPhysical / 1024);
  return true;
}

/** GetLastError: the calling process's last-error code (a DWORD). */
export function GetLastError(process: Process): number {
  return process.lastError;
}

/** SetLastError: stores any value as a DWORD (unsigned). */
export function SetLastError(process: Process, dwErrCode: number): void {
  // ToUint32 is exactly the C conversion to DWORD (modulo 2^32; -1 → 0xFFFFFFFF)
  process.lastError = dwErrCode >>> 0;
}

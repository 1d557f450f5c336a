// The header figures: GlobalMemoryStatusEx as the process sees it (commit charge against the commit
// limit, physical and virtual memory) and the process's own counters (committed, reserved, private
// bytes, working set) as Task Manager and VMMap's summary graphs show them.
import type { Kernel32 } from '@mem/kernel32';

/** MEMORYSTATUSEX as GlobalMemoryStatusEx fills it. */
export interface MemoryStatusEx {
  dwLength: number;
  dwMemoryLoad: number;
  ullTotalPhys: number;
  ullAvailPhys: number;
  ullTotalPageFile: number;
  ullAvailPageFile: number;
  ullTotalVirtual: number;
  ullAvailVirtual: number;
  ullAvailExtendedVirtual: number;
}

export interface MemorySummary {
  memoryLoad: number;
  totalPhysical: number;
  availablePhysical: number;
  /** ullTotalPageFile: the commit limit (RAM + paging file), despite the name. */
  commitLimit: number;
  /** ullAvailPageFile: what the process can still commit. */
  availableCommit: number;
  /** commitLimit − availableCommit: the system's commit charge. */
  commitCharge: number;
  totalVirtual: number;
  availableVirtual: number;
  /** Bytes of committed pages of the process (views included). */
  committed: number;
  /** Bytes of address space taken by allocations, reserved or committed (TotalVirtual − AvailVirtual). */
  reserved: number;
  /** Private Bytes (PagefileUsage): committed private memory charged to the process. */
  privateBytes: number;
  workingSet: number;
  peakWorkingSet: number;
}

export function memoryStatus(k: Kernel32): MemoryStatusEx {
  const status = { dwLength: 64 } as MemoryStatusEx;
  if (!k.GlobalMemoryStatusEx(status)) throw new Error(`GlobalMemoryStatusEx failed: ${k.GetLastError()}`);
  return status;
}

export function memorySummary(k: Kernel32): MemorySummary {
  const status = memoryStatus(k);
  const space = k.process.addressSpace;
  return {
    memoryLoad: status.dwMemoryLoad,
    totalPhysical: status.ullTotalPhys,
    availablePhysical: status.ullAvailPhys,
    commitLimit: status.ullTotalPageFile,
    availableCommit: status.ullAvailPageFile,
    commitCharge: status.ullTotalPageFile - status.ullAvailPageFile,
    totalVirtual: status.ullTotalVirtual,
    availableVirtual: status.ullAvailVirtual,
    committed: space.committedBytes,
    reserved: status.ullTotalVirtual - status.ullAvailVirtual,
    privateBytes: space.privateBytes,
    workingSet: space.workingSetBytes,
    peakWorkingSet: space.peakWorkingSetBytes,
  };
}

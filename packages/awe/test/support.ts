// Shared helpers of the @mem/awe tests: a machine and a privileged process, the last-error sentinel
// pattern of Wine's tests, an AWE window reserved through VirtualAlloc, and machine-wide counters.
import { createMachine, type Machine, type MachineOptions, type Process } from '@mem/pages';
import { GlobalMemoryStatusEx, type MEMORYSTATUSEX, VirtualAlloc } from '@mem/pages/win32';
import { expect } from 'vitest';
import { MEM_PHYSICAL, MEM_RESERVE, PAGE_READWRITE } from '../src/constants';

/** The value set as last error before each call, as Wine's tests do. */
export const SENTINEL = 0xdeadbeef;

export const PAGE = 0x1000;

export interface Setup {
  machine: Machine;
  process: Process;
}

/** A machine (16 MiB RAM by default) and a process holding SeLockMemoryPrivilege. */
export function setup(options: MachineOptions = {}, privileged = true): Setup {
  const machine = createMachine({ physicalMemory: 16 << 20, pagingFile: 16 << 20, ...options });
  const process = machine.createProcess(privileged ? { privileges: ['SeLockMemoryPrivilege'] } : {});
  return { machine, process };
}

/** Runs `call` with the last error set to SENTINEL; returns [result, last error]. */
export function attempt<T>(process: Process, call: () => T): [T, number] {
  process.lastError = SENTINEL;
  const result = call();
  return [result, process.lastError];
}

/** VirtualAlloc(NULL, pages, MEM_RESERVE | MEM_PHYSICAL, PAGE_READWRITE) that must succeed. */
export function reserveWindow(process: Process, pageCount: number): number {
  const base = VirtualAlloc(process, 0, pageCount * process.geometry.pageSize, MEM_RESERVE | MEM_PHYSICAL, PAGE_READWRITE);
  expect(base, `MEM_PHYSICAL reservation failed with ${process.lastError}`).not.toBe(0);
  return base;
}

/** The figures GlobalMemoryStatusEx reports (bytes) that AWE changes, read through GlobalMemoryStatusEx. */
export function memoryStatus(machine: Machine, caller?: Process): { availPhys: number; availPageFile: number; commitCharge: number } {
  const process = caller ?? (machine.processes()[0] as Process);
  const status: MEMORYSTATUSEX = { dwLength: 64 };
  expect(GlobalMemoryStatusEx(process, status)).toBe(true);
  const availPageFile = status.ullAvailPageFile as number;
  return {
    availPhys: status.ullAvailPhys as number,
    availPageFile,
    commitCharge: (status.ullTotalPageFile as number) - availPageFile,
  };
}

/** True when a read of `address` faults with an access violation. */
export function faults(process: Process, address: number): boolean {
  try {
    process.mem.getUint8(address);
    return false;
  } catch (error) {
    return (error as { code?: number }).code === 0xc0000005;
  }
}

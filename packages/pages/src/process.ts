// Process: one simulated process — its address space, CPU view (`mem`), kernel accessor, handle
// table, last error, privileges and DEP policy. Upper packages hang their per-process state off a
// Process in WeakMaps of their own.
import { AddressSpace } from './address-space';
import type { Geometry } from './geometry';
import { HandleTable } from './handle-table';
import type { Machine } from './machine';
import { MemoryAccess } from './memory-access';

export interface ProcessOptions {
  name?: string;
  /** Privileges held, e.g. ['SeLockMemoryPrivilege'] (large pages, AWE). */
  privileges?: Iterable<string>;
  /**
   * DEP for this process. Default: on for 64-bit geometries (always on), off for 32-bit ones
   * (Windows' client policy is OptIn and a simulated process has no NXCOMPAT image to opt in).
   */
  dep?: boolean;
}

export class Process {
  readonly pid: number;
  readonly name: string;
  readonly machine: Machine;
  readonly geometry: Geometry;
  readonly privileges: Set<string>;
  readonly addressSpace: AddressSpace;
  /** The process's own loads, stores and fetches (`k.mem`), checked against protections. */
  readonly mem: MemoryAccess;
  /**
   * Kernel-mode access for system calls (ReadProcessMemory, WriteProcessMemory, Windows writing
   * out-parameters): only committed-ness is checked; stores still mark write-watch pages dirty and
   * copy write-copy pages.
   */
  readonly kernel: MemoryAccess;
  readonly handles = new HandleTable();
  /** GetLastError / SetLastError. */
  lastError = 0;
  /** SetProcessDEPPolicy made DEP permanent (64-bit processes: always). */
  depPermanent: boolean;
  /** PROCESS_DEP_DISABLE_ATL_THUNK_EMULATION was set. */
  atlThunkEmulationDisabled = false;
  /** False once terminated: its memory is released. */
  alive = true;

  constructor(machine: Machine, pid: number, options: ProcessOptions = {}) {
    this.machine = machine;
    this.pid = pid;
    this.geometry = machine.geometry;
    this.name = options.name ?? `process-${pid}`;
    this.privileges = new Set(options.privileges ?? []);
    this.addressSpace = new AddressSpace(machine.geometry, machine.physical);
    const is64 = machine.geometry.pointerSize === 8;
    this.mem = new MemoryAccess(this.addressSpace, { dep: options.dep ?? machine.geometry.depDefault });
    this.kernel = new MemoryAccess(this.addressSpace, { dep: false, privileged: true });
    this.depPermanent = is64;
  }

  /** Whether instruction fetches from non-executable pages fault. */
  get depEnabled(): boolean {
    return this.mem.dep;
  }
  set depEnabled(value: boolean) {
    this.mem.dep = value;
  }

  hasPrivilege(name: string): boolean {
    return this.privileges.has(name);
  }

  private readonly terminateHooks: ((process: Process) => void)[] = [];

  /**
   * Registers a hook run when the process terminates, before its handles are closed and its
   * allocations released (upper packages free per-process resources there, e.g. AWE frames).
   */
  onTerminate(hook: (process: Process) => void): void {
    this.terminateHooks.push(hook);
  }

  /** Runs the terminate hooks, closes every handle and releases every allocation (ExitProcess). */
  terminate(): void {
    if (!this.alive) return;
    this.alive = false;
    for (const hook of this.terminateHooks.splice(0)) hook(this);
    for (const [handle] of [...this.handles]) this.handles.close(handle);
    for (const allocation of this.addressSpace.allocations()) this.addressSpace.removeAllocation(allocation);
    this.machine.forgetProcess(this);
  }
}

// System: one simulated machine seen from kernel32 — createSystem's options, the Machine of
// @mem/pages, and the processes created on it, each handed out as a Kernel32.
import { createProcessHeap, hasStrategy } from '@mem/heap';
import {
  ERROR_INVALID_PARAMETER,
  Machine,
  type MachineOptions,
  MemError,
  type Process,
  applyDepPolicy,
  setSystemDepPolicy,
} from '@mem/pages';
import { type Kernel32, bindKernel32 } from './Kernel32';

export interface CreateSystemOptions extends MachineOptions {
  /**
   * Strategy of the heaps of its processes: 'lfh' behaves as Windows since Vista, 'segregated'
   * never activates a front end; other registered strategies replace both. Default 'lfh'.
   */
  heapStrategy?: string;
  /**
   * The system DEP policy (GetSystemDEPPolicy): DEP_SYSTEM_POLICY_ALWAYS_OFF, _ALWAYS_ON, _OPT_IN or
   * _OPT_OUT. Default OptIn, as on client Windows.
   */
  depPolicy?: number;
}

export interface CreateProcessOptions {
  /** Privileges held, e.g. ['SeLockMemoryPrivilege'] for AWE and large pages. */
  privileges?: Iterable<string>;
  name?: string;
}

export class System {
  readonly machine: Machine;
  /** Strategy of the process heaps (see CreateSystemOptions.heapStrategy). */
  readonly heapStrategy: string;
  private readonly kernels = new Map<Process, Kernel32>();

  constructor(options: CreateSystemOptions = {}) {
    const { heapStrategy = 'lfh', depPolicy, ...machineOptions } = options;
    // refused here rather than at the first createProcess
    if (typeof heapStrategy !== 'string' || !hasStrategy(heapStrategy)) {
      throw new MemError(ERROR_INVALID_PARAMETER, `unknown heap strategy '${String(heapStrategy)}'`);
    }
    this.machine = new Machine(machineOptions);
    if (depPolicy !== undefined) setSystemDepPolicy(this.machine, depPolicy);
    this.heapStrategy = heapStrategy;
  }

  /** A new process on this machine, seen through its kernel32. */
  createProcess(options: CreateProcessOptions = {}): Kernel32 {
    const process = this.machine.createProcess({ name: options.name, privileges: options.privileges });
    applyDepPolicy(process);
    createProcessHeap(process, this.heapStrategy); // GetProcessHeap's heap exists from process start
    const kernel = bindKernel32(this, process);
    this.kernels.set(process, kernel);
    return kernel;
  }

  /** The Kernel32 of a live process of this system, by pid. */
  kernelOf(pid: number): Kernel32 | undefined {
    const process = this.machine.process(pid);
    return process === undefined ? undefined : this.kernels.get(process);
  }

  /** Kernel32s of the live processes, in creation order. */
  processes(): Kernel32[] {
    const live: Kernel32[] = [];
    for (const process of this.machine.processes()) {
      const kernel = this.kernels.get(process);
      if (kernel !== undefined) live.push(kernel);
    }
    return live;
  }
}

/** One simulated machine. Throws MemError(ERROR_INVALID_PARAMETER) for inconsistent options. */
export function createSystem(options: CreateSystemOptions = {}): System {
  return new System(options);
}

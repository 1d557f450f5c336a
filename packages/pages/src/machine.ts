// Machine: one simulated computer — a geometry, physical memory with the system commit limit, and
// its processes by pid (multiples of 4, as on Windows).
import { type Geometry, type GeometryName, resolveGeometry } from './geometry';
import { PhysicalMemory } from './physical-memory';
import { Process, type ProcessOptions } from './process';

export interface MachineOptions {
  /** A geometry name or object (default 'x64'). */
  geometry?: GeometryName | Partial<Geometry>;
  /** Bytes of RAM (default 1 GiB). */
  physicalMemory?: number;
  /** Bytes of paging file (default 1 GiB); commit limit = RAM + paging file. */
  pagingFile?: number;
  /** NUMA nodes; RAM is split evenly (default 1). */
  numaNodes?: number;
}

const GiB = 1024 * 1024 * 1024;
/** First pid handed out; 0 and 4 belong to Idle and System on Windows. */
const FIRST_PID = 1000;

export class Machine {
  readonly geometry: Geometry;
  readonly physical: PhysicalMemory;
  private readonly processMap = new Map<number, Process>();
  private nextPid = FIRST_PID;

  constructor(options: MachineOptions = {}) {
    this.geometry = resolveGeometry(options.geometry ?? 'x64');
    this.physical = new PhysicalMemory({
      pageSize: this.geometry.pageSize,
      physicalMemory: options.physicalMemory ?? GiB,
      pagingFile: options.pagingFile ?? GiB,
      numaNodes: options.numaNodes ?? 1,
    });
  }

  createProcess(options: ProcessOptions = {}): Process {
    const pid = this.nextPid;
    this.nextPid += 4;
    const process = new Process(this, pid, options);
    this.processMap.set(pid, process);
    return process;
  }

  /** The live process with `pid`, if any. */
  process(pid: number): Process | undefined {
    return this.processMap.get(pid);
  }

  /** Live processes in creation order. */
  processes(): Process[] {
    return [...this.processMap.values()];
  }

  /** Called by Process.terminate. */
  forgetProcess(process: Process): void {
    if (this.processMap.get(process.pid) === process) this.processMap.delete(process.pid);
  }
}

/** A new simulated machine. */
export function createMachine(options: MachineOptions = {}): Machine {
  return new Machine(options);
}

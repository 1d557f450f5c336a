// A PageSource over a simulated process's address space: the pages a Win32 heap reserves and commits are
// real allocations of the process (VirtualQuery shows them, commit is charged), read/write — or
// execute/read/write for HEAP_CREATE_ENABLE_EXECUTE heaps. Memory is the process's `mem`. Failures are
// reported by return value and leave the process's last error as it was (a heap call decides its own).
import type { AddressSpace, Process } from '@mem/pages';
import { isMemError, PAGE_EXECUTE_READWRITE, PAGE_READWRITE } from '@mem/pages';
import type { HeapMemory, PageSource } from '../api';

export interface ProcessPageSourceOptions {
  /** Commit pages PAGE_EXECUTE_READWRITE (HEAP_CREATE_ENABLE_EXECUTE). */
  executable?: boolean;
  /** Tag of the allocations, for VMMap-like views (default 'heap'). */
  tag?: string;
}

export class ProcessPageSource implements PageSource {
  readonly process: Process;
  readonly memory: HeapMemory;
  readonly pageSize: number;
  readonly granularity: number;
  readonly pointerSize: 4 | 8;
  /** PAGE_READWRITE or PAGE_EXECUTE_READWRITE. */
  readonly protection: number;
  /** Tag given to the allocations this source reserves (the heap names itself once it has a handle). */
  tag: string;
  private readonly space: AddressSpace;

  constructor(process: Process, options: ProcessPageSourceOptions = {}) {
    const geometry = process.geometry;
    this.process = process;
    this.space = process.addressSpace;
    this.memory = process.mem;
    this.pageSize = geometry.pageSize;
    this.granularity = geometry.allocationGranularity;
    this.pointerSize = geometry.pointerSize;
    this.protection = options.executable ? PAGE_EXECUTE_READWRITE : PAGE_READWRITE;
    this.tag = options.tag ?? 'heap';
  }

  reserve(size: number): number {
    try {
      return this.space.reserve(0, size, { protect: this.protection, tag: this.tag });
    } catch (error) {
      if (isMemError(error)) return 0;
      throw error;
    }
  }

  commit(address: number, size: number): boolean {
    try {
      this.space.commit(address, size, this.protection);
      return true;
    } catch (error) {
      if (isMemError(error)) return false;
      throw error;
    }
  }

  decommit(address: number, size: number): void {
    if (size <= 0) return; // the core reads 0 as "to the end of the allocation"
    try {
      this.space.decommit(address, size);
    } catch (error) {
      if (!isMemError(error)) throw error;
    }
  }

  release(address: number, _size: number): void {
    try {
      this.space.release(address);
    } catch (error) {
      if (!isMemError(error)) throw error;
    }
  }
}

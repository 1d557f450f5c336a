// Shared helpers of the Win32 heap conformance suite: a process on a fresh machine with the heap door bound
// to it (the shape Kernel32 gives), the last-error sentinel of Wine's tests, and walk helpers.
import { createMachine, type GeometryName, type MachineOptions, type Process } from '@mem/pages';
import { expect } from 'vitest';
import { createProcessHeap } from '../../src/ProcessHeaps';
import * as door from '../../src/win32';

/** The last-error value Wine's tests set before each call. */
export const SENTINEL = 0xdeadbeef;

type DoorFunction = (process: Process, ...rest: never[]) => unknown;
type Bound<T> = {
  [K in keyof T as T[K] extends DoorFunction ? K : never]: T[K] extends (process: Process, ...rest: infer A) => infer R
    ? (...rest: A) => R
    : never;
};

export type HeapKernel = Bound<typeof door> & {
  process: Process;
  mem: Process['mem'];
  SetLastError(code: number): void;
  GetLastError(): number;
};

/** A process of a new machine, seen through the heap door (GetProcessHeap, HeapAlloc, ...). */
export function heapKernel(
  geometry: GeometryName = 'x64',
  heapStrategy = 'lfh',
  machine: Omit<MachineOptions, 'geometry'> = {},
): HeapKernel {
  const process = createMachine({ ...machine, geometry }).createProcess();
  createProcessHeap(process, heapStrategy);
  const bound: Record<string, unknown> = {
    process,
    mem: process.mem,
    SetLastError(code: number) {
      process.lastError = code;
    },
    GetLastError() {
      return process.lastError;
    },
  };
  for (const [name, value] of Object.entries(door)) {
    if (typeof value === 'function') bound[name] = (...rest: unknown[]) => (value as (...a: unknown[]) => unknown)(process, ...rest);
  }
  return bound as HeapKernel;
}

/** Runs `call` after SetLastError(SENTINEL); returns [result, last error]. */
export function attempt<T>(k: HeapKernel, call: () => T): [T, number] {
  k.SetLastError(SENTINEL);
  const result = call();
  return [result, k.GetLastError()];
}

export interface WalkEntry {
  lpData: number;
  cbData: number;
  cbOverhead: number;
  iRegionIndex: number;
  wFlags: number;
  Block: { hMem: number };
  Region: { dwCommittedSize: number; dwUnCommittedSize: number; lpFirstBlock: number; lpLastBlock: number };
}

/** The whole HeapWalk of a heap (copies of each entry), checking that it ends with ERROR_NO_MORE_ITEMS. */
export function walkAll(k: HeapKernel, heap: number): WalkEntry[] {
  const entries: WalkEntry[] = [];
  const entry = { lpData: 0 } as WalkEntry;
  k.SetLastError(SENTINEL);
  while (k.HeapWalk(heap, entry)) {
    entries.push({ ...entry, Block: { ...entry.Block }, Region: { ...entry.Region } });
    expect(entries.length).toBeLessThan(1_000_000);
  }
  expect(k.GetLastError()).toBe(259); // ERROR_NO_MORE_ITEMS
  return entries;
}

/** Region information of `address` from the process's address space. */
export function regionOf(k: HeapKernel, address: number) {
  return k.process.addressSpace.query(address);
}

export const GEOMETRIES_32_64: GeometryName[] = ['x86', 'x64'];

// Shared helpers of the Global/Local conformance suite: a fresh simulated process with its process heap,
// the Win32 door bound to it (as Kernel32 binds it, without depending on @mem/kernel32), the heap calls
// Wine's tests make beside Global*/Local*, and the "set 0xdeadbeef, call, check" last-error pattern.
import { createProcessHeap, getProcessHeap } from '@mem/heap';
import { Machine, type Process } from '@mem/pages';
import * as door from '../src/win32';

/** The last-error sentinel Wine's tests set before each call. */
export const SENTINEL = 0xdeadbeef;

export type Geometry = 'x86' | 'x64';
export const GEOMETRIES: Geometry[] = ['x86', 'x64'];

type Door = typeof door;
type Bound = {
  [Name in keyof Door]: Door[Name] extends (process: Process, ...args: infer A) => infer R ? (...args: A) => R : never;
};

export interface TestKernel extends Bound {
  readonly process: Process;
  readonly pointerSize: 4 | 8;
  GetLastError(): number;
  SetLastError(code: number): void;
  /** HeapValidate(GetProcessHeap(), 0, p) as a boolean. */
  heapValidate(pointer: number): boolean;
  /** HeapSize(GetProcessHeap(), 0, p), or -1 when the heap refuses it. */
  heapSize(pointer: number): number;
  /** HeapAlloc(GetProcessHeap(), 0, size). */
  heapAlloc(size: number): number;
  heapFree(pointer: number): void;
}

/** A new process on a new machine, with its process heap of the given strategy. */
export function newKernel(geometry: Geometry = 'x64', heapStrategy = 'lfh'): TestKernel {
  const machine = new Machine({ geometry });
  const process = machine.createProcess();
  createProcessHeap(process, heapStrategy);
  const heap = getProcessHeap(process);
  const bound: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(door)) {
    if (typeof value === 'function') bound[name] = (...args: unknown[]) => (value as (...a: unknown[]) => unknown)(process, ...args);
  }
  return Object.assign(bound as Bound, {
    process,
    pointerSize: process.geometry.pointerSize,
    GetLastError: () => process.lastError,
    SetLastError: (code: number) => {
      process.lastError = code;
    },
    heapValidate: (pointer: number) => heap.validate(pointer),
    heapSize: (pointer: number) => {
      try {
        return heap.size(pointer);
      } catch {
        return -1;
      }
    },
    heapAlloc: (size: number) => heap.alloc(size),
    heapFree: (pointer: number) => heap.free(pointer),
  });
}

/** Wine's "make sure LFH is enabled for some small block size": 0x12 fixed blocks of `size`, freed. */
export function activateLfh(k: TestKernel, size = 12): void {
  const blocks: number[] = [];
  for (let i = 0; i < 0x12; i++) blocks.push(k.GlobalAlloc(0, size));
  for (const block of blocks) k.GlobalFree(block);
}

/** The slot of a moveable handle as Windows lays it out: { UINT_PTR flags; void *ptr } before the handle. */
export function slotOf(k: TestKernel, handle: number): { flags: number; ptr: number } {
  const size = k.pointerSize;
  const read = (address: number) =>
    size === 4 ? k.process.mem.getUint32(address) : k.process.mem.getUint32(address) + k.process.mem.getUint32(address + 4) * 2 ** 32;
  return { flags: read(handle - size), ptr: read(handle) };
}

/** True when `value` has a moveable handle's residue (ptr mod 2·ptr). */
export function isMemEntry(k: TestKernel, value: number): boolean {
  return value % (2 * k.pointerSize) === k.pointerSize;
}

/** A pointer-shaped value far from any allocation (Wine's 0xdeadbee0). */
export const INVALID_POINTER = 0xdeadbee0;

/** Handle-shaped but never a handle (Wine's 0xdeadbee0 + sizeof(void *)). */
export function invalidHandle(k: TestKernel): number {
  return INVALID_POINTER + k.pointerSize;
}

/** Wine's pattern: SetLastError(0xdeadbeef), make the call, return [result, GetLastError()]. */
export function call<T>(k: TestKernel, make: () => T): [T, number] {
  k.SetLastError(SENTINEL);
  const result = make();
  return [result, k.GetLastError()];
}

// Helpers of the mapping conformance suite: a machine with processes seen through both Win32 doors
// (pages' Virtual* and CloseHandle, mapping's file-mapping functions) bound to the process, the
// last-error sentinel pattern of Wine's tests, VirtualQuery as a plain object and temporary files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Machine, type MachineOptions, type Process, createMachine } from '@mem/pages';
import * as pagesDoor from '@mem/pages/win32';
import { afterEach, expect } from 'vitest';
import type { Section } from '../src/section';
import * as mappingDoor from '../src/win32';

type Door = typeof pagesDoor & typeof mappingDoor;
type Bound<T> = {
  [K in keyof T]: T[K] extends (process: Process, ...rest: infer A) => infer R ? (...rest: A) => R : never;
};
export type Kernel = Bound<Door> & { process: Process; machine: Machine };

/** The last-error sentinel Wine's tests set before each call. */
export const SENTINEL = 0xdeadbeef;

/** Binds both doors to `process`. */
export function bind(process: Process): Kernel {
  const bound: Record<string, unknown> = { process, machine: process.machine };
  for (const door of [pagesDoor, mappingDoor] as Record<string, unknown>[]) {
    for (const [name, fn] of Object.entries(door)) {
      if (typeof fn === 'function') bound[name] = (...rest: unknown[]) => (fn as (...all: unknown[]) => unknown)(process, ...rest);
    }
  }
  return bound as Kernel;
}

/** A new machine and one process on it. */
export function kernel(options: MachineOptions = {}): Kernel {
  return bind(createMachine(options).createProcess());
}

/** A second process on the same machine. */
export function sibling(k: Kernel): Kernel {
  return bind(k.machine.createProcess());
}

/** Runs `call` after SetLastError(SENTINEL); returns [result, last error]. */
export function attempt<T>(k: Kernel, call: () => T): [T, number] {
  k.process.lastError = SENTINEL;
  const result = call();
  return [result, k.process.lastError];
}

/** A call that must fail with `failure` and set `error`. */
export function expectFailure<T>(k: Kernel, call: () => T, failure: T, error: number): void {
  const [result, lastError] = attempt(k, call);
  expect(result).toBe(failure);
  expect(lastError).toBe(error);
}

export interface RegionInfo {
  BaseAddress: number;
  AllocationBase: number;
  AllocationProtect: number;
  RegionSize: number;
  State: number;
  Protect: number;
  Type: number;
}

/** VirtualQuery(address) that must succeed. */
export function query(k: Kernel, address: number): RegionInfo {
  const mbi = {} as RegionInfo;
  expect(k.VirtualQuery(address, mbi as never)).toBe(k.process.geometry.memoryBasicInformationSize);
  const { BaseAddress, AllocationBase, AllocationProtect, RegionSize, State, Protect, Type } = mbi;
  return { BaseAddress, AllocationBase, AllocationProtect, RegionSize, State, Protect, Type };
}

/** Every region of the address space, for before/after comparisons. */
export function snapshot(k: Kernel): RegionInfo[] {
  return k.process.addressSpace.regions().map((r) => ({
    BaseAddress: r.baseAddress,
    AllocationBase: r.allocationBase,
    AllocationProtect: r.allocationProtect,
    RegionSize: r.regionSize,
    State: r.state,
    Protect: r.protect,
    Type: r.type,
  }));
}

const made: string[] = [];

/** A fresh temporary directory (removed after the test). */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mem-mapping-'));
  made.push(dir);
  return dir;
}

/** A temporary file with `size` bytes (pattern `fill(i)` or zeros); returns its path. */
export function tempFile(size: number, fill?: (index: number) => number): string {
  const file = path.join(tempDir(), 'testfile.xxx');
  const bytes = new Uint8Array(size);
  if (fill) for (let i = 0; i < size; i++) bytes[i] = fill(i) & 0xff;
  fs.writeFileSync(file, bytes);
  return file;
}

afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export const hex = (value: number) => `0x${value.toString(16)}`;

/** The section a handle of `k` refers to. */
export function sectionOf(k: Kernel, handle: number): Section {
  return k.process.handles.get(handle)?.object as Section;
}

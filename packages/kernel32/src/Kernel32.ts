// Kernel32: the Win32 surface of one process. Every package's `win32` door exports functions with
// the exact Win32 names taking the calling Process first; this file lists the doors (the one place a
// package adds its door) and binds their functions to a process, keeping their signatures typed.
import * as aweDoor from '@mem/awe/win32';
import * as globalLocalDoor from '@mem/global-local/win32';
import * as heapDoor from '@mem/heap/win32';
import * as mappingDoor from '@mem/mapping/win32';
import type { MemoryAccess, Process } from '@mem/pages';
import * as pagesDoor from '@mem/pages/win32';
import type { System } from './System';

/** The Win32 doors bound into every Kernel32, lowest package first. Add a package's door here. */
export const DOORS = [pagesDoor, heapDoor, globalLocalDoor, mappingDoor, aweDoor] as const;

/** A door function without its leading Process parameter. */
export type BoundFunction<F> = F extends (process: Process, ...args: infer A) => infer R ? (...args: A) => R : never;

/** The Win32 functions of a door (capitalised exports taking a Process first), bound to a process. */
export type Bound<Door> = {
  [Name in keyof Door as Name extends string
    ? Name extends Capitalize<Name>
      ? Door[Name] extends (process: Process, ...args: never[]) => unknown
        ? Name
        : never
      : never
    : never]: BoundFunction<Door[Name]>;
};

type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void ? I : never;

/** Every Win32 function of every door, bound. */
export type Win32Surface = UnionToIntersection<Bound<(typeof DOORS)[number]>>;

/** What a Kernel32 adds to the Win32 functions. */
export interface Kernel32Extras {
  /** The process's simulated CPU: loads, stores and fetches checked against page protection. */
  readonly mem: MemoryAccess;
  /** The idiomatic Process (address space, handles, counters) for tools such as the explorer. */
  readonly process: Process;
  /** The machine this process runs on. */
  readonly system: System;
}

/** One process seen through its kernel32: every Win32 function of every package, bound to it. */
export type Kernel32 = Win32Surface & Kernel32Extras;

type DoorFunction = (process: Process, ...args: unknown[]) => unknown;

function isWin32Function(name: string, value: unknown): value is DoorFunction {
  return (
    typeof value === 'function' &&
    /^[A-Z]/.test(name) &&
    !Function.prototype.toString.call(value).startsWith('class')
  );
}

/** [name, function] of every door's Win32 functions; a later door never overrides an earlier one. */
export const DOOR_FUNCTIONS: ReadonlyArray<readonly [string, DoorFunction]> = (() => {
  const seen = new Map<string, DoorFunction>();
  for (const door of DOORS) {
    for (const [name, value] of Object.entries(door)) {
      if (isWin32Function(name, value) && !seen.has(name)) seen.set(name, value);
    }
  }
  return [...seen];
})();

/** Names exported by more than one door (a packaging mistake: the lower door wins). */
export function duplicateDoorNames(): string[] {
  const counts = new Map<string, number>();
  for (const door of DOORS) {
    for (const [name, value] of Object.entries(door)) {
      if (isWin32Function(name, value)) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return [...counts].filter(([, count]) => count > 1).map(([name]) => name);
}

/** Binds every door function to `process`. */
export function bindKernel32(system: System, process: Process): Kernel32 {
  const kernel: Record<string, unknown> = { mem: process.mem, process, system };
  for (const [name, fn] of DOOR_FUNCTIONS) kernel[name] = fn.bind(undefined, process);
  return kernel as unknown as Kernel32;
}

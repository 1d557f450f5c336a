// Shared helpers of the kernel32 conformance suite: fresh processes per geometry, VirtualQuery as a
// plain object, and the "set 0xdeadbeef, call, check result and last error" pattern of Wine's tests.
import { expect } from 'vitest';
import { createSystem, type CreateSystemOptions, type Kernel32 } from '../src/index';

/** The last-error sentinel Wine's tests set before each call. */
export const SENTINEL = 0xdeadbeef;

export type GeometryName = 'x86' | 'x86-laa' | 'wow64' | 'x64' | 'arm64' | 'ia64';

export const ALL_GEOMETRIES: GeometryName[] = ['x86', 'x86-laa', 'wow64', 'x64', 'arm64', 'ia64'];

/** A new process on a new machine. */
export function kernel(geometry: GeometryName = 'x64', options: Omit<CreateSystemOptions, 'geometry'> = {}): Kernel32 {
  return createSystem({ ...options, geometry }).createProcess();
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

/** The seven classic MEMORY_BASIC_INFORMATION fields of a filled structure (PartitionId left out). */
export function regionFields(mbi: Partial<RegionInfo>): RegionInfo {
  const { BaseAddress, AllocationBase, AllocationProtect, RegionSize, State, Protect, Type } = mbi as RegionInfo;
  return { BaseAddress, AllocationBase, AllocationProtect, RegionSize, State, Protect, Type };
}

/** VirtualQuery(address) that must succeed; the filled structure. */
export function query(k: Kernel32, address: number): RegionInfo {
  const mbi = {} as RegionInfo;
  const written = k.VirtualQuery(address, mbi);
  expect(written, `VirtualQuery(0x${address.toString(16)})`).toBe(k.process.geometry.memoryBasicInformationSize);
  return regionFields(mbi);
}

/** Runs `call` after SetLastError(SENTINEL); returns [result, last error]. */
export function attempt<T>(k: Kernel32, call: () => T): [T, number] {
  k.SetLastError(SENTINEL);
  const result = call();
  return [result, k.GetLastError()];
}

/** A call that must fail with `failure` and set `error`. */
export function expectFailure<T>(k: Kernel32, call: () => T, failure: T, error: number): void {
  const [result, lastError] = attempt(k, call);
  expect(result).toBe(failure);
  expect(lastError).toBe(error);
}

/** Every region of the address space from the lowest user address, for before/after comparisons. */
export function snapshot(k: Kernel32): RegionInfo[] {
  const regions: RegionInfo[] = [];
  const { lowestUserAddress, highestUserAddress } = k.process.geometry;
  let address = lowestUserAddress;
  while (address <= highestUserAddress) {
    const mbi = {} as RegionInfo;
    if (k.VirtualQuery(address, mbi) === 0) break;
    regions.push(regionFields(mbi));
    address = mbi.BaseAddress + mbi.RegionSize;
  }
  return regions;
}

/** Commit charge of the machine, in bytes (GlobalMemoryStatusEx's view). */
export function commitCharge(k: Kernel32): number {
  const ms = { dwLength: 64 } as Record<string, number>;
  expect(k.GlobalMemoryStatusEx(ms)).toBe(true);
  return (ms.ullTotalPageFile ?? 0) - (ms.ullAvailPageFile ?? 0);
}

export const hex = (value: number) => `0x${value.toString(16)}`;

/** A call that must fail with `failure` and one of `errors` (where Windows versions or layers differ). */
export function expectFailureAmong<T>(k: Kernel32, call: () => T, failure: T, errors: number[]): void {
  const [result, lastError] = attempt(k, call);
  expect(result).toBe(failure);
  expect(errors).toContain(lastError);
}

/**
 * The error for an address above lpMaximumApplicationAddress: ERROR_INVALID_PARAMETER natively; under
 * WOW64 the 64-bit kernel checks its own, higher limit and may see unallocated memory instead.
 */
export function aboveUserSpaceErrors(geometry: GeometryName): number[] {
  return geometry === 'wow64' ? [87, 487] : [87];
}

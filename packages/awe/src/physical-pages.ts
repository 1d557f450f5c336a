// The idiomatic AWE functions: allocate, free and map user physical pages of a process, throwing
// MemError with the Windows code. Thin over UserPhysicalPages; the Win32 door uses the same core.
import { ERROR_INVALID_PARAMETER, ERROR_PRIVILEGE_NOT_HELD, MemError, type Process, SE_LOCK_MEMORY_NAME } from '@mem/pages';
import { preferredNode } from './numa';
import { type UserPhysicalPages, userPhysicalPagesOf } from './user-physical-pages';

export interface AllocatePhysicalPagesOptions {
  /** Preferred NUMA node (default: node 0, then the others). */
  node?: number;
}

function fail(code: number, detail: string): never {
  throw new MemError(code, detail);
}

/** Throws ERROR_PRIVILEGE_NOT_HELD unless `process` holds SeLockMemoryPrivilege. */
export function requireLockMemoryPrivilege(process: Process): void {
  if (!process.hasPrivilege(SE_LOCK_MEMORY_NAME)) fail(ERROR_PRIVILEGE_NOT_HELD, 'AWE needs SeLockMemoryPrivilege');
}

/**
 * Allocates up to `pageCount` physical pages for `process` and returns their frame numbers (fewer
 * when memory is short; never none: that throws ERROR_NO_SYSTEM_RESOURCES). Needs
 * SeLockMemoryPrivilege. The pages are zeroed, nonpaged and charged to the commit limit.
 */
export function allocatePhysicalPages(process: Process, pageCount: number, options: AllocatePhysicalPagesOptions = {}): number[] {
  if (!Number.isSafeInteger(pageCount) || pageCount < 0) fail(ERROR_INVALID_PARAMETER, 'pageCount must be a non-negative integer');
  const node = preferredNode(process.machine.physical, options.node ?? 0);
  if (node < 0) fail(ERROR_INVALID_PARAMETER, `no NUMA node ${options.node}`);
  requireLockMemoryPrivilege(process);
  const frames: number[] = [];
  if (pageCount === 0) return frames;
  const result = userPhysicalPagesOf(process, true).allocate(pageCount, node, frames);
  if (result < 0) fail(-result, `no physical page available for ${pageCount} requested`);
  return frames;
}

function stateFor(process: Process): UserPhysicalPages {
  const state = userPhysicalPagesOf(process);
  if (state === undefined || !state.everAllocated) fail(ERROR_INVALID_PARAMETER, 'the process has no physical pages');
  return state;
}

/**
 * Frees physical pages of `process` (unmapping them wherever they are shown). Throws
 * ERROR_INVALID_ADDRESS at the first frame the process does not own; the frames before it are
 * freed then (as on Windows) and the error's message says how many.
 */
export function freePhysicalPages(process: Process, frames: readonly number[]): void {
  if (frames.length === 0) fail(ERROR_INVALID_PARAMETER, 'no frames to free');
  const freed = { value: 0 };
  const status = stateFor(process).free(frames, frames.length, freed);
  if (status !== 0) fail(status, `frame ${frames[freed.value]} is not a physical page of this process (${freed.value} freed)`);
}

/**
 * Shows `frames` at the consecutive pages from `address` inside a MEM_PHYSICAL region, replacing
 * what was there; `frames` undefined unmaps `pageCount` pages. All or nothing: a frame that is not
 * the process's (ERROR_INVALID_ADDRESS), already shown somewhere or named twice
 * (ERROR_INVALID_PARAMETER), or a range outside one region (ERROR_INVALID_PARAMETER) maps nothing.
 */
export function mapPhysicalPages(process: Process, address: number, frames: readonly number[] | undefined, pageCount = frames?.length ?? 0): void {
  const status = stateFor(process).mapRange(address, pageCount, frames);
  if (status !== 0) fail(status, `cannot map ${pageCount} pages at 0x${address.toString(16)}`);
}

/** Shows `frames[i]` at the page of `addresses[i]` (frame 0 or `frames` undefined: unmap it). All or nothing. */
export function mapPhysicalPagesScatter(process: Process, addresses: readonly number[], frames: readonly number[] | undefined): void {
  const status = stateFor(process).mapScatter(addresses, addresses.length, frames);
  if (status !== 0) fail(status, `cannot map ${addresses.length} scattered pages`);
}

/** Physical pages `process` holds (nonpaged, locked, charged to commit; never in its working set). */
export function physicalPageCount(process: Process): number {
  return userPhysicalPagesOf(process)?.pageCount ?? 0;
}

/** The address `frame` is shown at in `process`, or -1. */
export function physicalPageAddress(process: Process, frame: number): number {
  return userPhysicalPagesOf(process)?.mappedAddress(frame) ?? -1;
}

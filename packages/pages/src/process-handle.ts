// Resolving a process handle as the …Ex functions do: the pseudo-handle -1 is the caller itself;
// otherwise a 'Process' entry of the caller's HandleTable whose access mask grants what is needed.
import { ERROR_ACCESS_DENIED, ERROR_INVALID_HANDLE, HANDLE_TYPE_PROCESS, PROCESS_ALL_ACCESS } from './constants';
import { MemError } from './errors';
import type { Process } from './process';

/** The pseudo-handle GetCurrentProcess() returns. */
export const CURRENT_PROCESS_HANDLE = -1;

/**
 * The process `handle` names for `caller`, checked for ALL the bits of `access` (or, when
 * `anyOf` is given, at least one of those bits as well). Throws MemError(ERROR_INVALID_HANDLE /
 * ERROR_ACCESS_DENIED).
 */
export function resolveProcessHandle(caller: Process, handle: number, access: number, anyOf = 0): Process {
  if (handle === CURRENT_PROCESS_HANDLE) return caller;
  const entry = caller.handles.get(handle, HANDLE_TYPE_PROCESS);
  if (entry === undefined) throw new MemError(ERROR_INVALID_HANDLE, `handle ${handle} is not a process handle`);
  const granted = entry.access === PROCESS_ALL_ACCESS ? 0xffffffff : entry.access;
  if ((granted & access) >>> 0 !== access >>> 0 || (anyOf !== 0 && (granted & anyOf) === 0)) {
    throw new MemError(ERROR_ACCESS_DENIED, `handle ${handle} lacks access 0x${(access || anyOf).toString(16)}`);
  }
  const target = entry.object as Process;
  if (!target.alive) throw new MemError(ERROR_ACCESS_DENIED, `process ${target.pid} has exited`);
  return target;
}

// The seam between the idiomatic door and the Win32 door: a thrown MemError becomes the process's
// last error and the Win32 failure value; anything else (a bug, or a Win32Exception such as an
// access violation, which Windows raises rather than reports) propagates.
import { isMemError } from './errors';
import type { Process } from './process';

export function toWin32<T>(process: Process, error: unknown, failureValue: T): T {
  if (isMemError(error)) {
    process.lastError = error.code;
    return failureValue;
  }
  throw error;
}

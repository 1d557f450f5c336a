// The error types of @mem: MemError (a Win32 error code thrown by idiomatic APIs) and Win32Exception
// with its subclasses (the exceptions Windows raises: access violations, guard pages, heap failures).
// Each is recognised across copies of the package by a Symbol.for marker, not by instanceof.
import {
  STATUS_ACCESS_VIOLATION,
  STATUS_GUARD_PAGE_VIOLATION,
  errorName,
  statusName,
} from './constants';

const memErrorMarker = Symbol.for('@mem/MemError');
const exceptionMarker = Symbol.for('@mem/Win32Exception');

/** A failure carrying a Win32 error code (ERROR_*), thrown by every idiomatic API of @mem. */
export class MemError extends Error {
  readonly code: number;
  readonly [memErrorMarker] = true;

  constructor(code: number, detail?: string) {
    super(detail ? `${errorName(code)} (${code}): ${detail}` : `${errorName(code)} (${code})`);
    this.name = 'MemError';
    this.code = code;
  }
}

/** True for a MemError from any copy of @mem/pages. */
export function isMemError(value: unknown): value is MemError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[memErrorMarker] === true;
}

/** An exception Windows raises (a structured exception): `code` is the NTSTATUS, unsigned. */
export class Win32Exception extends Error {
  readonly code: number;
  readonly [exceptionMarker] = true;

  constructor(code: number, detail?: string) {
    const head = `${statusName(code)} (0x${code.toString(16).toUpperCase().padStart(8, '0')})`;
    super(detail ? `${head}: ${detail}` : head);
    this.name = 'Win32Exception';
    this.code = code;
  }
}

/** True for a Win32Exception (or subclass) from any copy of @mem/pages. */
export function isWin32Exception(value: unknown): value is Win32Exception {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[exceptionMarker] === true;
}

export type AccessOperation = 'read' | 'write' | 'execute';

function hex(address: number): string {
  return `0x${address.toString(16).toUpperCase()}`;
}

/** STATUS_ACCESS_VIOLATION from a load, store or instruction fetch at `address`. */
export class AccessViolation extends Win32Exception {
  readonly address: number;
  readonly operation: AccessOperation;

  constructor(address: number, operation: AccessOperation) {
    super(STATUS_ACCESS_VIOLATION, `${operation} at ${hex(address)}`);
    this.name = 'AccessViolation';
    this.address = address;
    this.operation = operation;
  }
}

/** STATUS_GUARD_PAGE_VIOLATION: the first touch of a PAGE_GUARD page (the guard is now cleared). */
export class GuardPageViolation extends Win32Exception {
  readonly address: number;
  readonly operation: AccessOperation;

  constructor(address: number, operation: AccessOperation) {
    super(STATUS_GUARD_PAGE_VIOLATION, `${operation} at ${hex(address)}`);
    this.name = 'GuardPageViolation';
    this.address = address;
    this.operation = operation;
  }
}

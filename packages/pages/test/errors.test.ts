import { describe, expect, it } from 'vitest';
import {
  AccessViolation,
  ERROR_CODES,
  ERROR_COMMITMENT_LIMIT,
  ERROR_INVALID_PARAMETER,
  GuardPageViolation,
  MemError,
  STATUS_ACCESS_VIOLATION,
  STATUS_CODES,
  STATUS_GUARD_PAGE_VIOLATION,
  STATUS_HEAP_CORRUPTION,
  STATUS_NO_MEMORY,
  Win32Exception,
  errorName,
  isMemError,
  isWin32Exception,
  statusName,
  statusToError,
} from '../src/index';

describe('MemError', () => {
  it('carries the code and names it in the message', () => {
    const error = new MemError(ERROR_INVALID_PARAMETER, 'size 0');
    expect(error.code).toBe(87);
    expect(error.message).toBe('ERROR_INVALID_PARAMETER (87): size 0');
    expect(error).toBeInstanceOf(Error);
    expect(isMemError(error)).toBe(true);
  });

  it('is recognised across copies by its Symbol.for marker', () => {
    const foreign = Object.assign(new Error('x'), { code: 8, [Symbol.for('@mem/MemError')]: true });
    expect(isMemError(foreign)).toBe(true);
    expect(isMemError(new Error('plain'))).toBe(false);
    expect(isMemError(null)).toBe(false);
    expect(isMemError({ code: 87 })).toBe(false);
  });
});

describe('exceptions', () => {
  it('AccessViolation has code 0xC0000005, address and operation', () => {
    const error = new AccessViolation(0x12345678, 'write');
    expect(error.code).toBe(STATUS_ACCESS_VIOLATION);
    expect(error.code).toBe(0xc0000005);
    expect(error.address).toBe(0x12345678);
    expect(error.operation).toBe('write');
    expect(error.message).toContain('STATUS_ACCESS_VIOLATION');
    expect(isWin32Exception(error)).toBe(true);
    expect(isMemError(error)).toBe(false);
  });

  it('GuardPageViolation has code 0x80000001', () => {
    const error = new GuardPageViolation(0x1000, 'read');
    expect(error.code).toBe(STATUS_GUARD_PAGE_VIOLATION);
    expect(error).toBeInstanceOf(Win32Exception);
  });

  it('Win32Exception carries any status, unsigned', () => {
    expect(new Win32Exception(STATUS_NO_MEMORY).code).toBe(0xc0000017);
    expect(new Win32Exception(STATUS_HEAP_CORRUPTION).message).toContain('STATUS_HEAP_CORRUPTION (0xC0000374)');
  });
});

describe('code tables', () => {
  it('reverse-maps codes to names', () => {
    expect(errorName(ERROR_COMMITMENT_LIMIT)).toBe('ERROR_COMMITMENT_LIMIT');
    expect(errorName(0)).toBe('ERROR_SUCCESS');
    expect(errorName(12345)).toBe('ERROR_12345');
    expect(statusName(0xc0000005)).toBe('STATUS_ACCESS_VIOLATION');
    expect(statusName(0xc0001234)).toBe('STATUS_0xC0001234');
  });

  it('has every error code of spec §1.10 with its value', () => {
    const expected: Record<string, number> = {
      ERROR_SUCCESS: 0, ERROR_INVALID_FUNCTION: 1, ERROR_FILE_NOT_FOUND: 2, ERROR_PATH_NOT_FOUND: 3,
      ERROR_ACCESS_DENIED: 5, ERROR_INVALID_HANDLE: 6, ERROR_NOT_ENOUGH_MEMORY: 8, ERROR_OUTOFMEMORY: 14,
      ERROR_BAD_LENGTH: 24, ERROR_GEN_FAILURE: 31, ERROR_NOT_SUPPORTED: 50, ERROR_INVALID_PARAMETER: 87,
      ERROR_INSUFFICIENT_BUFFER: 122, ERROR_DISCARDED: 157, ERROR_NOT_LOCKED: 158, ERROR_ALREADY_EXISTS: 183,
      ERROR_BAD_EXE_FORMAT: 193, ERROR_NO_MORE_ITEMS: 259, ERROR_PARTIAL_COPY: 299, ERROR_INVALID_ADDRESS: 487,
      ERROR_NOACCESS: 998, ERROR_FILE_INVALID: 1006, ERROR_MAPPED_ALIGNMENT: 1132, ERROR_PRIVILEGE_NOT_HELD: 1314,
      ERROR_WORKING_SET_QUOTA: 1453, ERROR_PAGEFILE_QUOTA: 1454, ERROR_COMMITMENT_LIMIT: 1455,
    };
    for (const [name, code] of Object.entries(expected)) expect((ERROR_CODES as Record<string, number>)[name]).toBe(code);
  });

  it('keeps status codes unsigned', () => {
    for (const code of Object.values(STATUS_CODES)) expect(code).toBeGreaterThanOrEqual(0);
  });

  it('maps NT statuses to Win32 errors as RtlNtStatusToDosError (§19)', () => {
    expect(statusToError(0xc0000005)).toBe(998);
    expect(statusToError(0xc0000018)).toBe(487);
    expect(statusToError(0xc000001a)).toBe(87);
    expect(statusToError(0xc0000017)).toBe(8);
    expect(statusToError(0xc000012d)).toBe(1455);
    expect(statusToError(0xc0000045)).toBe(87);
    expect(statusToError(0xc00000a1)).toBe(1453);
    expect(statusToError(0xc000007e)).toBe(158);
    expect(statusToError(0x8000000d)).toBe(299);
    expect(statusToError(0xc0000021)).toBe(5);
  });
});

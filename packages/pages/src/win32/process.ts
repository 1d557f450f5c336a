// Win32 door of the process-level functions: GetCurrentProcess, GetCurrentProcessId, OpenProcess,
// CloseHandle, ReadProcessMemory, WriteProcessMemory and the DEP policy functions. Copies between
// processes follow NtRead/WriteVirtualMemory (spec §12 X-001..X-004): the source is taken in chunks
// of 14 pages, so a source fault loses its chunk; a destination fault keeps the bytes before the
// faulting page.
import {
  ACCESS_SYSTEM_SECURITY,
  ERROR_ACCESS_DENIED,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  ERROR_NOT_ENOUGH_MEMORY,
  ERROR_NOT_SUPPORTED,
  ERROR_PARTIAL_COPY,
  GENERIC_ALL,
  GENERIC_EXECUTE,
  GENERIC_READ,
  GENERIC_WRITE,
  HANDLE_TYPE_PROCESS,
  MAXIMUM_ALLOWED,
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_READWRITE,
  PAGE_WRITECOPY,
  PROCESS_ALL_ACCESS,
  PROCESS_CREATE_PROCESS,
  PROCESS_CREATE_THREAD,
  PROCESS_DEP_DISABLE_ATL_THUNK_EMULATION,
  PROCESS_DEP_ENABLE,
  PROCESS_DUP_HANDLE,
  PROCESS_QUERY_INFORMATION,
  PROCESS_QUERY_LIMITED_INFORMATION,
  PROCESS_SET_INFORMATION,
  PROCESS_SET_QUOTA,
  PROCESS_SUSPEND_RESUME,
  PROCESS_TERMINATE,
  PROCESS_VM_OPERATION,
  PROCESS_VM_READ,
  PROCESS_VM_WRITE,
  READ_CONTROL,
  SYNCHRONIZE,
} from '../constants';
import { isMemError, isWin32Exception } from '../errors';
import { systemDepPolicy } from '../dep-policy';
import type { MemoryAccess } from '../memory-access';
import type { Process } from '../process';
import { CURRENT_PROCESS_HANDLE, resolveProcessHandle } from '../process-handle';

/** A scalar out-parameter box (`{ value }`), NULL when undefined. */
export interface ValueBox<T = number> {
  value?: T;
}

/** GetCurrentThread's pseudo-handle; CloseHandle accepts it like the process pseudo-handle. */
const CURRENT_THREAD_HANDLE = -2;

/** What the generic rights mean for a process object (the GENERIC_MAPPING of the process type). */
const PROCESS_GENERIC_READ = READ_CONTROL | PROCESS_VM_READ | PROCESS_QUERY_INFORMATION;
const PROCESS_GENERIC_WRITE =
  READ_CONTROL |
  PROCESS_CREATE_PROCESS |
  PROCESS_CREATE_THREAD |
  PROCESS_VM_OPERATION |
  PROCESS_VM_WRITE |
  PROCESS_DUP_HANDLE |
  PROCESS_TERMINATE |
  PROCESS_SET_QUOTA |
  PROCESS_SET_INFORMATION |
  PROCESS_SUSPEND_RESUME;
const PROCESS_GENERIC_EXECUTE = READ_CONTROL | SYNCHRONIZE;

/** The System Idle process and the System process: OpenProcess refuses them (ERROR_INVALID_PARAMETER / ERROR_ACCESS_DENIED). */
const IDLE_PID = 0;
const SYSTEM_PID = 4;

function fail<T>(process: Process, code: number, value: T): T {
  process.lastError = code;
  return value;
}

function isDword(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

/** Maps generic rights to process rights; -1 when a right cannot be granted to a user-mode caller. */
function grantedAccess(desired: number): number {
  let rest = desired;
  let granted = 0;
  const take = (bit: number, grants: number) => {
    if (rest >= bit && Math.floor(rest / bit) % 2 === 1) {
      rest -= bit;
      granted = (granted | grants) >>> 0;
    }
  };
  take(GENERIC_READ, PROCESS_GENERIC_READ);
  take(GENERIC_WRITE, PROCESS_GENERIC_WRITE);
  take(GENERIC_EXECUTE, PROCESS_GENERIC_EXECUTE);
  take(GENERIC_ALL, PROCESS_ALL_ACCESS);
  take(MAXIMUM_ALLOWED, PROCESS_ALL_ACCESS);
  if (rest >= ACCESS_SYSTEM_SECURITY) return -1; // needs SeSecurityPrivilege, or unknown bits
  if ((rest & ~PROCESS_ALL_ACCESS) !== 0) return -1;
  granted = (granted | rest) >>> 0;
  // since Vista PROCESS_QUERY_INFORMATION implies the limited right
  if ((granted & PROCESS_QUERY_INFORMATION) !== 0) granted = (granted | PROCESS_QUERY_LIMITED_INFORMATION) >>> 0;
  return granted;
}

// ---------------------------------------------------------------------------- identity and handles

/** GetCurrentProcess: the pseudo-handle -1, valid only inside the calling process. */
export function GetCurrentProcess(_process: Process): number {
  return CURRENT_PROCESS_HANDLE;
}

/** GetCurrentProcessId: the pid (a multiple of 4). */
export function GetCurrentProcessId(process: Process): number {
  return process.pid;
}

/**
 * OpenProcess: a handle in the caller's handle table to process `dwProcessId` with the requested
 * access (generic rights mapped). Pid 0 or an unknown pid → ERROR_INVALID_PARAMETER; the System
 * process or rights a user cannot get → ERROR_ACCESS_DENIED. Returns 0 on failure.
 */
export function OpenProcess(process: Process, dwDesiredAccess: number, _bInheritHandle: boolean, dwProcessId: number): number {
  if (!isDword(dwDesiredAccess)) return fail(process, ERROR_INVALID_PARAMETER, 0);
  if (!isDword(dwProcessId) || dwProcessId === IDLE_PID) return fail(process, ERROR_INVALID_PARAMETER, 0);
  if (dwProcessId === SYSTEM_PID) return fail(process, ERROR_ACCESS_DENIED, 0);
  const target = process.machine.process(dwProcessId);
  if (target === undefined || !target.alive) return fail(process, ERROR_INVALID_PARAMETER, 0);
  const granted = grantedAccess(dwDesiredAccess);
  if (granted < 0) return fail(process, ERROR_ACCESS_DENIED, 0);
  const handle = process.handles.insert(HANDLE_TYPE_PROCESS, target, granted);
  if (handle === 0) return fail(process, ERROR_NOT_ENOUGH_MEMORY, 0);
  return handle;
}

/** CloseHandle: TRUE for an open handle (closed now) and for the pseudo-handles; else ERROR_INVALID_HANDLE. */
export function CloseHandle(process: Process, hObject: number): boolean {
  if (hObject === CURRENT_PROCESS_HANDLE || hObject === CURRENT_THREAD_HANDLE) return true;
  if (process.handles.close(hObject) === undefined) return fail(process, ERROR_INVALID_HANDLE, false);
  return true;
}

// ---------------------------------------------------------------------------- cross-process copies

/** The process a handle names for `access`, or undefined with the last error set. */
function targetOf(process: Process, handle: number, access: number): Process | undefined {
  try {
    return resolveProcessHandle(process, handle, access);
  } catch (error) {
    if (!isMemError(error)) throw error;
    process.lastError = error.code;
    return undefined;
  }
}

/**
 * Pages per chunk of a cross-process copy: the kernel copies through a mapping of at most this many
 * source pages at a time (MiDoMappedCopy in ReactOS: MI_MAPPED_COPY_PAGES), so a source page that
 * cannot be read loses its whole chunk while earlier chunks have been copied.
 */
const COPY_CHUNK_PAGES = 14;

/**
 * The bytes at `address` a cross-process copy can take from `mem`: all `size` of them, or the whole
 * chunks before the chunk holding the first page that faults (possibly none). Nothing changes.
 */
function readChunks(mem: MemoryAccess, address: number, size: number, pageSize: number): Uint8Array {
  const readable = mem.accessibleLength(address, size, 'read');
  if (readable === size) return mem.read(address, size);
  const chunk = COPY_CHUNK_PAGES * pageSize;
  const whole = Math.floor(readable / chunk) * chunk;
  return whole === 0 ? new Uint8Array(0) : mem.read(address, whole);
}

/**
 * Writes `bytes` at `address` through `mem` page by page; returns how many bytes were stored before
 * the first page that faults (a fault stores nothing of its page).
 */
function writeUntilFault(mem: MemoryAccess, address: number, bytes: Uint8Array): number {
  // accessibleLength stops at the first page that would fault: everything before it can be stored
  const writable = mem.accessibleLength(address, bytes.length, 'write');
  if (writable > 0) mem.write(address, writable === bytes.length ? bytes : bytes.subarray(0, writable));
  return writable;
}

function outOfUserRange(process: Process, address: number, size: number): boolean {
  const highest = process.geometry.highestUserAddress;
  return !Number.isSafeInteger(address) || address < 0 || !Number.isSafeInteger(size) || size < 0 || address + size > highest;
}

/**
 * ReadProcessMemory: copies `nSize` bytes at `lpBaseAddress` of the process `hProcess` names into
 * the caller's `lpBuffer`. Needs PROCESS_VM_READ. A source page that cannot be read → FALSE,
 * ERROR_PARTIAL_COPY with the 14-page chunks before it copied (0 for copies up to 56 KiB, X-002);
 * a destination page that cannot be written → FALSE,
 * ERROR_PARTIAL_COPY with the bytes before it copied (Windows 10 1607+). Ranges beyond the user
 * address space → ERROR_NOACCESS with the count untouched. 0 bytes always succeed.
 */
export function ReadProcessMemory(
  process: Process,
  hProcess: number,
  lpBaseAddress: number,
  lpBuffer: number,
  nSize: number,
  lpNumberOfBytesRead?: ValueBox,
): boolean {
  if (outOfUserRange(process, lpBaseAddress, nSize) || outOfUserRange(process, lpBuffer, nSize)) {
    return fail(process, ERROR_NOACCESS, false);
  }
  let copied = 0;
  let error = 0;
  if (nSize !== 0) {
    const target = targetOf(process, hProcess, PROCESS_VM_READ);
    if (target === undefined) {
      error = process.lastError;
    } else {
      const bytes = readChunks(target.mem, lpBaseAddress, nSize, target.geometry.pageSize);
      copied = bytes.length === 0 ? 0 : writeUntilFault(process.mem, lpBuffer, bytes);
      if (copied !== nSize) error = ERROR_PARTIAL_COPY;
    }
  }
  if (lpNumberOfBytesRead !== undefined) lpNumberOfBytesRead.value = copied;
  if (error !== 0) return fail(process, error, false);
  return true;
}

function baseProtection(protection: number): number {
  return protection & 0xff;
}

function isWritableProtection(base: number): boolean {
  return base === PAGE_READWRITE || base === PAGE_WRITECOPY || base === PAGE_EXECUTE_READWRITE || base === PAGE_EXECUTE_WRITECOPY;
}

/**
 * WriteProcessMemory: copies `nSize` bytes of the caller's `lpBuffer` to `lpBaseAddress` of the
 * process `hProcess` names. Needs PROCESS_VM_WRITE and PROCESS_VM_OPERATION. As kernelbase does,
 * it looks at the protection of the first target page: writable → a plain write; PAGE_EXECUTE or
 * PAGE_EXECUTE_READ → written as if made writable for the call (code patching); anything else
 * (NOACCESS, READONLY) → FALSE, ERROR_NOACCESS with the count untouched. The range must be
 * committed pages of one allocation (as VirtualProtect needs). A copy that faults → FALSE,
 * ERROR_NOACCESS with the count of bytes written (a source fault loses its 14-page chunk, X-003).
 */
export function WriteProcessMemory(
  process: Process,
  hProcess: number,
  lpBaseAddress: number,
  lpBuffer: number,
  nSize: number,
  lpNumberOfBytesWritten?: ValueBox,
): boolean {
  const target = targetOf(process, hProcess, PROCESS_VM_WRITE | PROCESS_VM_OPERATION);
  if (target === undefined) return false;
  if (!Number.isSafeInteger(nSize) || nSize < 0) return fail(process, ERROR_INVALID_PARAMETER, false);
  if (nSize === 0) {
    if (lpNumberOfBytesWritten !== undefined) lpNumberOfBytesWritten.value = 0;
    return true;
  }
  const space = target.addressSpace;
  const highest = target.geometry.highestUserAddress;
  if (!Number.isSafeInteger(lpBaseAddress) || lpBaseAddress < 0 || lpBaseAddress > highest || nSize > highest + 1 - lpBaseAddress) {
    return fail(process, ERROR_INVALID_PARAMETER, false);
  }
  // the range must be committed pages of one allocation, as NtProtectVirtualMemory checks
  const allocation = space.allocationAt(lpBaseAddress);
  if (allocation === undefined || lpBaseAddress + nSize > allocation.end) return fail(process, ERROR_INVALID_ADDRESS, false);
  let first = -1;
  for (let at = lpBaseAddress; at < lpBaseAddress + nSize; ) {
    const region = space.query(at);
    if (region.protect === 0) return fail(process, ERROR_INVALID_ADDRESS, false);
    if (first < 0) first = region.protect;
    at = region.baseAddress + region.regionSize;
  }
  const base = baseProtection(first);
  let mem: MemoryAccess;
  if (isWritableProtection(base)) mem = target.mem;
  else if (base === PAGE_EXECUTE || base === PAGE_EXECUTE_READ) mem = target.kernel;
  else return fail(process, ERROR_NOACCESS, false);
  const bytes = readChunks(process.mem, lpBuffer, nSize, process.geometry.pageSize);
  let written = 0;
  if (bytes.length !== 0) {
    try {
      written = writeUntilFault(mem, lpBaseAddress, bytes);
    } catch (error) {
      if (!isWin32Exception(error)) throw error;
    }
  }
  if (lpNumberOfBytesWritten !== undefined) lpNumberOfBytesWritten.value = written;
  if (written !== nSize) return fail(process, ERROR_NOACCESS, false);
  return true;
}

// ---------------------------------------------------------------------------- DEP

/** GetSystemDEPPolicy: the machine's DEP policy (DEP_SYSTEM_POLICY_*); client Windows default OptIn. */
export function GetSystemDEPPolicy(process: Process): number {
  return systemDepPolicy(process.machine);
}

/**
 * GetProcessDEPPolicy: DEP flags (PROCESS_DEP_ENABLE, PROCESS_DEP_DISABLE_ATL_THUNK_EMULATION) and
 * whether they are permanent. 32-bit processes only: a 64-bit caller gets ERROR_NOT_SUPPORTED.
 * Needs PROCESS_QUERY_INFORMATION on the handle.
 */
export function GetProcessDEPPolicy(process: Process, hProcess: number, lpFlags?: ValueBox, lpPermanent?: ValueBox<boolean>): boolean {
  if (process.geometry.pointerSize === 8) return fail(process, ERROR_NOT_SUPPORTED, false);
  const target = targetOf(process, hProcess, PROCESS_QUERY_INFORMATION);
  if (target === undefined) return false;
  if (lpFlags === undefined || lpPermanent === undefined) return fail(process, ERROR_NOACCESS, false);
  lpFlags.value = (target.depEnabled ? PROCESS_DEP_ENABLE : 0) | (target.atlThunkEmulationDisabled ? PROCESS_DEP_DISABLE_ATL_THUNK_EMULATION : 0);
  lpPermanent.value = target.depPermanent;
  return true;
}

/**
 * SetProcessDEPPolicy: 0 turns DEP off, PROCESS_DEP_ENABLE turns it on for good (optionally with
 * PROCESS_DEP_DISABLE_ATL_THUNK_EMULATION, which is invalid alone). 64-bit → ERROR_NOT_SUPPORTED;
 * once permanent → ERROR_ACCESS_DENIED; unknown bits → ERROR_INVALID_PARAMETER.
 */
export function SetProcessDEPPolicy(process: Process, dwFlags: number): boolean {
  if (process.geometry.pointerSize === 8) return fail(process, ERROR_NOT_SUPPORTED, false);
  if (!isDword(dwFlags) || (dwFlags & ~(PROCESS_DEP_ENABLE | PROCESS_DEP_DISABLE_ATL_THUNK_EMULATION)) !== 0) {
    return fail(process, ERROR_INVALID_PARAMETER, false);
  }
  if (dwFlags === PROCESS_DEP_DISABLE_ATL_THUNK_EMULATION) return fail(process, ERROR_INVALID_PARAMETER, false);
  if (process.depPermanent) return fail(process, ERROR_ACCESS_DENIED, false);
  if ((dwFlags & PROCESS_DEP_ENABLE) !== 0) {
    process.depEnabled = true;
    process.depPermanent = true;
    process.atlThunkEmulationDisabled = (dwFlags & PROCESS_DEP_DISABLE_ATL_THUNK_EMULATION) !== 0;
  } else {
    process.depEnabled = false;
    process.atlThunkEmulationDisabled = false;
  }
  return true;
}

// The Win32 door of @mem/mapping: CreateFile, CreateFileMapping(Numa), OpenFileMapping,
// MapViewOfFile(Ex|ExNuma), UnmapViewOfFile(Ex), FlushViewOfFile, GetMappedFileName — each takes the
// calling Process first, never throws for bad input, returns what Win32 returns on failure and sets
// the process's last error. Handles live in the process's HandleTable ('File', 'Section');
// CloseHandle (from @mem/pages) closes them.
import {
  ERROR_FILE_NOT_FOUND,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  ERROR_NOT_ENOUGH_MEMORY,
  GENERIC_ALL,
  GENERIC_EXECUTE,
  GENERIC_READ,
  GENERIC_WRITE,
  INVALID_HANDLE_VALUE,
  MEM_UNMAP_WITH_TRANSIENT_BOOST,
  MemError,
  PROCESS_QUERY_INFORMATION,
  type Process,
  SECTION_ALL_ACCESS,
  SECTION_MAP_EXECUTE,
  SECTION_MAP_READ,
  SECTION_MAP_WRITE,
  SECTION_QUERY,
  resolveProcessHandle,
  toWin32,
} from '@mem/pages';
import { HANDLE_TYPE_FILE, HANDLE_TYPE_SECTION, NUMA_NO_PREFERRED_NODE } from './constants';
import { type FileObject, openFile, openedFileError } from './file';
import { hasOpenHandle } from './handles';
import { lookupName } from './namespace';
import { createdHandleAccess, isSectionProtection } from './protection';
import { type Section, createSection, createdSectionError } from './section';
import { mappedFileName, viewAt } from './lookup';
import { mapView } from './view';

/** Every SEC_* bit CreateFileMapping takes out of flProtect; the rest must be one page protection. */
const SEC_BITS = 0x80000000 | 0x40000000 | 0x10000000 | 0x08000000 | 0x04000000 | 0x01000000 | 0x00800000;
const TWO_32 = 2 ** 32;

/** A 64-bit value from the DWORD halves Win32 passes (both unsigned). */
function combine(high: number, low: number): number {
  return (high >>> 0) * TWO_32 + (low >>> 0);
}

function sectionHandle(process: Process, section: Section, access: number): number {
  const handle = process.handles.insert(HANDLE_TYPE_SECTION, section, access, () => section.handleClosed());
  if (handle === 0) {
    section.handleClosed();
    throw new MemError(ERROR_NOT_ENOUGH_MEMORY, 'handle table full');
  }
  return handle;
}

function preferredNode(process: Process, nndPreferred: number | undefined, fallback: number): number {
  if (nndPreferred === undefined || nndPreferred >>> 0 === NUMA_NO_PREFERRED_NODE) return fallback;
  if (!Number.isInteger(nndPreferred) || nndPreferred < 0 || nndPreferred >= process.machine.physical.numaNodes) {
    throw new MemError(ERROR_INVALID_PARAMETER, `NUMA node ${nndPreferred}`);
  }
  return nndPreferred;
}

/** Generic rights on a section handle mapped to section rights (OpenFileMapping). */
function sectionAccess(desired: number): number {
  let access = desired >>> 0;
  if ((access & GENERIC_ALL) !== 0) access |= SECTION_ALL_ACCESS;
  if ((access & GENERIC_READ) !== 0) access |= SECTION_QUERY | SECTION_MAP_READ;
  if ((access & GENERIC_WRITE) !== 0) access |= SECTION_MAP_WRITE;
  if ((access & GENERIC_EXECUTE) !== 0) access |= SECTION_MAP_EXECUTE;
  return (access & ~(GENERIC_ALL | GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE)) >>> 0;
}

/**
 * CreateFile over the real file system (node:fs). Returns a 'File' handle, or INVALID_HANDLE_VALUE
 * (-1) with ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND, ERROR_FILE_EXISTS, ERROR_ACCESS_DENIED,
 * ERROR_SHARING_VIOLATION, ERROR_INVALID_PARAMETER… On success the last error is 0, or
 * ERROR_ALREADY_EXISTS when CREATE_ALWAYS / OPEN_ALWAYS found the file. Security attributes,
 * flags and the template are accepted and ignored.
 */
export function CreateFile(
  process: Process,
  lpFileName: string,
  dwDesiredAccess: number,
  dwShareMode: number,
  _lpSecurityAttributes: unknown,
  dwCreationDisposition: number,
  _dwFlagsAndAttributes?: number,
  _hTemplateFile?: number,
): number {
  try {
    const file = openFile(process.machine, lpFileName, {
      access: dwDesiredAccess,
      share: dwShareMode,
      disposition: dwCreationDisposition,
    });
    const handle = process.handles.insert(HANDLE_TYPE_FILE, file, file.access, () => {
      if (!hasOpenHandle(process.machine, file)) file.close();
    });
    if (handle === 0) {
      file.close();
      throw new MemError(ERROR_NOT_ENOUGH_MEMORY, 'handle table full');
    }
    process.lastError = openedFileError(file, dwCreationDisposition);
    return handle;
  } catch (error) {
    return toWin32(process, error, INVALID_HANDLE_VALUE);
  }
}

/**
 * CreateFileMapping: a section over the file `hFile` or, with INVALID_HANDLE_VALUE, over the paging
 * file. flProtect = one of PAGE_READONLY / READWRITE / WRITECOPY / EXECUTE_READ / EXECUTE_READWRITE /
 * EXECUTE_WRITECOPY, plus SEC_* flags. A name that exists opens that section (ERROR_ALREADY_EXISTS);
 * a new section leaves the last error 0. NULL (0) on failure.
 */
export function CreateFileMapping(
  process: Process,
  hFile: number,
  _lpAttributes: unknown,
  flProtect: number,
  dwMaximumSizeHigh: number,
  dwMaximumSizeLow: number,
  lpName: string | undefined,
): number {
  return CreateFileMappingNuma(process, hFile, _lpAttributes, flProtect, dwMaximumSizeHigh, dwMaximumSizeLow, lpName, NUMA_NO_PREFERRED_NODE);
}

/** CreateFileMappingNuma: CreateFileMapping whose frames prefer NUMA node `nndPreferred`. */
export function CreateFileMappingNuma(
  process: Process,
  hFile: number,
  _lpAttributes: unknown,
  flProtect: number,
  dwMaximumSizeHigh: number,
  dwMaximumSizeLow: number,
  lpName: string | undefined,
  nndPreferred: number,
): number {
  try {
    const flags = (flProtect >>> 0) & SEC_BITS;
    const protection = ((flProtect >>> 0) & ~SEC_BITS) >>> 0;
    if (!isSectionProtection(protection)) throw new MemError(ERROR_INVALID_PARAMETER, `flProtect 0x${(flProtect >>> 0).toString(16)}`);
    const size = combine(dwMaximumSizeHigh, dwMaximumSizeLow);
    let file: FileObject | undefined;
    if (hFile === INVALID_HANDLE_VALUE) {
      if (size === 0) throw new MemError(ERROR_INVALID_PARAMETER, 'a pagefile mapping needs a size');
    } else {
      const entry = process.handles.get(hFile, HANDLE_TYPE_FILE);
      if (entry === undefined) throw new MemError(ERROR_INVALID_HANDLE, `handle ${hFile} is not a file`);
      file = entry.object as FileObject;
    }
    const node = preferredNode(process, nndPreferred, 0);
    const { section, existed } = createSection(process.machine, {
      size,
      protection,
      attributes: flags,
      file,
      name: lpName,
      preferredNode: node,
      lockMemoryPrivilege: process.hasPrivilege('SeLockMemoryPrivilege'),
    });
    const handle = sectionHandle(process, section, createdHandleAccess(protection));
    process.lastError = createdSectionError(existed);
    return handle;
  } catch (error) {
    return toWin32(process, error, 0);
  }
}

/**
 * OpenFileMapping: a handle with `dwDesiredAccess` (FILE_MAP_*, SECTION_*, GENERIC_*) to the
 * section named `lpName`. NULL with ERROR_FILE_NOT_FOUND when no section has the name (its last
 * handle was closed), ERROR_INVALID_HANDLE when the name is another kind of object,
 * ERROR_INVALID_PARAMETER without a name.
 */
export function OpenFileMapping(process: Process, dwDesiredAccess: number, _bInheritHandle: boolean, lpName: string | undefined): number {
  try {
    if (lpName === undefined || lpName === '') throw new MemError(ERROR_INVALID_PARAMETER, 'OpenFileMapping needs a name');
    const found = lookupName(process.machine, lpName, HANDLE_TYPE_SECTION) as Section | undefined;
    if (found === undefined) throw new MemError(ERROR_FILE_NOT_FOUND, `no section named "${lpName}"`);
    return sectionHandle(process, found, sectionAccess(dwDesiredAccess));
  } catch (error) {
    return toWin32(process, error, 0);
  }
}

/** MapViewOfFile: a view of the whole section (size 0) or of `dwNumberOfBytesToMap` bytes at the offset. NULL on failure. */
export function MapViewOfFile(
  process: Process,
  hFileMappingObject: number,
  dwDesiredAccess: number,
  dwFileOffsetHigh: number,
  dwFileOffsetLow: number,
  dwNumberOfBytesToMap: number,
): number {
  return MapViewOfFileExNuma(process, hFileMappingObject, dwDesiredAccess, dwFileOffsetHigh, dwFileOffsetLow, dwNumberOfBytesToMap, 0, NUMA_NO_PREFERRED_NODE);
}

/** MapViewOfFileEx: MapViewOfFile at `lpBaseAddress` (a multiple of 64 KiB, or 0 for anywhere). */
export function MapViewOfFileEx(
  process: Process,
  hFileMappingObject: number,
  dwDesiredAccess: number,
  dwFileOffsetHigh: number,
  dwFileOffsetLow: number,
  dwNumberOfBytesToMap: number,
  lpBaseAddress: number,
): number {
  return MapViewOfFileExNuma(process, hFileMappingObject, dwDesiredAccess, dwFileOffsetHigh, dwFileOffsetLow, dwNumberOfBytesToMap, lpBaseAddress, NUMA_NO_PREFERRED_NODE);
}

/** MapViewOfFileExNuma: MapViewOfFileEx whose new frames prefer NUMA node `nndPreferred`. */
export function MapViewOfFileExNuma(
  process: Process,
  hFileMappingObject: number,
  dwDesiredAccess: number,
  dwFileOffsetHigh: number,
  dwFileOffsetLow: number,
  dwNumberOfBytesToMap: number,
  lpBaseAddress: number,
  nndPreferred: number,
): number {
  try {
    const entry = process.handles.get(hFileMappingObject, HANDLE_TYPE_SECTION);
    if (entry === undefined) throw new MemError(ERROR_INVALID_HANDLE, `handle ${hFileMappingObject} is not a file mapping`);
    const section = entry.object as Section;
    const view = mapView(process, section, entry.access, {
      access: dwDesiredAccess,
      offset: combine(dwFileOffsetHigh, dwFileOffsetLow),
      size: dwNumberOfBytesToMap,
      address: lpBaseAddress ?? 0,
      preferredNode: preferredNode(process, nndPreferred, section.preferredNode),
    });
    return view.address;
  } catch (error) {
    return toWin32(process, error, 0);
  }
}

/** UnmapViewOfFile: unmaps the view holding `lpBaseAddress` (any address inside it). ERROR_INVALID_ADDRESS elsewhere. */
export function UnmapViewOfFile(process: Process, lpBaseAddress: number): boolean {
  try {
    const view = viewAt(process, lpBaseAddress);
    if (view === undefined) throw new MemError(ERROR_INVALID_ADDRESS, 'not a mapped view');
    view.unmap();
    return true;
  } catch (error) {
    return toWin32(process, error, false);
  }
}

/**
 * UnmapViewOfFileEx (Windows 8): UnmapViewOfFile with flags. MEM_UNMAP_WITH_TRANSIENT_BOOST only
 * tunes page priority (accepted, no effect here); MEM_PRESERVE_PLACEHOLDER needs a view mapped into a
 * placeholder, which this simulation does not make: ERROR_INVALID_PARAMETER, as for any other bit.
 */
export function UnmapViewOfFileEx(process: Process, BaseAddress: number, UnmapFlags: number): boolean {
  if (((UnmapFlags >>> 0) & ~MEM_UNMAP_WITH_TRANSIENT_BOOST) !== 0) {
    process.lastError = ERROR_INVALID_PARAMETER;
    return false;
  }
  return UnmapViewOfFile(process, BaseAddress);
}

/**
 * FlushViewOfFile: writes the dirty pages of [lpBaseAddress, lpBaseAddress + dwNumberOfBytesToFlush)
 * of a file view to the file (size 0: to the end of the view). Pagefile views succeed with nothing to
 * write. ERROR_INVALID_ADDRESS outside a view or for a range running past it.
 */
export function FlushViewOfFile(process: Process, lpBaseAddress: number, dwNumberOfBytesToFlush: number): boolean {
  try {
    const view = viewAt(process, lpBaseAddress);
    if (view === undefined) throw new MemError(ERROR_INVALID_ADDRESS, 'not a mapped view');
    view.flush(lpBaseAddress - view.address, dwNumberOfBytesToFlush);
    return true;
  } catch (error) {
    return toWin32(process, error, false);
  }
}

/**
 * GetMappedFileName (psapi, ANSI form): writes the device-form name of the file mapped at `lpv` in
 * the process `hProcess` (GetCurrentProcess() = -1, or a handle with PROCESS_QUERY_INFORMATION) into
 * the caller's memory at `lpFilename` (`nSize` bytes, NUL-terminated, truncated to fit) and returns
 * its length in characters; 0 on failure: ERROR_INVALID_PARAMETER (no buffer, size 0),
 * ERROR_INVALID_HANDLE, ERROR_ACCESS_DENIED, ERROR_UNEXP_NET_ERR (not a view), ERROR_FILE_INVALID
 * (a pagefile view), ERROR_NOACCESS (the buffer is not writable). A `{ value }` box instead of an
 * address receives the name as a string.
 */
export function GetMappedFileName(process: Process, hProcess: number, lpv: number, lpFilename: number | { value?: string }, nSize: number): number {
  try {
    if (hProcess === 0) throw new MemError(ERROR_INVALID_HANDLE, 'NULL process handle');
    const target = resolveProcessHandle(process, hProcess, PROCESS_QUERY_INFORMATION);
    if (lpFilename === 0 || lpFilename === undefined || !Number.isInteger(nSize) || nSize <= 0) {
      throw new MemError(ERROR_INVALID_PARAMETER, 'GetMappedFileName needs a buffer');
    }
    const name = mappedFileName(target, lpv);
    const count = Math.min(name.length, nSize);
    if (typeof lpFilename === 'object') {
      lpFilename.value = name.slice(0, count === nSize ? nSize - 1 : count);
      return count;
    }
    const bytes = new Uint8Array(Math.min(name.length + 1, nSize));
    for (let i = 0; i < bytes.length; i++) bytes[i] = i < name.length ? name.charCodeAt(i) & 0xff : 0;
    bytes[bytes.length - 1] = 0;
    try {
      process.kernel.write(lpFilename, bytes);
    } catch {
      throw new MemError(ERROR_NOACCESS, 'output buffer not writable');
    }
    return count;
  } catch (error) {
    return toWin32(process, error, 0);
  }
}

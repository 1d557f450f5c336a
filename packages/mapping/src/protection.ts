// Protection rules of sections and views, as Windows applies them (spec §13, P-011, Wine
// test_mapping / test_CreateFileMapping_protection): which protections a section may have, which
// protection a FILE_MAP_* access gives a view, which rights mapping needs, and which protections
// VirtualProtect accepts on a view.
import {
  FILE_MAP_COPY,
  FILE_MAP_EXECUTE,
  FILE_MAP_READ,
  FILE_MAP_WRITE,
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_GUARD,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOPY,
  SECTION_MAP_READ,
  normalizeProtection,
} from '@mem/pages';
import { ACCESS_EXECUTE, ACCESS_READ, ACCESS_WRITE, ACCESS_WRITECOPY, VIEW_ACCESS_BITS } from './constants';

/** The protections a section can be created with (everything else is ERROR_INVALID_PARAMETER). */
export function isSectionProtection(protection: number): boolean {
  return (
    protection === PAGE_READONLY ||
    protection === PAGE_READWRITE ||
    protection === PAGE_WRITECOPY ||
    protection === PAGE_EXECUTE_READ ||
    protection === PAGE_EXECUTE_READWRITE ||
    protection === PAGE_EXECUTE_WRITECOPY
  );
}

/** True for section protections that let views write the shared pages. */
export function isWritableSection(protection: number): boolean {
  return protection === PAGE_READWRITE || protection === PAGE_EXECUTE_READWRITE;
}

/** True for section protections that need an executable file (GENERIC_EXECUTE). */
export function isExecutableSection(protection: number): boolean {
  return protection === PAGE_EXECUTE_READ || protection === PAGE_EXECUTE_READWRITE || protection === PAGE_EXECUTE_WRITECOPY;
}

/**
 * The protection of a view mapped with `access` (MapViewOfFile's dwDesiredAccess): FILE_MAP_COPY
 * alone is copy-on-write, any WRITE is read/write, READ is read-only, nothing else is no access;
 * FILE_MAP_EXECUTE makes each executable.
 */
export function viewProtectionFor(access: number): number {
  const executable = (access & FILE_MAP_EXECUTE) !== 0;
  const rest = access & VIEW_ACCESS_BITS & ~FILE_MAP_EXECUTE;
  if (rest === FILE_MAP_COPY) return executable ? PAGE_EXECUTE_WRITECOPY : PAGE_WRITECOPY;
  if ((rest & FILE_MAP_WRITE) !== 0) return executable ? PAGE_EXECUTE_READWRITE : PAGE_READWRITE;
  if ((rest & FILE_MAP_READ) !== 0) return executable ? PAGE_EXECUTE_READ : PAGE_READONLY;
  return PAGE_NOACCESS;
}

/** Section rights a view with `access` needs from the handle (no bit: SECTION_MAP_READ). */
export function rightsNeededFor(access: number): number {
  const needed = access & VIEW_ACCESS_BITS;
  return needed === 0 ? SECTION_MAP_READ : needed;
}

/** What a page protection lets code do (Wine's page_prot_to_access). */
export function pageAccess(protection: number): number {
  switch (protection & 0xff) {
    case PAGE_READONLY:
    case PAGE_WRITECOPY:
      return ACCESS_READ;
    case PAGE_READWRITE:
      return ACCESS_READ | ACCESS_WRITE;
    case PAGE_EXECUTE:
    case PAGE_EXECUTE_READ:
      return ACCESS_READ | ACCESS_EXECUTE;
    case PAGE_EXECUTE_READWRITE:
      return ACCESS_READ | ACCESS_WRITE | ACCESS_WRITECOPY | ACCESS_EXECUTE;
    case PAGE_EXECUTE_WRITECOPY:
      return ACCESS_READ | ACCESS_WRITECOPY | ACCESS_EXECUTE;
    default:
      return 0;
  }
}

/**
 * The protection VirtualProtect / VirtualAlloc(MEM_COMMIT) stores on a page of a view, or -1 when
 * Windows refuses it (ERROR_INVALID_PARAMETER). The request must be a valid protection and
 * "compatible": its access equals the view's, or is a subset of both the view's and the section's
 * (P-011). PAGE_GUARD is kept; cache modifiers are refused (they belong to private memory). On a
 * shared view PAGE_EXECUTE_WRITECOPY is stored as PAGE_EXECUTE_READWRITE, as Windows reports it;
 * on an image view writable requests become their copy-on-write twins (P-012).
 */
export function viewPageProtection(sectionProtection: number, viewProtection: number, requested: number, image: boolean): number {
  const value = normalizeProtection(requested, true);
  if (value < 0) return -1;
  const modifiers = value & ~0xff;
  if ((modifiers & ~PAGE_GUARD) !== 0) return -1;
  let base = value & 0xff;
  const wanted = pageAccess(base);
  const view = pageAccess(viewProtection);
  const section = pageAccess(sectionProtection);
  const compatible = view === wanted || (view !== 0 && (view & wanted) === wanted && (section & wanted) === wanted);
  if (!compatible) return -1;
  if (image) {
    if (base === PAGE_READWRITE) base = PAGE_WRITECOPY;
    else if (base === PAGE_EXECUTE_READWRITE) base = PAGE_EXECUTE_WRITECOPY;
  } else if (base === PAGE_EXECUTE_WRITECOPY && viewProtection !== PAGE_EXECUTE_WRITECOPY) {
    base = PAGE_EXECUTE_READWRITE;
  }
  return base + modifiers;
}

/** Generic rights of CreateFile mapped to what the file handle allows: read, write, execute. */
export interface FileRights {
  read: boolean;
  write: boolean;
  execute: boolean;
}

/** True when a file opened with `rights` may back a section of `protection` (M-002). */
export function fileAllowsSection(rights: FileRights, protection: number): boolean {
  if (!rights.read) return false;
  if (isWritableSection(protection) && !rights.write) return false;
  if (isExecutableSection(protection) && !rights.execute) return false;
  return true;
}

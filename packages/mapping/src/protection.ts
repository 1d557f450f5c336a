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
  SECTION_EXTEND_SIZE,
  SECTION_MAP_EXECUTE,
  SECTION_MAP_EXECUTE_EXPLICIT,
  SECTION_MAP_READ,
  SECTION_MAP_WRITE,
  SECTION_QUERY,
  STANDARD_RIGHTS_REQUIRED,
  normalizeProtection,
} from '@mem/pages';
import { VIEW_ACCESS_BITS } from './constants';

/**
 * Section rights a handle of a section with this protection can use to map views: what Windows grants
 * (Wine test_mapping, run on Windows): writable sections everything, the others everything but
 * SECTION_MAP_WRITE. 0 for a protection a section cannot have.
 */
export function sectionRightsFor(protection: number): number {
  switch (protection) {
    case PAGE_READWRITE:
    case PAGE_EXECUTE_READWRITE:
      return SECTION_MAP_READ | SECTION_MAP_WRITE | SECTION_MAP_EXECUTE | SECTION_MAP_EXECUTE_EXPLICIT | SECTION_QUERY | SECTION_EXTEND_SIZE;
    case PAGE_READONLY:
    case PAGE_WRITECOPY:
    case PAGE_EXECUTE_READ:
    case PAGE_EXECUTE_WRITECOPY:
      return SECTION_MAP_READ | SECTION_MAP_EXECUTE | SECTION_MAP_EXECUTE_EXPLICIT | SECTION_QUERY;
    default:
      return 0;
  }
}

/** The access mask of the handle CreateFileMapping returns for a section of this protection. */
export function createdHandleAccess(protection: number): number {
  return STANDARD_RIGHTS_REQUIRED | sectionRightsFor(protection);
}

/** Page-access bits for protection compatibility (Wine's page_prot_to_access). */
const ACCESS_READ = 0x01;
const ACCESS_WRITE = 0x02;
const ACCESS_EXECUTE = 0x04;
const ACCESS_WRITECOPY = 0x08;

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
  if (image) {
    // image pages take any protection; writable ones become copy-on-write (P-012)
    if (base === PAGE_READWRITE) base = PAGE_WRITECOPY;
    else if (base === PAGE_EXECUTE_READWRITE) base = PAGE_EXECUTE_WRITECOPY;
    return base + modifiers;
  }
  const wanted = pageAccess(base);
  const view = pageAccess(viewProtection);
  const section = pageAccess(sectionProtection);
  const compatible = view === wanted || (view !== 0 && (view & wanted) === wanted && (section & wanted) === wanted);
  if (!compatible) return -1;
  if (base === PAGE_EXECUTE_WRITECOPY && viewProtection !== PAGE_EXECUTE_WRITECOPY) {
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

// @mem/mapping, the idiomatic door: sections (file-mapping objects) backed by the paging file or by a
// real file, named per machine, mapped as views into simulated processes; every failure throws
// MemError with the Windows code and changes nothing. The Win32 door is '@mem/mapping/win32'.
import {
  ERROR_FILE_NOT_FOUND,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  FILE_MAP_READ,
  FILE_MAP_WRITE,
  type Machine,
  MemError,
  PAGE_READWRITE,
  type Process,
  SECTION_ALL_ACCESS,
} from '@mem/pages';
import { HANDLE_TYPE_SECTION } from './constants';
import { type FileObject, type OpenFileOptions, openFile as openFileCore } from './file';
import { mappedFileName as mappedFileNameCore, viewAt } from './lookup';
import { lookupName } from './namespace';
import { isWritableSection } from './protection';
import { type Section, createSection as createSectionCore } from './section';
import { type MapViewOptions, type View, mapView } from './view';

export * from './constants';
export { FileObject, type OpenFileOptions } from './file';
export { Section, sectionAttributes, type SectionOptions } from './section';
export { View, type MapViewOptions } from './view';
export { viewProtectionFor, viewPageProtection, pageAccess, isSectionProtection } from './protection';
export { namespaceKey } from './namespace';

export interface CreateSectionOptions {
  /** Bytes. Pagefile sections round up to pages; 0 = the whole file (file sections only). */
  size?: number;
  /** Section protection (default PAGE_READWRITE). */
  protection?: number;
  /** SEC_* flags: SEC_COMMIT (default), SEC_RESERVE, SEC_NOCACHE, SEC_WRITECOMBINE, SEC_LARGE_PAGES. */
  attributes?: number;
  /** Map this file instead of paging-file memory (from `openFile`). */
  file?: FileObject;
  /** Name in the machine's namespace; an existing section of that name is opened instead. */
  name?: string;
  /** Preferred NUMA node of the frames. */
  numaNode?: number;
}

export interface MapOptions extends Partial<MapViewOptions> {}

/** An open reference to a section, as a handle is: views outlive it; `close()` once you are done. */
export class SectionRef {
  readonly section: Section;
  /** True when `createSection` found an existing section of that name. */
  readonly existed: boolean;
  private open = true;

  constructor(section: Section, existed: boolean) {
    this.section = section;
    this.existed = existed;
    section.addReference();
  }

  get size(): number {
    return this.section.size;
  }
  get name(): string | undefined {
    return this.section.name;
  }
  get attributes(): number {
    return this.section.attributes;
  }
  get protection(): number {
    return this.section.protection;
  }

  /**
   * Maps a view into `process`. Default access: read/write when the section is writable, else
   * read-only; default offset 0, size 0 (the rest of the section), address 0 (anywhere).
   */
  map(process: Process, options: MapOptions = {}): View {
    if (!this.open) throw new MemError(ERROR_INVALID_HANDLE, 'section reference closed');
    const access = options.access ?? (isWritableSection(this.section.protection) ? FILE_MAP_READ | FILE_MAP_WRITE : FILE_MAP_READ);
    return mapView(process, this.section, SECTION_ALL_ACCESS, { ...options, access });
  }

  /** Drops this reference (CloseHandle); the name dies with the last reference, the section with its last view. */
  close(): void {
    if (!this.open) throw new MemError(ERROR_INVALID_HANDLE, 'section reference closed twice');
    this.open = false;
    this.section.releaseReference();
  }
}

function machineOf(owner: Process | Machine): Machine {
  return 'physical' in owner ? owner : (owner as Process).machine;
}

/** Opens or creates a real file (CreateFile semantics); `file.close()` when done. */
export function openFile(owner: Process | Machine, path: string, options: OpenFileOptions = {}): FileObject {
  return openFileCore(machineOf(owner), path, options);
}

/** Creates a section (or opens the one already named `name`: then `existed` is true). */
export function createSection(owner: Process | Machine, options: CreateSectionOptions = {}): SectionRef {
  const machine = machineOf(owner);
  const lockMemoryPrivilege = 'hasPrivilege' in owner ? (owner as Process).hasPrivilege('SeLockMemoryPrivilege') : false;
  const { section, existed } = createSectionCore(machine, {
    size: options.size ?? 0,
    protection: options.protection ?? PAGE_READWRITE,
    attributes: options.attributes ?? 0,
    file: options.file,
    name: options.name,
    preferredNode: options.numaNode ?? 0,
    lockMemoryPrivilege,
  });
  return new SectionRef(section, existed);
}

/** Opens the section named `name` (ERROR_FILE_NOT_FOUND when there is none). */
export function openSection(owner: Process | Machine, name: string): SectionRef {
  if (typeof name !== 'string' || name === '') throw new MemError(ERROR_INVALID_PARAMETER, 'a section name is needed');
  const found = lookupName(machineOf(owner), name, HANDLE_TYPE_SECTION) as Section | undefined;
  if (found === undefined) throw new MemError(ERROR_FILE_NOT_FOUND, `no section named "${name}"`);
  return new SectionRef(found, true);
}

/** The view of `process` holding `address` (ERROR_INVALID_ADDRESS when none). */
export function viewOf(process: Process, address: number): View {
  const view = viewAt(process, address);
  if (view === undefined) throw new MemError(ERROR_INVALID_ADDRESS, 'not a mapped view');
  return view;
}

/** GetMappedFileName's answer for `address` of `process`: `\Device\HarddiskVolume1\…`. */
export function mappedFileName(process: Process, address: number): string {
  return mappedFileNameCore(process, address);
}

// FileObject: a real file opened through node:fs the way CreateFile opens one — generic access,
// share mode, disposition — with the Windows error for each failure. A file object lives while a
// handle or a section refers to it (a section keeps its file open after CloseHandle, as on Windows);
// the open files of a machine are tracked to apply share modes and the "user-mapped file" rule.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CREATE_ALWAYS,
  CREATE_NEW,
  ERROR_ACCESS_DENIED,
  ERROR_ALREADY_EXISTS,
  ERROR_FILE_EXISTS,
  ERROR_FILE_NOT_FOUND,
  ERROR_GEN_FAILURE,
  ERROR_INVALID_NAME,
  ERROR_INVALID_PARAMETER,
  ERROR_PATH_NOT_FOUND,
  ERROR_SHARING_VIOLATION,
  ERROR_SUCCESS,
  ERROR_TOO_MANY_OPEN_FILES,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  GENERIC_ALL,
  GENERIC_EXECUTE,
  GENERIC_READ,
  GENERIC_WRITE,
  type Machine,
  MemError,
  OPEN_ALWAYS,
  OPEN_EXISTING,
  TRUNCATE_EXISTING,
} from '@mem/pages';
import { ERROR_USER_MAPPED_FILE } from './constants';
import type { FileRights } from './protection';

export interface OpenFileOptions {
  /** GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL (default GENERIC_READ | GENERIC_WRITE). */
  access?: number;
  /** FILE_SHARE_* bits (default FILE_SHARE_READ | FILE_SHARE_WRITE). */
  share?: number;
  /** CREATE_NEW, CREATE_ALWAYS, OPEN_EXISTING (default), OPEN_ALWAYS, TRUNCATE_EXISTING. */
  disposition?: number;
}

const openFiles = new WeakMap<Machine, Set<FileObject>>();

function filesOf(machine: Machine): Set<FileObject> {
  let files = openFiles.get(machine);
  if (files === undefined) {
    files = new Set();
    openFiles.set(machine, files);
  }
  return files;
}

function rightsOf(access: number): FileRights {
  const all = (access & GENERIC_ALL) !== 0;
  return {
    read: all || (access & GENERIC_READ) !== 0,
    write: all || (access & GENERIC_WRITE) !== 0,
    execute: all || (access & GENERIC_EXECUTE) !== 0,
  };
}

export class FileObject {
  readonly machine: Machine;
  /** Absolute host path. */
  readonly path: string;
  readonly access: number;
  readonly rights: FileRights;
  readonly share: number;
  /** Whether the open created the file or found it (CREATE_ALWAYS / OPEN_ALWAYS report ERROR_ALREADY_EXISTS). */
  readonly existed: boolean;
  private fd: number;
  /** The opener's reference (a handle or an idiomatic owner) plus sections referring to this file. */
  private references = 1;
  private closedByOpener = false;
  /** Sections built on this file (truncating opens fail while any exists). */
  sections = 0;

  constructor(machine: Machine, filePath: string, fd: number, access: number, share: number, existed: boolean) {
    this.machine = machine;
    this.path = filePath;
    this.fd = fd;
    this.access = access >>> 0;
    this.rights = rightsOf(access);
    this.share = share;
    this.existed = existed;
    filesOf(machine).add(this);
  }

  get open(): boolean {
    return this.fd >= 0;
  }

  addRef(): void {
    this.references++;
  }

  /** Drops the opener's reference (CloseHandle); sections keep the file open until they die. */
  close(): void {
    if (this.closedByOpener) return;
    this.closedByOpener = true;
    this.release();
  }

  /** Drops one reference; the host file is closed with the last one. */
  release(): void {
    this.references--;
    if (this.references > 0 || this.fd < 0) return;
    fs.closeSync(this.fd);
    this.fd = -1;
    filesOf(this.machine).delete(this);
  }

  /** Current size in bytes. */
  size(): number {
    return fs.fstatSync(this.fd).size;
  }

  /** Grows (or shrinks) the file to `size` bytes. */
  resize(size: number): void {
    fs.ftruncateSync(this.fd, size);
  }

  /** Reads up to `length` bytes at `position` into `target`; bytes past the end of file stay as they are. */
  read(position: number, target: Uint8Array, length: number): number {
    let done = 0;
    while (done < length) {
      const count = fs.readSync(this.fd, target, done, length - done, position + done);
      if (count === 0) break;
      done += count;
    }
    return done;
  }

  write(position: number, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done, position + done);
  }
}

function conflicts(open: FileObject, rights: FileRights, share: number): boolean {
  const wantsRead = rights.read || rights.execute;
  const otherReads = open.rights.read || open.rights.execute;
  if (wantsRead && (open.share & FILE_SHARE_READ) === 0) return true;
  if (rights.write && (open.share & FILE_SHARE_WRITE) === 0) return true;
  if (otherReads && (share & FILE_SHARE_READ) === 0) return true;
  if (open.rights.write && (share & FILE_SHARE_WRITE) === 0) return true;
  return false;
}

function errorOf(error: unknown, filePath: string): MemError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new MemError(fs.existsSync(path.dirname(filePath)) ? ERROR_FILE_NOT_FOUND : ERROR_PATH_NOT_FOUND, filePath);
    case 'ENOTDIR':
      return new MemError(ERROR_PATH_NOT_FOUND, filePath);
    case 'EEXIST':
      return new MemError(ERROR_FILE_EXISTS, filePath);
    case 'EACCES':
    case 'EPERM':
    case 'EISDIR':
    case 'EROFS':
      return new MemError(ERROR_ACCESS_DENIED, filePath);
    case 'EMFILE':
    case 'ENFILE':
      return new MemError(ERROR_TOO_MANY_OPEN_FILES, filePath);
    case 'ENAMETOOLONG':
      return new MemError(ERROR_INVALID_NAME, filePath);
    default:
      return new MemError(ERROR_GEN_FAILURE, `${filePath}: ${code ?? String(error)}`);
  }
}

/**
 * Opens or creates a real file as CreateFile does. Throws MemError with the Windows code and leaves
 * the file system as it was: ERROR_FILE_NOT_FOUND / ERROR_PATH_NOT_FOUND, ERROR_FILE_EXISTS
 * (CREATE_NEW), ERROR_ACCESS_DENIED (a directory, no permission), ERROR_SHARING_VIOLATION (an open
 * of this machine does not share), ERROR_USER_MAPPED_FILE (truncating a file a section maps),
 * ERROR_INVALID_PARAMETER (unknown disposition, TRUNCATE_EXISTING without GENERIC_WRITE).
 * `lastError` of the result tells ERROR_ALREADY_EXISTS for CREATE_ALWAYS / OPEN_ALWAYS on an existing file.
 */
export function openFile(machine: Machine, filePath: string, options: OpenFileOptions = {}): FileObject {
  const access = (options.access ?? GENERIC_READ | GENERIC_WRITE) >>> 0;
  const share = options.share ?? FILE_SHARE_READ | FILE_SHARE_WRITE;
  const disposition = options.disposition ?? OPEN_EXISTING;
  if (typeof filePath !== 'string') throw new MemError(ERROR_INVALID_PARAMETER, 'path must be a string');
  if (filePath === '') throw new MemError(ERROR_PATH_NOT_FOUND, 'empty path');
  if (filePath.includes('\0')) throw new MemError(ERROR_INVALID_NAME, 'path holds NUL');
  if (disposition < CREATE_NEW || disposition > TRUNCATE_EXISTING || !Number.isInteger(disposition)) {
    throw new MemError(ERROR_INVALID_PARAMETER, `disposition ${disposition}`);
  }
  const rights = rightsOf(access);
  if (disposition === TRUNCATE_EXISTING && !rights.write) throw new MemError(ERROR_INVALID_PARAMETER, 'TRUNCATE_EXISTING needs GENERIC_WRITE');
  const absolute = path.resolve(filePath);
  let existed: boolean;
  let isDirectory = false;
  try {
    const stat = fs.statSync(absolute);
    existed = true;
    isDirectory = stat.isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw errorOf(error, absolute);
    existed = false;
  }
  if (isDirectory) throw new MemError(ERROR_ACCESS_DENIED, `${absolute} is a directory`);
  if (existed && disposition === CREATE_NEW) throw new MemError(ERROR_FILE_EXISTS, absolute);
  if (!existed && (disposition === OPEN_EXISTING || disposition === TRUNCATE_EXISTING)) {
    throw new MemError(fs.existsSync(path.dirname(absolute)) ? ERROR_FILE_NOT_FOUND : ERROR_PATH_NOT_FOUND, absolute);
  }
  const truncates = existed && (disposition === CREATE_ALWAYS || disposition === TRUNCATE_EXISTING);
  for (const open of filesOf(machine)) {
    if (open.path !== absolute || !open.open) continue;
    if (conflicts(open, rights, share)) throw new MemError(ERROR_SHARING_VIOLATION, absolute);
    if (truncates && open.sections > 0) throw new MemError(ERROR_USER_MAPPED_FILE, absolute);
  }
  let flags = rights.write ? fs.constants.O_RDWR : fs.constants.O_RDONLY;
  if (!existed) flags |= fs.constants.O_CREAT | fs.constants.O_EXCL;
  let fd: number;
  try {
    fd = fs.openSync(absolute, flags, 0o666);
  } catch (error) {
    throw errorOf(error, absolute);
  }
  if (truncates) {
    try {
      fs.ftruncateSync(fd, 0);
    } catch (error) {
      fs.closeSync(fd);
      throw errorOf(error, absolute);
    }
  }
  return new FileObject(machine, absolute, fd, access, share, existed);
}

/** The last error a successful CreateFile leaves: ERROR_ALREADY_EXISTS when CREATE_ALWAYS / OPEN_ALWAYS found the file. */
export function openedFileError(file: FileObject, disposition: number): number {
  return file.existed && (disposition === CREATE_ALWAYS || disposition === OPEN_ALWAYS) ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS;
}

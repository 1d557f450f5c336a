// Finding views by address: which view of which section an address of a process falls in, and the
// file name GetMappedFileName reports for it.
import { ERROR_FILE_INVALID, MemError, type Process } from '@mem/pages';
import { ERROR_UNEXP_NET_ERR, MAPPED_FILE_DEVICE } from './constants';
import { View } from './view';

/** The view holding `address` in `process`, or undefined. */
export function viewAt(process: Process, address: number): View | undefined {
  if (!Number.isSafeInteger(address) || address < 0) return undefined;
  const owner = process.addressSpace.allocationAt(address)?.owner;
  return owner instanceof View && owner.process === process ? owner : undefined;
}

/**
 * The name GetMappedFileName reports for the file view holding `address` of `target`: the file's
 * path in the NT device form `\Device\HarddiskVolume1\<path>` (host separators become `\`; a Windows
 * drive letter is dropped). Throws ERROR_UNEXP_NET_ERR outside a view, ERROR_FILE_INVALID for a
 * pagefile view.
 */
export function mappedFileName(target: Process, address: number): string {
  const view = viewAt(target, address);
  if (view === undefined) throw new MemError(ERROR_UNEXP_NET_ERR, 'not a mapped view');
  const file = view.section.file;
  if (file === undefined) throw new MemError(ERROR_FILE_INVALID, 'a pagefile-backed view has no file');
  const withoutDrive = file.path.replace(/^[A-Za-z]:/, '');
  const nt = withoutDrive.replace(/[\\/]+/g, '\\');
  return MAPPED_FILE_DEVICE + (nt.startsWith('\\') ? nt : `\\${nt}`);
}


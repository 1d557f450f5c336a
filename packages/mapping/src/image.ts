// Image sections (SEC_IMAGE): a PE file laid out as the loader lays it out — headers at the start,
// each section at its virtual address, the rest zero — with per-page protections from the section
// characteristics (headers PAGE_READONLY; code PAGE_EXECUTE_READ; writable data PAGE_WRITECOPY).
// Only the layout is simulated: no relocations, imports or entry points. Anything that is not a PE
// image is ERROR_BAD_EXE_FORMAT, as on Windows (STATUS_INVALID_IMAGE_NOT_MZ / _FORMAT).
import {
  ERROR_BAD_EXE_FORMAT,
  MemError,
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_WRITECOPY,
  alignUp,
} from '@mem/pages';

const IMAGE_SCN_MEM_EXECUTE = 0x20000000;
const IMAGE_SCN_MEM_READ = 0x40000000;
const IMAGE_SCN_MEM_WRITE = 0x80000000;
const PE32_MAGIC = 0x10b;
const PE32_PLUS_MAGIC = 0x20b;
/** Largest image the simulation lays out in host memory. */
const MAX_IMAGE_BYTES = 256 * 1024 * 1024;

export interface ImageLayout {
  /** Preferred base (OptionalHeader.ImageBase). */
  imageBase: number;
  /** SizeOfImage rounded up to pages. */
  size: number;
  /** The image as the loader lays it out. */
  bytes: Uint8Array;
  /** Protection of each page. */
  pageProtections: number[];
}

function protectionOf(characteristics: number): number {
  const execute = (characteristics & IMAGE_SCN_MEM_EXECUTE) !== 0;
  const read = (characteristics & IMAGE_SCN_MEM_READ) !== 0;
  const write = (characteristics & IMAGE_SCN_MEM_WRITE) !== 0;
  if (write) return execute ? PAGE_EXECUTE_WRITECOPY : PAGE_WRITECOPY;
  if (execute) return read ? PAGE_EXECUTE_READ : PAGE_EXECUTE;
  return read ? PAGE_READONLY : PAGE_NOACCESS;
}

function bad(detail: string): MemError {
  return new MemError(ERROR_BAD_EXE_FORMAT, detail);
}

/** Lays out the PE file `file` (its whole contents) with `pageSize` pages; throws ERROR_BAD_EXE_FORMAT. */
export function layOutImage(file: Uint8Array, pageSize: number): ImageLayout {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 0x40 || file[0] !== 0x4d || file[1] !== 0x5a) throw bad('no MZ header');
  const peOffset = view.getUint32(0x3c, true);
  if (peOffset + 24 > file.length || view.getUint32(peOffset, true) !== 0x00004550) throw bad('no PE signature');
  const sectionCount = view.getUint16(peOffset + 6, true);
  const optionalSize = view.getUint16(peOffset + 20, true);
  const optional = peOffset + 24;
  if (optional + Math.min(optionalSize, 64) > file.length || optionalSize < 64) throw bad('truncated optional header');
  const magic = view.getUint16(optional, true);
  let imageBase: number;
  if (magic === PE32_MAGIC) imageBase = view.getUint32(optional + 28, true);
  else if (magic === PE32_PLUS_MAGIC) imageBase = Number(view.getBigUint64(optional + 24, true));
  else throw bad(`optional header magic 0x${magic.toString(16)}`);
  const sizeOfImage = view.getUint32(optional + 56, true);
  const sizeOfHeaders = view.getUint32(optional + 60, true);
  if (sizeOfImage === 0 || sizeOfImage > MAX_IMAGE_BYTES || sizeOfHeaders > sizeOfImage) throw bad('SizeOfImage');
  const size = alignUp(sizeOfImage, pageSize);
  const bytes = new Uint8Array(size);
  bytes.set(file.subarray(0, Math.min(sizeOfHeaders, file.length)));
  const pageProtections = new Array<number>(size / pageSize).fill(PAGE_READONLY);
  const table = optional + optionalSize;
  if (table + sectionCount * 40 > file.length) throw bad('truncated section table');
  for (let index = 0; index < sectionCount; index++) {
    const header = table + index * 40;
    const virtualSize = view.getUint32(header + 8, true);
    const virtualAddress = view.getUint32(header + 12, true);
    const rawSize = view.getUint32(header + 16, true);
    const rawOffset = view.getUint32(header + 20, true);
    const characteristics = view.getUint32(header + 36, true);
    const span = Math.max(virtualSize, rawSize);
    if (virtualAddress + span > size) throw bad(`section ${index} lies outside SizeOfImage`);
    const copied = Math.min(rawSize, virtualSize === 0 ? rawSize : virtualSize, Math.max(0, file.length - rawOffset));
    if (copied > 0) bytes.set(file.subarray(rawOffset, rawOffset + copied), virtualAddress);
    const protection = protectionOf(characteristics);
    const firstPage = Math.floor(virtualAddress / pageSize);
    const endPage = Math.ceil((virtualAddress + Math.max(span, 1)) / pageSize);
    for (let page = firstPage; page < endPage; page++) pageProtections[page] = protection;
  }
  return { imageBase, size, bytes, pageProtections };
}

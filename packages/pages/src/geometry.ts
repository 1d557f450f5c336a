// Geometry: the numbers of one simulated platform (spec internals §3.1–3.3, win32-facts §3). Every other
// layer takes its page size, address limits and quotas from here, never from literals.
import {
  ERROR_INVALID_PARAMETER,
  PROCESSOR_ARCHITECTURE_AMD64,
  PROCESSOR_ARCHITECTURE_ARM64,
  PROCESSOR_ARCHITECTURE_IA64,
  PROCESSOR_ARCHITECTURE_INTEL,
} from './constants';
import { MemError } from './errors';

export type GeometryName = 'x86' | 'x86-laa' | 'wow64' | 'x64' | 'arm64' | 'ia64';

export interface Geometry {
  readonly name: string;
  /** dwPageSize: 4096, or 8192 on ia64. A power of two. */
  readonly pageSize: number;
  /** dwAllocationGranularity: where reservations start (64 KiB everywhere). */
  readonly allocationGranularity: number;
  /** GetLargePageMinimum(): 2 MiB on x86 (PAE), x64, arm64; 16 MiB on ia64; 0 = unsupported. */
  readonly largePageMinimum: number;
  /** lpMinimumApplicationAddress (0x10000). */
  readonly lowestUserAddress: number;
  /** lpMaximumApplicationAddress, inclusive (…EFFFF). */
  readonly highestUserAddress: number;
  /** sizeof(void*) of the process: 4 or 8. */
  readonly pointerSize: 4 | 8;
  /** wProcessorArchitecture as the process sees it (INTEL under WOW64). */
  readonly processorArchitecture: number;
  /** The machine's own architecture (AMD64 under WOW64). */
  readonly nativeProcessorArchitecture: number;
  /** Levels of the hardware page tables (PAE 3, x64/arm64 4, ia64 3); for statistics and the explorer. */
  readonly pageTableLevels: number;
  /** Default working-set minimum and maximum, in pages (50 / 345). */
  readonly workingSetMinimumPages: number;
  readonly workingSetMaximumPages: number;
  /** Pages of the working-set minimum VirtualLock cannot use ("minimum minus a small overhead"). */
  readonly lockOverheadPages: number;
  /** Heap block granularity: 8 (32-bit) or 16 (64-bit). */
  readonly heapGranularity: 8 | 16;
  /** Heap blocks from this size on get their own VirtualAlloc: 0x20000 * pointerSize - 0x1000. */
  readonly heapLargeBlockThreshold: number;
  /** DEP on by default for processes (64-bit: always; 32-bit: OptIn policy, off unless opted in). */
  readonly depDefault: boolean;
  /** Size of MEMORY_BASIC_INFORMATION (28 or 48), what VirtualQuery returns. */
  readonly memoryBasicInformationSize: number;
}

interface Base {
  name: string;
  pageSize: number;
  largePageMinimum: number;
  highestUserAddress: number;
  pointerSize: 4 | 8;
  processorArchitecture: number;
  nativeProcessorArchitecture: number;
  pageTableLevels: number;
  depDefault: boolean;
}

function build(base: Base): Geometry {
  return Object.freeze({
    ...base,
    allocationGranularity: 0x10000,
    lowestUserAddress: 0x10000,
    workingSetMinimumPages: 50,
    workingSetMaximumPages: 345,
    lockOverheadPages: 20,
    heapGranularity: base.pointerSize === 8 ? 16 : 8,
    heapLargeBlockThreshold: 0x20000 * base.pointerSize - 0x1000,
    memoryBasicInformationSize: base.pointerSize === 8 ? 48 : 28,
  });
}

const MiB = 1024 * 1024;

/** The built-in geometries, by name. */
export const GEOMETRIES: Readonly<Record<GeometryName, Geometry>> = Object.freeze({
  x86: build({
    name: 'x86',
    pageSize: 4096,
    largePageMinimum: 2 * MiB, // PAE is on by default since XP (DEP needs it): 2 MiB large pages
    highestUserAddress: 0x7ffeffff,
    pointerSize: 4,
    processorArchitecture: PROCESSOR_ARCHITECTURE_INTEL,
    nativeProcessorArchitecture: PROCESSOR_ARCHITECTURE_INTEL,
    pageTableLevels: 3,
    depDefault: false,
  }),
  'x86-laa': build({
    name: 'x86-laa',
    pageSize: 4096,
    largePageMinimum: 2 * MiB,
    highestUserAddress: 0xbffeffff,
    pointerSize: 4,
    processorArchitecture: PROCESSOR_ARCHITECTURE_INTEL,
    nativeProcessorArchitecture: PROCESSOR_ARCHITECTURE_INTEL,
    pageTableLevels: 3,
    depDefault: false,
  }),
  wow64: build({
    name: 'wow64',
    pageSize: 4096,
    largePageMinimum: 2 * MiB,
    highestUserAddress: 0xfffeffff,
    pointerSize: 4,
    processorArchitecture: PROCESSOR_ARCHITECTURE_INTEL,
    nativeProcessorArchitecture: PROCESSOR_ARCHITECTURE_AMD64,
    pageTableLevels: 4,
    depDefault: false,
  }),
  x64: build({
    name: 'x64',
    pageSize: 4096,
    largePageMinimum: 2 * MiB,
    highestUserAddress: 0x7ffffffeffff,
    pointerSize: 8,
    processorArchitecture: PROCESSOR_ARCHITECTURE_AMD64,
    nativeProcessorArchitecture: PROCESSOR_ARCHITECTURE_AMD64,
    pageTableLevels: 4,
    depDefault: true,
  }),
  arm64: build({
    name: 'arm64',
    pageSize: 4096,
    largePageMinimum: 2 * MiB,
    highestUserAddress: 0x7ffffffeffff,
    pointerSize: 8,
    processorArchitecture: PROCESSOR_ARCHITECTURE_ARM64,
    nativeProcessorArchitecture: PROCESSOR_ARCHITECTURE_ARM64,
    pageTableLevels: 4,
    depDefault: true,
  }),
  ia64: build({
    name: 'ia64',
    pageSize: 8192,
    largePageMinimum: 16 * MiB,
    // 7,152 GiB of user space (Windows Internals 5th ed.): 0x6FC00000000 minus the 64 KiB no-access gap.
    highestUserAddress: 0x6fbfffeffff,
    pointerSize: 8,
    processorArchitecture: PROCESSOR_ARCHITECTURE_IA64,
    nativeProcessorArchitecture: PROCESSOR_ARCHITECTURE_IA64,
    pageTableLevels: 3,
    depDefault: true,
  }),
});

function isPowerOfTwo(value: number): boolean {
  return Number.isInteger(value) && value > 0 && 2 ** Math.round(Math.log2(value)) === value;
}

function invalid(detail: string): never {
  throw new MemError(ERROR_INVALID_PARAMETER, `geometry: ${detail}`);
}

/**
 * A built-in geometry by name, or a custom geometry object checked for consistency (missing
 * fields default from x64/x86 by pointer size). Throws MemError(ERROR_INVALID_PARAMETER).
 */
export function resolveGeometry(nameOrObject: GeometryName | string | Partial<Geometry> = 'x64'): Geometry {
  if (typeof nameOrObject === 'string') {
    const found = (GEOMETRIES as Record<string, Geometry>)[nameOrObject];
    if (!found) invalid(`unknown geometry '${nameOrObject}'`);
    return found;
  }
  if (typeof nameOrObject !== 'object' || nameOrObject === null) invalid('expected a name or an object');
  const pointerSize = nameOrObject.pointerSize ?? 8;
  if (pointerSize !== 4 && pointerSize !== 8) invalid('pointerSize must be 4 or 8');
  const template = pointerSize === 8 ? GEOMETRIES.x64 : GEOMETRIES.x86;
  const merged = { ...template, ...nameOrObject, name: nameOrObject.name ?? 'custom' };
  const { pageSize, allocationGranularity, lowestUserAddress, highestUserAddress, largePageMinimum } = merged;
  if (!isPowerOfTwo(pageSize) || pageSize < 4096 || pageSize > 65536) invalid('pageSize must be a power of two in 4096..65536');
  if (!isPowerOfTwo(allocationGranularity) || allocationGranularity < pageSize) {
    invalid('allocationGranularity must be a power of two ≥ pageSize');
  }
  if (largePageMinimum !== 0 && (!isPowerOfTwo(largePageMinimum) || largePageMinimum < allocationGranularity)) {
    invalid('largePageMinimum must be 0 or a power of two ≥ allocationGranularity');
  }
  if (!Number.isSafeInteger(lowestUserAddress) || lowestUserAddress <= 0 || lowestUserAddress % allocationGranularity !== 0) {
    invalid('lowestUserAddress must be a positive multiple of allocationGranularity');
  }
  const limit = pointerSize === 4 ? 2 ** 32 : 2 ** 53;
  if (
    !Number.isSafeInteger(highestUserAddress) ||
    highestUserAddress >= limit ||
    (highestUserAddress + 1) % pageSize !== 0 ||
    highestUserAddress + 1 - lowestUserAddress < allocationGranularity
  ) {
    invalid('highestUserAddress must be one below a page boundary, above lowestUserAddress, within the pointer size');
  }
  if (merged.workingSetMinimumPages < merged.lockOverheadPages || merged.workingSetMaximumPages < merged.workingSetMinimumPages) {
    invalid('working-set numbers inconsistent');
  }
  return Object.freeze({
    ...merged,
    pointerSize,
    heapGranularity: nameOrObject.heapGranularity ?? (pointerSize === 8 ? 16 : 8),
    heapLargeBlockThreshold: nameOrObject.heapLargeBlockThreshold ?? 0x20000 * pointerSize - 0x1000,
    memoryBasicInformationSize: pointerSize === 8 ? 48 : 28,
  });
}

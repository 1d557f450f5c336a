import { describe, expect, it } from 'vitest';
import {
  GEOMETRIES,
  type Geometry,
  MemError,
  PROCESSOR_ARCHITECTURE_AMD64,
  PROCESSOR_ARCHITECTURE_ARM64,
  PROCESSOR_ARCHITECTURE_IA64,
  PROCESSOR_ARCHITECTURE_INTEL,
  resolveGeometry,
} from '../src/index';

describe('built-in geometries', () => {
  it('has the page sizes, granularity and minimum address of spec §3.1/§3.2', () => {
    for (const geometry of Object.values(GEOMETRIES)) {
      expect(geometry.allocationGranularity).toBe(0x10000);
      expect(geometry.lowestUserAddress).toBe(0x10000);
      expect(geometry.workingSetMinimumPages).toBe(50);
      expect(geometry.workingSetMaximumPages).toBe(345);
      expect(geometry.pageSize).toBe(geometry.name === 'ia64' ? 8192 : 4096);
      // …EFFFF: the 64 KiB below the limit is never usable (S-04)
      expect((geometry.highestUserAddress + 1) % 0x10000).toBe(0);
    }
  });

  it('has the highest user addresses of S-03', () => {
    expect(GEOMETRIES.x86.highestUserAddress).toBe(0x7ffeffff);
    expect(GEOMETRIES['x86-laa'].highestUserAddress).toBe(0xbffeffff);
    expect(GEOMETRIES.wow64.highestUserAddress).toBe(0xfffeffff);
    expect(GEOMETRIES.x64.highestUserAddress).toBe(0x7ffffffeffff);
    expect(GEOMETRIES.arm64.highestUserAddress).toBe(0x7ffffffeffff);
    expect(GEOMETRIES.ia64.highestUserAddress).toBe(7152 * 2 ** 30 - 0x10000 - 1);
  });

  it('reports architectures as GetSystemInfo does (S-05: INTEL under WOW64)', () => {
    expect(GEOMETRIES.x86.processorArchitecture).toBe(PROCESSOR_ARCHITECTURE_INTEL);
    expect(GEOMETRIES.wow64.processorArchitecture).toBe(PROCESSOR_ARCHITECTURE_INTEL);
    expect(GEOMETRIES.wow64.nativeProcessorArchitecture).toBe(PROCESSOR_ARCHITECTURE_AMD64);
    expect(GEOMETRIES.x64.processorArchitecture).toBe(PROCESSOR_ARCHITECTURE_AMD64);
    expect(GEOMETRIES.arm64.processorArchitecture).toBe(PROCESSOR_ARCHITECTURE_ARM64);
    expect(GEOMETRIES.ia64.processorArchitecture).toBe(PROCESSOR_ARCHITECTURE_IA64);
  });

  it('has large-page minimums, pointer sizes and heap numbers', () => {
    expect(GEOMETRIES.x86.largePageMinimum).toBe(0x200000);
    expect(GEOMETRIES.x64.largePageMinimum).toBe(0x200000);
    expect(GEOMETRIES.ia64.largePageMinimum).toBe(0x1000000);
    expect(GEOMETRIES.x86.pointerSize).toBe(4);
    expect(GEOMETRIES.wow64.pointerSize).toBe(4);
    expect(GEOMETRIES.x64.pointerSize).toBe(8);
    expect(GEOMETRIES.x86.heapGranularity).toBe(8);
    expect(GEOMETRIES.x64.heapGranularity).toBe(16);
    expect(GEOMETRIES.x86.heapLargeBlockThreshold).toBe(0x7f000);
    expect(GEOMETRIES.x64.heapLargeBlockThreshold).toBe(0xff000);
    expect(GEOMETRIES.x86.memoryBasicInformationSize).toBe(28);
    expect(GEOMETRIES.x64.memoryBasicInformationSize).toBe(48);
    expect(GEOMETRIES.x64.pageTableLevels).toBe(4);
    expect(GEOMETRIES.x86.pageTableLevels).toBe(3);
  });

  it('turns DEP on by default for 64-bit processes only', () => {
    expect(GEOMETRIES.x64.depDefault).toBe(true);
    expect(GEOMETRIES.ia64.depDefault).toBe(true);
    expect(GEOMETRIES.x86.depDefault).toBe(false);
  });
});

describe('resolveGeometry', () => {
  it('resolves names and defaults to x64', () => {
    expect(resolveGeometry('wow64')).toBe(GEOMETRIES.wow64);
    expect(resolveGeometry()).toBe(GEOMETRIES.x64);
  });

  it('rejects unknown names with ERROR_INVALID_PARAMETER', () => {
    expect(() => resolveGeometry('pdp11')).toThrow(MemError);
    try {
      resolveGeometry('pdp11');
    } catch (error) {
      expect((error as MemError).code).toBe(87);
    }
  });

  it('completes a custom object from the template of its pointer size', () => {
    const custom = resolveGeometry({ name: 'small', pointerSize: 4, highestUserAddress: 0x0fffffff });
    expect(custom.pageSize).toBe(4096);
    expect(custom.highestUserAddress).toBe(0x0fffffff);
    expect(custom.heapGranularity).toBe(8);
    expect(custom.memoryBasicInformationSize).toBe(28);
  });

  const badGeometries: Partial<Geometry>[] = [
    { pageSize: 3000 },
    { pageSize: 2048 },
    { allocationGranularity: 0x3000 },
    { lowestUserAddress: 0x1000 },
    { highestUserAddress: 0x7fff0000 },
    { pointerSize: 4, highestUserAddress: 2 ** 33 - 1 },
    { largePageMinimum: 0x1000 },
    { pointerSize: 2 as 4 },
  ];
  it.each(badGeometries)('rejects inconsistent custom geometry %o', (bad) => {
    expect(() => resolveGeometry(bad)).toThrow(MemError);
  });
});

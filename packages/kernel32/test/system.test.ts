// Conformance: system parameters (spec §3: S-01..S-07), memory status (§17: MS-001..MS-003),
// GetLastError/SetLastError and GetLargePageMinimum, on every geometry.
import { describe, expect, it } from 'vitest';
import {
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  MEM_COMMIT,
  MEM_RELEASE,
  MEM_RESERVE,
  PAGE_READWRITE,
  PROCESSOR_ARCHITECTURE_AMD64,
  PROCESSOR_ARCHITECTURE_ARM64,
  PROCESSOR_ARCHITECTURE_IA64,
  PROCESSOR_ARCHITECTURE_INTEL,
} from '../src/index';
import { ALL_GEOMETRIES, type GeometryName, SENTINEL, attempt, kernel } from './support';

type Info = Record<string, number>;

const expected: Record<
  GeometryName,
  { arch: number; native: number; page: number; max: number; totalVirtual: number; largePage: number; size: number }
> = {
  x86: { arch: PROCESSOR_ARCHITECTURE_INTEL, native: PROCESSOR_ARCHITECTURE_INTEL, page: 4096, max: 0x7ffeffff, totalVirtual: 0x7ffe0000, largePage: 0x200000, size: 28 },
  'x86-laa': { arch: PROCESSOR_ARCHITECTURE_INTEL, native: PROCESSOR_ARCHITECTURE_INTEL, page: 4096, max: 0xbffeffff, totalVirtual: 0xbffe0000, largePage: 0x200000, size: 28 },
  wow64: { arch: PROCESSOR_ARCHITECTURE_INTEL, native: PROCESSOR_ARCHITECTURE_AMD64, page: 4096, max: 0xfffeffff, totalVirtual: 0xfffe0000, largePage: 0x200000, size: 28 },
  x64: { arch: PROCESSOR_ARCHITECTURE_AMD64, native: PROCESSOR_ARCHITECTURE_AMD64, page: 4096, max: 0x7ffffffeffff, totalVirtual: 0x7ffffffe0000, largePage: 0x200000, size: 48 },
  arm64: { arch: PROCESSOR_ARCHITECTURE_ARM64, native: PROCESSOR_ARCHITECTURE_ARM64, page: 4096, max: 0x7ffffffeffff, totalVirtual: 0x7ffffffe0000, largePage: 0x200000, size: 48 },
  ia64: { arch: PROCESSOR_ARCHITECTURE_IA64, native: PROCESSOR_ARCHITECTURE_IA64, page: 8192, max: 0x6fbfffeffff, totalVirtual: 0x6fbfffe0000, largePage: 0x1000000, size: 48 },
};

describe.each(ALL_GEOMETRIES)('system parameters on %s', (geometry) => {
  const want = expected[geometry];

  it('S-01 page size and allocation granularity', () => {
    const k = kernel(geometry);
    const si: Info = {};
    k.GetSystemInfo(si);
    expect(si.dwPageSize).toBe(want.page);
    expect(si.dwAllocationGranularity).toBe(0x10000);
  });

  it('S-02 lpMinimumApplicationAddress is 0x10000', () => {
    const si: Info = {};
    kernel(geometry).GetSystemInfo(si);
    expect(si.lpMinimumApplicationAddress).toBe(0x10000);
  });

  it('S-03 lpMaximumApplicationAddress per process kind', () => {
    const si: Info = {};
    kernel(geometry).GetSystemInfo(si);
    expect(si.lpMaximumApplicationAddress).toBe(want.max);
  });

  it('S-04 the 64 KiB below the user limit cannot be allocated; the maximum ends in ...EFFFF', () => {
    const k = kernel(geometry);
    expect((want.max + 1) % 0x10000).toBe(0);
    expect(want.max % 0x100000).toBe(0xeffff);
    const [p, error] = attempt(k, () => k.VirtualAlloc(want.max + 1, 0x10000, MEM_RESERVE, PAGE_READWRITE));
    expect(p).toBe(0);
    expect(error).toBe(ERROR_INVALID_PARAMETER);
    // the last granule below the limit is usable
    const last = want.max + 1 - 0x10000;
    expect(k.VirtualAlloc(last, 0x10000, MEM_RESERVE, PAGE_READWRITE)).toBe(last);
    // and a reservation running past the limit is refused
    const [q, error2] = attempt(k, () => k.VirtualAlloc(last, 0x20000, MEM_RESERVE, PAGE_READWRITE));
    expect(q).toBe(0);
    expect(error2).toBe(ERROR_INVALID_PARAMETER);
  });

  it('S-05 wProcessorArchitecture as the process sees it; the native query the machine', () => {
    const k = kernel(geometry);
    const si: Info = {};
    const native: Info = {};
    k.GetSystemInfo(si);
    k.GetNativeSystemInfo(native);
    expect(si.wProcessorArchitecture).toBe(want.arch);
    expect(native.wProcessorArchitecture).toBe(want.native);
    expect(native.dwPageSize).toBe(want.page);
  });

  it('S-06 GetLargePageMinimum', () => {
    const k = kernel(geometry);
    const [size, error] = attempt(k, () => k.GetLargePageMinimum());
    expect(size).toBe(want.largePage);
    expect(error).toBe(SENTINEL);
  });

  it('S-07 / MS-002 ullTotalVirtual = highest - lowest + 1', () => {
    const ms: Info = { dwLength: 64 };
    expect(kernel(geometry).GlobalMemoryStatusEx(ms)).toBe(true);
    expect(ms.ullTotalVirtual).toBe(want.totalVirtual);
  });

  it('SYSTEM_INFO: processors, mask, type and level are consistent', () => {
    const si: Info = {};
    kernel(geometry).GetSystemInfo(si);
    const count = si.dwNumberOfProcessors ?? 0;
    expect(count).toBeGreaterThanOrEqual(1);
    expect(si.dwActiveProcessorMask).toBe(2 ** count - 1);
    expect(si.wReserved).toBe(0);
    // PROCESSOR_INTEL_PENTIUM, PROCESSOR_AMD_X8664, PROCESSOR_INTEL_IA64 (ARM64 has no such value to check)
    const types: Record<number, number> = {
      [PROCESSOR_ARCHITECTURE_INTEL]: 586,
      [PROCESSOR_ARCHITECTURE_AMD64]: 8664,
      [PROCESSOR_ARCHITECTURE_IA64]: 2200,
    };
    if (want.arch !== PROCESSOR_ARCHITECTURE_ARM64) expect(si.dwProcessorType).toBe(types[want.arch]);
    expect(typeof si.wProcessorLevel).toBe('number');
    expect(typeof si.wProcessorRevision).toBe('number');
  });

  it('GetSystemInfo leaves the last error alone; a NULL structure is ignored', () => {
    const k = kernel(geometry);
    const [, error] = attempt(k, () => k.GetSystemInfo({}));
    expect(error).toBe(SENTINEL);
    const [, nullError] = attempt(k, () => {
      k.GetSystemInfo(undefined);
      k.GetNativeSystemInfo(undefined);
    });
    expect(nullError).toBe(SENTINEL);
  });
});

describe('MS-001 GlobalMemoryStatusEx dwLength', () => {
  it.each([0, 63, 65, 32, 56, 0xffffffff])('dwLength %d → FALSE, ERROR_INVALID_PARAMETER, nothing filled', (length) => {
    const k = kernel('x64');
    const ms: Info = { dwLength: length };
    const [ok, error] = attempt(k, () => k.GlobalMemoryStatusEx(ms));
    expect(ok).toBe(false);
    expect(error).toBe(ERROR_INVALID_PARAMETER);
    expect(Object.keys(ms)).toEqual(['dwLength']);
  });

  it('dwLength missing → FALSE, ERROR_INVALID_PARAMETER', () => {
    const k = kernel('x86');
    const ms: Info = {};
    const [ok, error] = attempt(k, () => k.GlobalMemoryStatusEx(ms));
    expect(ok).toBe(false);
    expect(error).toBe(ERROR_INVALID_PARAMETER);
  });

  it('NULL buffer → FALSE, ERROR_NOACCESS (no throw)', () => {
    const k = kernel('x64');
    const [ok, error] = attempt(k, () => k.GlobalMemoryStatusEx(undefined));
    expect(ok).toBe(false);
    expect(error).toBe(ERROR_NOACCESS);
  });

  it('dwLength 64 → TRUE, last error unchanged', () => {
    const k = kernel('x86');
    const ms: Info = { dwLength: 64 };
    const [ok, error] = attempt(k, () => k.GlobalMemoryStatusEx(ms));
    expect(ok).toBe(true);
    expect(error).toBe(SENTINEL);
  });
});

describe.each(ALL_GEOMETRIES)('MS-002 GlobalMemoryStatusEx relations on %s', (geometry) => {
  const MiB = 1024 * 1024;

  it('physical, commit and virtual figures follow the machine', () => {
    const k = kernel(geometry, { physicalMemory: 256 * MiB, pagingFile: 128 * MiB });
    const ms: Info = { dwLength: 64 };
    expect(k.GlobalMemoryStatusEx(ms)).toBe(true);
    const total = ms.ullTotalPhys ?? 0;
    const avail = ms.ullAvailPhys ?? 0;
    expect(total).toBe(256 * MiB);
    expect(avail).toBeLessThanOrEqual(total);
    expect(ms.dwMemoryLoad).toBe(Math.floor((total - avail) / Math.floor(total / 100)));
    expect(ms.ullTotalPageFile).toBe(384 * MiB);
    expect(ms.ullAvailPageFile ?? 0).toBeLessThanOrEqual(384 * MiB);
    expect(ms.ullAvailVirtual ?? 0).toBeLessThanOrEqual(ms.ullTotalVirtual ?? 0);
    expect(ms.ullAvailExtendedVirtual).toBe(0);
    expect(ms.ullTotalPageFile ?? 0).toBeGreaterThanOrEqual(total);
  });

  it('committing charges AvailPageFile; reserving lowers AvailVirtual; touching lowers AvailPhys', () => {
    const k = kernel(geometry, { physicalMemory: 256 * MiB, pagingFile: 128 * MiB });
    const before: Info = { dwLength: 64 };
    k.GlobalMemoryStatusEx(before);
    const size = 0x100000;
    const reserved = k.VirtualAlloc(0, 4 * size, MEM_RESERVE, PAGE_READWRITE);
    expect(reserved).not.toBe(0);
    const afterReserve: Info = { dwLength: 64 };
    k.GlobalMemoryStatusEx(afterReserve);
    expect(afterReserve.ullAvailVirtual).toBe((before.ullAvailVirtual ?? 0) - 4 * size);
    expect(afterReserve.ullAvailPageFile).toBe(before.ullAvailPageFile);

    expect(k.VirtualAlloc(reserved, size, MEM_COMMIT, PAGE_READWRITE)).toBe(reserved);
    const afterCommit: Info = { dwLength: 64 };
    k.GlobalMemoryStatusEx(afterCommit);
    expect(afterCommit.ullAvailPageFile).toBe((before.ullAvailPageFile ?? 0) - size);
    expect(afterCommit.ullAvailVirtual).toBe(afterReserve.ullAvailVirtual);
    expect(afterCommit.ullAvailPhys).toBe(before.ullAvailPhys); // demand-zero: no frame yet

    const page = k.process.geometry.pageSize;
    for (let offset = 0; offset < size; offset += page) k.mem.setUint8(reserved + offset, 1);
    const afterTouch: Info = { dwLength: 64 };
    k.GlobalMemoryStatusEx(afterTouch);
    expect(afterTouch.ullAvailPhys).toBe((before.ullAvailPhys ?? 0) - size);

    expect(k.VirtualFree(reserved, 0, MEM_RELEASE)).toBe(true);
    const afterFree: Info = { dwLength: 64 };
    k.GlobalMemoryStatusEx(afterFree);
    expect(afterFree.ullAvailPageFile).toBe(before.ullAvailPageFile);
    expect(afterFree.ullAvailVirtual).toBe(before.ullAvailVirtual);
    expect(afterFree.ullAvailPhys).toBe(before.ullAvailPhys);
  });
});

describe('MS-003 legacy GlobalMemoryStatus', () => {
  const GiB = 1024 * 1024 * 1024;

  it('ignores dwLength, fills it, leaves the last error, matches the Ex figures', () => {
    for (const geometry of ['x86', 'x64'] as const) {
      const k = kernel(geometry);
      const ms: Info = { dwLength: 0 };
      const [, error] = attempt(k, () => k.GlobalMemoryStatus(ms));
      expect(error).toBe(SENTINEL);
      expect(ms.dwLength).toBe(geometry === 'x86' ? 32 : 56);
      const ex: Info = { dwLength: 64 };
      k.GlobalMemoryStatusEx(ex);
      expect(ms.dwMemoryLoad).toBe(ex.dwMemoryLoad);
      expect(ms.dwTotalVirtual).toBe(ex.ullTotalVirtual);
      expect(ms.dwAvailVirtual).toBe(ex.ullAvailVirtual);
      expect(ms.dwTotalPhys).toBe(ex.ullTotalPhys);
    }
  });

  it('clamps physical figures to 0x7FFFFFFF and page-file figures to 0xFFFFFFFF for a 32-bit process', () => {
    const k = kernel('x86', { physicalMemory: 3 * GiB, pagingFile: 3 * GiB });
    const ms: Info = {};
    k.GlobalMemoryStatus(ms);
    expect(ms.dwTotalPhys).toBe(0x7fffffff);
    expect(ms.dwAvailPhys).toBe(0x7fffffff);
    expect(ms.dwTotalPageFile).toBe(0xffffffff);
    expect(ms.dwAvailPageFile).toBe(0xffffffff);
    const ex: Info = { dwLength: 64 };
    k.GlobalMemoryStatusEx(ex);
    expect(ex.ullTotalPhys).toBe(3 * GiB);
    expect(ex.ullTotalPageFile).toBe(6 * GiB);
  });

  it('does not clamp on x64', () => {
    const k = kernel('x64', { physicalMemory: 3 * GiB, pagingFile: 3 * GiB });
    const ms: Info = {};
    k.GlobalMemoryStatus(ms);
    expect(ms.dwTotalPhys).toBe(3 * GiB);
    expect(ms.dwTotalPageFile).toBe(6 * GiB);
  });

  it('NULL buffer does nothing and does not throw', () => {
    const k = kernel('x64');
    const [, error] = attempt(k, () => k.GlobalMemoryStatus(undefined));
    expect(error).toBe(SENTINEL);
  });
});

describe('MS-004 GetPhysicallyInstalledSystemMemory', () => {
  it('NULL → FALSE, ERROR_INVALID_PARAMETER; otherwise the RAM in KiB, at least ullTotalPhys / 1024', () => {
    const k = kernel('x64', { physicalMemory: 3 * 1024 * 1024 * 1024 });
    const [ok, error] = attempt(k, () => k.GetPhysicallyInstalledSystemMemory(undefined));
    expect(ok).toBe(false);
    expect(error).toBe(ERROR_INVALID_PARAMETER);
    const kib = { value: 0 };
    const [done, lastError] = attempt(k, () => k.GetPhysicallyInstalledSystemMemory(kib));
    expect(done).toBe(true);
    expect(lastError).toBe(SENTINEL);
    const ms: Info = { dwLength: 64 };
    k.GlobalMemoryStatusEx(ms);
    expect(kib.value).toBeGreaterThanOrEqual((ms.ullTotalPhys ?? 0) / 1024);
    expect(kib.value).toBe(3 * 1024 * 1024);
  });
});

describe('GetLastError / SetLastError', () => {
  it('round-trips any DWORD, unsigned, per process', () => {
    const system = kernel('x64');
    system.SetLastError(0xc0000005);
    expect(system.GetLastError()).toBe(0xc0000005);
    system.SetLastError(-1);
    expect(system.GetLastError()).toBe(0xffffffff);
    system.SetLastError(0);
    expect(system.GetLastError()).toBe(0);
  });

  it('each process has its own last error', () => {
    const k1 = kernel('x64');
    const k2 = k1.system.createProcess();
    k1.SetLastError(5);
    k2.SetLastError(6);
    expect(k1.GetLastError()).toBe(5);
    expect(k2.GetLastError()).toBe(6);
  });
});

// AWE, NUMA and large pages through a Kernel32 (owned by the @mem/awe helper): the Win32 calls a C
// program makes, with GlobalMemoryStatusEx read through the same `k` after every step to check
// that RAM and commit stay exact (AWE frames: charged once, nonpaged, never in the working set).
import { describe, expect, it } from 'vitest';
import {
  createSystem,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_PARAMETER,
  ERROR_PRIVILEGE_NOT_HELD,
  type Kernel32,
  MEM_COMMIT,
  MEM_LARGE_PAGES,
  MEM_PHYSICAL,
  MEM_RELEASE,
  MEM_RESERVE,
  PAGE_READWRITE,
  PROCESS_VM_OPERATION,
} from '../src/index';
import { attempt, SENTINEL } from './support';

const PAGE = 0x1000;

function status(k: Kernel32): { availPhys: number; availPageFile: number } {
  const ms = { dwLength: 64 } as Record<string, number>;
  expect(k.GlobalMemoryStatusEx(ms)).toBe(true);
  return { availPhys: ms.ullAvailPhys as number, availPageFile: ms.ullAvailPageFile as number };
}

function privileged(options: Parameters<typeof createSystem>[0] = {}): Kernel32 {
  return createSystem({ physicalMemory: 32 << 20, ...options }).createProcess({ privileges: ['SeLockMemoryPrivilege'] });
}

describe('AWE through kernel32', () => {
  it('allocate, map, remap, scatter, free: data follows the frames and GlobalMemoryStatusEx stays exact', () => {
    const k = privileged();
    const before = status(k);
    const count = { value: 16 };
    const frames: number[] = [];
    expect(attempt(k, () => k.AllocateUserPhysicalPages(k.GetCurrentProcess(), count, frames))).toEqual([true, SENTINEL]);
    expect(count.value).toBe(16);
    const allocated = status(k);
    expect(allocated.availPhys).toBe(before.availPhys - 16 * PAGE);
    expect(allocated.availPageFile).toBe(before.availPageFile - 16 * PAGE);

    const window = k.VirtualAlloc(0, 4 * PAGE, MEM_RESERVE | MEM_PHYSICAL, PAGE_READWRITE);
    expect(window).not.toBe(0);
    const workingSet = k.process.addressSpace.workingSetPages;
    for (let first = 0; first < 16; first += 4) {
      expect(k.MapUserPhysicalPages(window, 4, frames.slice(first, first + 4))).toBe(true);
      for (let i = 0; i < 4; i++) k.mem.setUint32(window + i * PAGE, 100 + first + i);
      expect(status(k)).toEqual(allocated);
    }
    // every frame, shown again at the first window page, still holds its value
    for (let i = 15; i >= 0; i--) {
      expect(k.MapUserPhysicalPages(window, 4, undefined)).toBe(true);
      expect(k.MapUserPhysicalPagesScatter([window + 2 * PAGE], 1, frames.slice(i, i + 1))).toBe(true);
      expect(k.mem.getUint32(window + 2 * PAGE)).toBe(100 + i);
    }
    expect(status(k)).toEqual(allocated);
    expect(k.process.addressSpace.workingSetPages).toBe(workingSet);

    expect(attempt(k, () => k.FreeUserPhysicalPages(k.GetCurrentProcess(), count, frames))).toEqual([true, SENTINEL]);
    expect(() => k.mem.getUint32(window + 2 * PAGE)).toThrow();
    expect(k.VirtualFree(window, 0, MEM_RELEASE)).toBe(true);
    expect(status(k)).toEqual(before);
  });

  it('the AWE working set stays untouched by mapping', () => {
    const k = privileged();
    const frames: number[] = [];
    k.AllocateUserPhysicalPages(k.GetCurrentProcess(), { value: 8 }, frames);
    const window = k.VirtualAlloc(0, 8 * PAGE, MEM_RESERVE | MEM_PHYSICAL, PAGE_READWRITE);
    const workingSet = k.process.addressSpace.workingSetPages;
    k.MapUserPhysicalPages(window, 8, frames);
    for (let i = 0; i < 8; i++) k.mem.setUint8(window + i * PAGE, i);
    expect(k.process.addressSpace.workingSetPages).toBe(workingSet);
  });

  it('errors: privilege, frames of another process, frame shown twice', () => {
    const system = createSystem({ physicalMemory: 32 << 20 });
    const plain = system.createProcess();
    expect(attempt(plain, () => plain.AllocateUserPhysicalPages(plain.GetCurrentProcess(), { value: 1 }, []))).toEqual([false, ERROR_PRIVILEGE_NOT_HELD]);
    const a = system.createProcess({ privileges: ['SeLockMemoryPrivilege'] });
    const b = system.createProcess({ privileges: ['SeLockMemoryPrivilege'] });
    const framesA: number[] = [];
    const framesB: number[] = [];
    a.AllocateUserPhysicalPages(a.GetCurrentProcess(), { value: 2 }, framesA);
    b.AllocateUserPhysicalPages(b.GetCurrentProcess(), { value: 1 }, framesB);
    const window = a.VirtualAlloc(0, 2 * PAGE, MEM_RESERVE | MEM_PHYSICAL, PAGE_READWRITE);
    expect(attempt(a, () => a.MapUserPhysicalPages(window, 1, framesB))).toEqual([false, ERROR_INVALID_ADDRESS]);
    expect(a.MapUserPhysicalPages(window, 1, framesA.slice(0, 1))).toBe(true);
    expect(attempt(a, () => a.MapUserPhysicalPages(window + PAGE, 1, framesA.slice(0, 1)))).toEqual([false, ERROR_INVALID_PARAMETER]);
  });

  it('another process allocates for a target through an OpenProcess handle with PROCESS_VM_OPERATION', () => {
    const system = createSystem({ physicalMemory: 32 << 20 });
    const target = system.createProcess();
    const caller = system.createProcess({ privileges: ['SeLockMemoryPrivilege'] });
    const handle = caller.OpenProcess(PROCESS_VM_OPERATION, false, target.GetCurrentProcessId());
    expect(handle).not.toBe(0);
    const frames: number[] = [];
    const count = { value: 3 };
    expect(attempt(caller, () => caller.AllocateUserPhysicalPages(handle, count, frames))).toEqual([true, SENTINEL]);
    // the frames are the target's: the target can free them, the caller cannot map them
    const window = caller.VirtualAlloc(0, PAGE, MEM_RESERVE | MEM_PHYSICAL, PAGE_READWRITE);
    expect(attempt(caller, () => caller.MapUserPhysicalPages(window, 1, frames))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(target.FreeUserPhysicalPages(target.GetCurrentProcess(), count, frames)).toBe(true);
  });
});

describe('NUMA and large pages through kernel32', () => {
  it('createSystem({ numaNodes }) is seen by GetNumaHighestNodeNumber and GetNumaAvailableMemoryNodeEx', () => {
    const k = privileged({ numaNodes: 4 });
    const highest = {};
    expect(k.GetNumaHighestNodeNumber(highest)).toBe(true);
    expect(highest).toEqual({ value: 3 });
    let total = 0;
    for (let node = 0; node < 4; node++) {
      const available = {} as { value?: number };
      expect(k.GetNumaAvailableMemoryNodeEx(node, available)).toBe(true);
      total += available.value as number;
    }
    expect(total).toBe(status(k).availPhys);
    const frames: number[] = [];
    const before = {} as { value?: number };
    k.GetNumaAvailableMemoryNodeEx(2, before);
    expect(k.AllocateUserPhysicalPagesNuma(k.GetCurrentProcess(), { value: 5 }, frames, 2)).toBe(true);
    const after = {} as { value?: number };
    k.GetNumaAvailableMemoryNodeEx(2, after);
    expect(after.value).toBe((before.value as number) - 5 * PAGE);
  });

  it('MEM_LARGE_PAGES: 2 MiB aligned, RAM taken at once, given back on release', () => {
    const k = privileged({ physicalMemory: 64 << 20 });
    const minimum = k.GetLargePageMinimum();
    const before = status(k);
    const base = k.VirtualAlloc(0, minimum, MEM_RESERVE | MEM_COMMIT | MEM_LARGE_PAGES, PAGE_READWRITE);
    expect(base % minimum).toBe(0);
    expect(status(k).availPhys).toBe(before.availPhys - minimum);
    expect(k.VirtualFree(base, 0, MEM_RELEASE)).toBe(true);
    expect(status(k)).toEqual(before);
  });
});

// Conformance of AllocateUserPhysicalPages(Numa) and FreeUserPhysicalPages: the
// privilege, the in-out count, reduction to what RAM holds, frames of another process, partial
// frees, and exact physical-memory accounting. Each call is made with the last error preset to a
// sentinel, as Wine's tests do, so an untouched last error is checked too.
import { CURRENT_PROCESS_HANDLE, PROCESS_QUERY_INFORMATION, PROCESS_VM_OPERATION } from '@mem/pages';
import { describe, expect, it } from 'vitest';
import {
  ERROR_ACCESS_DENIED,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  ERROR_NO_SYSTEM_RESOURCES,
  ERROR_PRIVILEGE_NOT_HELD,
  NUMA_NO_PREFERRED_NODE,
} from '../src/constants';
import { userPhysicalPagesOf } from '../src/user-physical-pages';
import { AllocateUserPhysicalPages, AllocateUserPhysicalPagesNuma, FreeUserPhysicalPages, MapUserPhysicalPages } from '../src/win32';
import { attempt, memoryStatus, PAGE, reserveWindow, SENTINEL, setup } from './support';

const SELF = CURRENT_PROCESS_HANDLE;

describe('AllocateUserPhysicalPages', () => {
  it('A-001 allocates distinct zeroed RAM frames and fills the array in place', () => {
    const { machine, process } = setup();
    const count = { value: 8 };
    const frames: number[] = [];
    const [ok, error] = attempt(process, () => AllocateUserPhysicalPages(process, SELF, count, frames));
    expect(ok).toBe(true);
    expect(error).toBe(SENTINEL);
    expect(count.value).toBe(8);
    expect(frames).toHaveLength(8);
    expect(new Set(frames).size).toBe(8);
    for (const frame of frames) {
      expect(frame).toBeGreaterThan(0);
      expect(frame).toBeLessThan(machine.physical.ramFrames);
      expect(machine.physical.bytesOf(frame).every((byte) => byte === 0)).toBe(true);
    }
  });

  it('A-001 without SeLockMemoryPrivilege fails with ERROR_PRIVILEGE_NOT_HELD and allocates nothing', () => {
    const { machine, process } = setup({}, false);
    const before = memoryStatus(machine);
    const count = { value: 4 };
    const frames: number[] = [];
    const [ok, error] = attempt(process, () => AllocateUserPhysicalPages(process, SELF, count, frames));
    expect(ok).toBe(false);
    expect(error).toBe(ERROR_PRIVILEGE_NOT_HELD);
    expect(count.value).toBe(4);
    expect(frames).toHaveLength(0);
    expect(memoryStatus(machine)).toEqual(before);
  });

  it('a request for 0 pages succeeds at once (even without the privilege) and changes nothing', () => {
    const { machine, process } = setup({}, false);
    const before = memoryStatus(machine);
    const count = { value: 0 };
    const [ok, error] = attempt(process, () => AllocateUserPhysicalPages(process, SELF, count, []));
    expect(ok).toBe(true);
    expect(error).toBe(SENTINEL);
    expect(count.value).toBe(0);
    expect(memoryStatus(machine)).toEqual(before);
  });

  it('reduces the count to what RAM still holds', () => {
    const { machine, process } = setup({ physicalMemory: 1 << 20 });
    const ram = machine.physical.ramFrames;
    const count = { value: ram + 100 };
    const frames: number[] = [];
    const [ok] = attempt(process, () => AllocateUserPhysicalPages(process, SELF, count, frames));
    expect(ok).toBe(true);
    // every RAM frame but frame 0 (never an AWE frame: a scatter array reads 0 as "unmap")
    expect(count.value).toBe(ram - 1);
    expect(frames).toHaveLength(ram - 1);
    expect(machine.physical.availablePhysical).toBe(PAGE);
  });

  it('with no frame left fails with ERROR_NO_SYSTEM_RESOURCES and leaves the count alone', () => {
    const { process } = setup({ physicalMemory: 1 << 20 });
    AllocateUserPhysicalPages(process, SELF, { value: 1 << 20 }, []);
    const count = { value: 3 };
    const frames: number[] = [];
    const [ok, error] = attempt(process, () => AllocateUserPhysicalPages(process, SELF, count, frames));
    expect(ok).toBe(false);
    expect(error).toBe(ERROR_NO_SYSTEM_RESOURCES);
    expect(count.value).toBe(3);
    expect(frames).toHaveLength(0);
  });

  it('rejects a NULL count or array (ERROR_NOACCESS) and a bad count (ERROR_INVALID_PARAMETER)', () => {
    const { machine, process } = setup();
    const before = memoryStatus(machine);
    expect(attempt(process, () => AllocateUserPhysicalPages(process, SELF, undefined, []))).toEqual([false, ERROR_NOACCESS]);
    expect(attempt(process, () => AllocateUserPhysicalPages(process, SELF, { value: 2 }, undefined))).toEqual([false, ERROR_NOACCESS]);
    expect(attempt(process, () => AllocateUserPhysicalPages(process, SELF, { value: -1 }, []))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => AllocateUserPhysicalPages(process, SELF, { value: 1.5 }, []))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => AllocateUserPhysicalPages(process, SELF, {}, []))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(memoryStatus(machine)).toEqual(before);
  });

  it('needs a process handle with PROCESS_VM_OPERATION', () => {
    const { machine, process } = setup();
    const other = machine.createProcess();
    const queryOnly = process.handles.insert('Process', other, PROCESS_QUERY_INFORMATION);
    const operate = process.handles.insert('Process', other, PROCESS_VM_OPERATION);
    expect(attempt(process, () => AllocateUserPhysicalPages(process, 0, { value: 1 }, []))).toEqual([false, ERROR_INVALID_HANDLE]);
    expect(attempt(process, () => AllocateUserPhysicalPages(process, queryOnly, { value: 1 }, []))).toEqual([false, ERROR_ACCESS_DENIED]);
    const frames: number[] = [];
    expect(attempt(process, () => AllocateUserPhysicalPages(process, operate, { value: 2 }, frames))).toEqual([true, SENTINEL]);
    // the frames belong to the target, not to the caller
    expect(userPhysicalPagesOf(other)?.pageCount).toBe(2);
    expect(userPhysicalPagesOf(process)).toBeUndefined();
  });

  it('charges commit and takes RAM exactly once per page; freeing gives both back', () => {
    const { machine, process } = setup();
    const before = memoryStatus(machine);
    const frames: number[] = [];
    AllocateUserPhysicalPages(process, SELF, { value: 10 }, frames);
    const during = memoryStatus(machine);
    expect(during.availPhys).toBe(before.availPhys - 10 * PAGE);
    expect(during.commitCharge).toBe(before.commitCharge + 10 * PAGE);
    expect(during.availPageFile).toBe(before.availPageFile - 10 * PAGE);
    expect(process.addressSpace.workingSetPages).toBe(0);
    expect(FreeUserPhysicalPages(process, SELF, { value: 10 }, frames)).toBe(true);
    expect(memoryStatus(machine)).toEqual(before);
  });
});

describe('process exit', () => {
  it('frees the physical pages of a process that ends, mapped or not', () => {
    const { machine, process } = setup();
    const survivor = machine.createProcess();
    const before = memoryStatus(machine);
    const frames: number[] = [];
    AllocateUserPhysicalPages(process, SELF, { value: 6 }, frames);
    const window = reserveWindow(process, 2);
    MapUserPhysicalPages(process, window, 2, frames.slice(0, 2));
    process.terminate();
    expect(memoryStatus(machine, survivor)).toEqual(before);
  });
});

describe('AllocateUserPhysicalPagesNuma', () => {
  it('takes frames from the preferred node first', () => {
    const { machine, process } = setup({ numaNodes: 4 });
    for (const node of [3, 1, 2]) {
      const frames: number[] = [];
      expect(AllocateUserPhysicalPagesNuma(process, SELF, { value: 16 }, frames, node)).toBe(true);
      for (const frame of frames) expect(machine.physical.nodeOf(frame)).toBe(node);
    }
  });

  it('spills to other nodes when the preferred one is full', () => {
    const { machine, process } = setup({ numaNodes: 2, physicalMemory: 1 << 20 });
    const perNode = machine.physical.ramFrames / 2;
    const frames: number[] = [];
    const count = { value: perNode + 10 };
    expect(AllocateUserPhysicalPagesNuma(process, SELF, count, frames, 1)).toBe(true);
    expect(count.value).toBe(perNode + 10);
    expect(frames.filter((frame) => machine.physical.nodeOf(frame) === 1)).toHaveLength(perNode);
  });

  it('rejects a node that does not exist; accepts NUMA_NO_PREFERRED_NODE', () => {
    const { process } = setup({ numaNodes: 2 });
    expect(attempt(process, () => AllocateUserPhysicalPagesNuma(process, SELF, { value: 1 }, [], 2))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => AllocateUserPhysicalPagesNuma(process, SELF, { value: 1 }, [], -1))).toEqual([false, ERROR_INVALID_PARAMETER]);
    const count = { value: 1 };
    expect(attempt(process, () => AllocateUserPhysicalPagesNuma(process, SELF, count, [], NUMA_NO_PREFERRED_NODE))).toEqual([true, SENTINEL]);
    expect(count.value).toBe(1);
  });
});

describe('FreeUserPhysicalPages', () => {
  it('A-004 frees the frames: they can no longer be freed or mapped', () => {
    const { process } = setup();
    const frames: number[] = [];
    AllocateUserPhysicalPages(process, SELF, { value: 3 }, frames);
    const count = { value: 3 };
    expect(attempt(process, () => FreeUserPhysicalPages(process, SELF, count, frames))).toEqual([true, SENTINEL]);
    expect(count.value).toBe(3);
    const again = { value: 1 };
    expect(attempt(process, () => FreeUserPhysicalPages(process, SELF, again, frames))).toEqual([false, ERROR_INVALID_ADDRESS]);
    expect(again.value).toBe(0);
  });

  it('A-004 stops at the first frame the process does not own and reports how many it freed', () => {
    const { machine, process } = setup();
    const frames: number[] = [];
    AllocateUserPhysicalPages(process, SELF, { value: 4 }, frames);
    const before = memoryStatus(machine);
    const mixed = [frames[0] as number, frames[1] as number, 999_999, frames[2] as number];
    const count = { value: 4 };
    expect(attempt(process, () => FreeUserPhysicalPages(process, SELF, count, mixed))).toEqual([false, ERROR_INVALID_ADDRESS]);
    expect(count.value).toBe(2);
    const state = userPhysicalPagesOf(process);
    expect(state?.owns(frames[0] as number)).toBe(false);
    expect(state?.owns(frames[2] as number)).toBe(true);
    expect(state?.owns(frames[3] as number)).toBe(true);
    expect(memoryStatus(machine).availPhys).toBe(before.availPhys + 2 * PAGE);
  });

  it('a frame named twice is freed once, then refused', () => {
    const { process } = setup();
    const frames: number[] = [];
    AllocateUserPhysicalPages(process, SELF, { value: 2 }, frames);
    const count = { value: 3 };
    const twice = [frames[0] as number, frames[1] as number, frames[0] as number];
    expect(attempt(process, () => FreeUserPhysicalPages(process, SELF, count, twice))).toEqual([false, ERROR_INVALID_ADDRESS]);
    expect(count.value).toBe(2);
    expect(userPhysicalPagesOf(process)?.pageCount).toBe(0);
  });

  it('refuses frames of another process (ERROR_INVALID_ADDRESS) and leaves them to their owner', () => {
    const { machine, process } = setup();
    const other = machine.createProcess({ privileges: ['SeLockMemoryPrivilege'] });
    const mine: number[] = [];
    const theirs: number[] = [];
    AllocateUserPhysicalPages(process, SELF, { value: 1 }, mine);
    AllocateUserPhysicalPages(other, SELF, { value: 1 }, theirs);
    const count = { value: 1 };
    expect(attempt(process, () => FreeUserPhysicalPages(process, SELF, count, theirs))).toEqual([false, ERROR_INVALID_ADDRESS]);
    expect(count.value).toBe(0);
    expect(userPhysicalPagesOf(other)?.owns(theirs[0] as number)).toBe(true);
  });

  it('a count of 0 fails with ERROR_INVALID_PARAMETER; NULL count or short array: ERROR_NOACCESS', () => {
    const { process } = setup();
    const frames: number[] = [];
    AllocateUserPhysicalPages(process, SELF, { value: 2 }, frames);
    const zero = { value: 0 };
    expect(attempt(process, () => FreeUserPhysicalPages(process, SELF, zero, frames))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(zero.value).toBe(0);
    expect(attempt(process, () => FreeUserPhysicalPages(process, SELF, undefined, frames))).toEqual([false, ERROR_NOACCESS]);
    const long = { value: 5 };
    expect(attempt(process, () => FreeUserPhysicalPages(process, SELF, long, frames))).toEqual([false, ERROR_NOACCESS]);
    expect(long.value).toBe(0);
    expect(userPhysicalPagesOf(process)?.pageCount).toBe(2);
  });

  it('a process that never allocated physical pages: ERROR_INVALID_PARAMETER', () => {
    const { process } = setup();
    const count = { value: 1 };
    expect(attempt(process, () => FreeUserPhysicalPages(process, SELF, count, [5]))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(count.value).toBe(0);
  });
});

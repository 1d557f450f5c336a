import { describe, expect, it } from 'vitest';
import {
  CURRENT_PROCESS_HANDLE,
  ERROR_ACCESS_DENIED,
  ERROR_INVALID_HANDLE,
  HANDLE_TYPE_PROCESS,
  HandleTable,
  MemError,
  PROCESS_ALL_ACCESS,
  PROCESS_QUERY_INFORMATION,
  PROCESS_QUERY_LIMITED_INFORMATION,
  PROCESS_VM_OPERATION,
  PROCESS_VM_READ,
  SE_LOCK_MEMORY_NAME,
  createMachine,
  resolveProcessHandle,
  toWin32,
} from '../src/index';
import { expectCode } from './helpers';

describe('Machine', () => {
  it('defaults to x64 with 1 GiB RAM and 1 GiB paging file', () => {
    const machine = createMachine();
    expect(machine.geometry.name).toBe('x64');
    expect(machine.physical.totalPhysical).toBe(2 ** 30);
    expect(machine.physical.commitLimit).toBe(2 ** 31);
  });

  it('gives processes pids that are multiples of 4 and finds them', () => {
    const machine = createMachine({ geometry: 'x86' });
    const first = machine.createProcess({ name: 'a' });
    const second = machine.createProcess({ name: 'b', privileges: [SE_LOCK_MEMORY_NAME] });
    expect(first.pid % 4).toBe(0);
    expect(second.pid).toBe(first.pid + 4);
    expect(machine.process(second.pid)).toBe(second);
    expect(machine.processes()).toEqual([first, second]);
    expect(second.hasPrivilege(SE_LOCK_MEMORY_NAME)).toBe(true);
    expect(first.hasPrivilege(SE_LOCK_MEMORY_NAME)).toBe(false);
    expect(first.name).toBe('a');
    expect(first.geometry).toBe(machine.geometry);
  });

  it('shares physical memory and commit between processes; terminate gives it back', () => {
    const machine = createMachine({ geometry: 'x64', physicalMemory: 1 << 24, pagingFile: 0 });
    const first = machine.createProcess();
    const second = machine.createProcess();
    const a = first.addressSpace.allocate(0, 0x800000);
    second.addressSpace.allocate(0, 0x800000);
    expect(machine.physical.commitChargePages).toBe(4096);
    first.mem.setUint8(a, 1);
    expect(() => second.addressSpace.allocate(0, 0x1000)).toThrow(MemError);
    first.terminate();
    expect(first.alive).toBe(false);
    expect(machine.process(first.pid)).toBeUndefined();
    expect(machine.physical.commitChargePages).toBe(2048);
    expect(machine.physical.framesInUse).toBe(0);
    second.addressSpace.allocate(0, 0x1000);
  });

  it('has DEP on for 64-bit processes (permanent) and off by default for 32-bit ones', () => {
    expect(createMachine({ geometry: 'x64' }).createProcess().depEnabled).toBe(true);
    expect(createMachine({ geometry: 'x64' }).createProcess().depPermanent).toBe(true);
    expect(createMachine({ geometry: 'wow64' }).createProcess().depEnabled).toBe(false);
    expect(createMachine({ geometry: 'x86' }).createProcess({ dep: true }).depEnabled).toBe(true);
  });
});

describe('HandleTable', () => {
  it('hands out multiples of 4 from 4, checks types, closes and reuses', () => {
    const table = new HandleTable();
    const closed: unknown[] = [];
    const a = table.insert('Section', { id: 1 }, 0xf001f, (entry) => closed.push(entry.object));
    const b = table.insert('File', { id: 2 }, 0x80000000);
    expect(a).toBe(4);
    expect(b).toBe(8);
    expect(table.get(a)?.type).toBe('Section');
    expect(table.get(a, 'File')).toBeUndefined();
    expect(table.get(b)?.access).toBe(0x80000000);
    expect(table.get(5)).toBeUndefined();
    expect(table.get(0)).toBeUndefined();
    expect(table.get(-1)).toBeUndefined();
    const dup = table.duplicate(a, 4);
    expect(dup).toBe(12);
    expect(table.get(dup)?.object).toBe(table.get(a)?.object);
    expect(table.count).toBe(3);
    expect(table.close(a)?.type).toBe('Section');
    expect(closed).toEqual([{ id: 1 }]);
    expect(table.close(a)).toBeUndefined();
    expect(table.insert('Event', {}, 0)).toBe(4);
    expect([...table].map(([handle]) => handle)).toEqual([4, 8, 12]);
    expect(table.duplicate(100)).toBe(0);
  });
});

describe('process handles', () => {
  it('resolve the pseudo-handle and check access masks', () => {
    const machine = createMachine();
    const caller = machine.createProcess();
    const target = machine.createProcess();
    expect(resolveProcessHandle(caller, CURRENT_PROCESS_HANDLE, PROCESS_VM_OPERATION)).toBe(caller);
    const readOnly = caller.handles.insert(HANDLE_TYPE_PROCESS, target, PROCESS_VM_READ);
    const all = caller.handles.insert(HANDLE_TYPE_PROCESS, target, PROCESS_ALL_ACCESS);
    const limited = caller.handles.insert(HANDLE_TYPE_PROCESS, target, PROCESS_QUERY_LIMITED_INFORMATION);
    expect(resolveProcessHandle(caller, readOnly, PROCESS_VM_READ)).toBe(target);
    expectCode(() => resolveProcessHandle(caller, readOnly, PROCESS_VM_OPERATION), ERROR_ACCESS_DENIED);
    expect(resolveProcessHandle(caller, all, PROCESS_VM_OPERATION | PROCESS_VM_READ)).toBe(target);
    const query = PROCESS_QUERY_INFORMATION | PROCESS_QUERY_LIMITED_INFORMATION;
    expect(resolveProcessHandle(caller, limited, 0, query)).toBe(target);
    expectCode(() => resolveProcessHandle(caller, readOnly, 0, query), ERROR_ACCESS_DENIED);
    expectCode(() => resolveProcessHandle(caller, 0, PROCESS_VM_READ), ERROR_INVALID_HANDLE);
    const file = caller.handles.insert('File', {}, PROCESS_ALL_ACCESS);
    expectCode(() => resolveProcessHandle(caller, file, PROCESS_VM_READ), ERROR_INVALID_HANDLE);
    target.terminate();
    expectCode(() => resolveProcessHandle(caller, all, PROCESS_VM_READ), ERROR_ACCESS_DENIED);
  });
});

describe('toWin32', () => {
  it('turns a MemError into the last error and the failure value; rethrows anything else', () => {
    const process = createMachine().createProcess();
    expect(toWin32(process, new MemError(87), 0)).toBe(0);
    expect(process.lastError).toBe(87);
    expect(() => toWin32(process, new TypeError('bug'), false)).toThrow(TypeError);
    expect(process.lastError).toBe(87);
  });
});

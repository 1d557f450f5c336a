// createSystem and the Kernel32 object: options, defaults, the binding of every door to its
// process, and the CONTRACT example verbatim.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  DOORS,
  ERROR_INVALID_PARAMETER,
  MEM_COMMIT,
  MEM_RESERVE,
  PAGE_READWRITE,
  createSystem,
  duplicateDoorNames,
  isMemError,
} from '../src/index';
import { query } from './support';

const GiB = 1024 * 1024 * 1024;

describe('createSystem', () => {
  it('the CONTRACT example works verbatim', () => {
    const system = createSystem({ geometry: 'x64' }); // one simulated machine
    const k = system.createProcess(); // a process, seen through its kernel32
    const p = k.VirtualAlloc(0, 0x10000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    if (p === 0) throw new Error(`VirtualAlloc failed: ${k.GetLastError()}`);
    k.mem.setUint32(p, 0xdeadbeef);
    expect(k.mem.getUint32(p)).toBe(0xdeadbeef);
  });

  it('defaults: x64, 1 GiB RAM, 1 GiB paging file, lfh heaps', () => {
    const system = createSystem();
    const k = system.createProcess();
    const si: Record<string, number> = {};
    k.GetSystemInfo(si);
    expect(si.lpMaximumApplicationAddress).toBe(0x7ffffffeffff);
    const ms: Record<string, number> = { dwLength: 64 };
    expect(k.GlobalMemoryStatusEx(ms)).toBe(true);
    expect(ms.ullTotalPhys).toBe(GiB);
    expect(ms.ullTotalPageFile).toBe(2 * GiB);
    expect(system.heapStrategy).toBe('lfh');
  });

  it('options reach the machine: RAM, paging file, NUMA nodes, heap strategy, geometry object', () => {
    const system = createSystem({
      geometry: { pointerSize: 4, highestUserAddress: 0x3ffeffff },
      physicalMemory: 64 * 1024 * 1024,
      pagingFile: 32 * 1024 * 1024,
      numaNodes: 2,
      heapStrategy: 'segregated',
    });
    expect(system.heapStrategy).toBe('segregated');
    expect(system.machine.physical.numaNodes).toBe(2);
    const k = system.createProcess();
    const si: Record<string, number> = {};
    k.GetSystemInfo(si);
    expect(si.lpMaximumApplicationAddress).toBe(0x3ffeffff);
    const ms: Record<string, number> = { dwLength: 64 };
    k.GlobalMemoryStatusEx(ms);
    expect(ms.ullTotalPhys).toBe(64 * 1024 * 1024);
    expect(ms.ullTotalPageFile).toBe(96 * 1024 * 1024);
    expect(ms.ullTotalVirtual).toBe(0x3ffe0000);
  });

  it('inconsistent options throw MemError(ERROR_INVALID_PARAMETER)', () => {
    for (const options of [
      { geometry: 'x128' as never },
      { geometry: { pageSize: 3000 } },
      { physicalMemory: -1 },
      { numaNodes: 0 },
      { heapStrategy: 'no-such-strategy' },
    ]) {
      let thrown: unknown;
      try {
        createSystem(options);
      } catch (error) {
        thrown = error;
      }
      expect(isMemError(thrown)).toBe(true);
      expect((thrown as { code: number }).code).toBe(ERROR_INVALID_PARAMETER);
    }
  });

  it('processes are separate: address spaces, last errors, names, privileges', () => {
    const system = createSystem({ geometry: 'x86' });
    const a = system.createProcess({ name: 'a' });
    const b = system.createProcess({ name: 'b', privileges: ['SeLockMemoryPrivilege'] });
    expect(a.process.name).toBe('a');
    expect(b.process.hasPrivilege('SeLockMemoryPrivilege')).toBe(true);
    expect(a.process.hasPrivilege('SeLockMemoryPrivilege')).toBe(false);
    const p = a.VirtualAlloc(0, 0x10000, MEM_COMMIT, PAGE_READWRITE);
    expect(query(a, p).State).toBe(MEM_COMMIT);
    expect(query(b, p).State).not.toBe(MEM_COMMIT);
    expect(system.processes()).toEqual([a, b]);
    expect(system.kernelOf(b.GetCurrentProcessId())).toBe(b);
    a.process.terminate();
    expect(system.processes()).toEqual([b]);
  });
});

describe('Kernel32 binding', () => {
  it('binds every capitalised function of every door, without the Process parameter', () => {
    const k = createSystem().createProcess();
    let bound = 0;
    for (const door of DOORS) {
      for (const [name, value] of Object.entries(door)) {
        if (typeof value !== 'function' || !/^[A-Z]/.test(name) || /^class\b/.test(Function.prototype.toString.call(value))) continue;
        const method = (k as unknown as Record<string, unknown>)[name];
        expect(typeof method, name).toBe('function');
        expect((method as (...args: unknown[]) => unknown).length, name).toBe(Math.max(0, value.length - 1));
        bound++;
      }
    }
    expect(bound).toBeGreaterThan(20);
  });

  it('bound signatures stay typed (checked by tsc)', () => {
    const k = createSystem().createProcess();
    expectTypeOf(k.VirtualAlloc).parameters.toEqualTypeOf<[number, number, number, number]>();
    expectTypeOf(k.VirtualAlloc).returns.toEqualTypeOf<number>();
    expectTypeOf(k.VirtualFree).returns.toEqualTypeOf<boolean>();
    expectTypeOf(k.GetLastError).parameters.toEqualTypeOf<[]>();
    expectTypeOf(k.SetLastError).parameters.toEqualTypeOf<[number]>();
    expectTypeOf(k.OpenProcess).returns.toEqualTypeOf<number>();
    expectTypeOf(k.mem.getUint32).returns.toEqualTypeOf<number>();
    expect(typeof k.VirtualAlloc).toBe('function');
  });

  it('no Win32 name is exported by two doors', () => {
    expect(duplicateDoorNames()).toEqual([]);
  });

  it('mem and process are the process own; functions act on their process only', () => {
    const system = createSystem();
    const a = system.createProcess();
    const b = system.createProcess();
    expect(a.mem).toBe(a.process.mem);
    expect(a.system).toBe(system);
    a.SetLastError(42);
    expect(b.GetLastError()).toBe(0);
    expect(a.process.lastError).toBe(42);
  });
});

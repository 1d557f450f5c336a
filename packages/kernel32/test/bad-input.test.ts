// Bad input of every kind, across the Win32 functions of this suite: every call returns its failure
// value, sets a Windows error (never throws), and the process is unchanged afterwards: regions,
// commit charge, physical and virtual availability, handle count, write-watch state, memory contents.
import { describe, expect, it } from 'vitest';
import {
  type Kernel32,
  MEM_COMMIT,
  MEM_DECOMMIT,
  MEM_RELEASE,
  MEM_RESERVE,
  MEM_WRITE_WATCH,
  PAGE_EXECUTE_READ,
  PAGE_READONLY,
  PAGE_READWRITE,
  PROCESS_VM_READ,
} from '../src/index';
import { ALL_GEOMETRIES, SENTINEL, snapshot, kernel } from './support';

interface State {
  regions: ReturnType<typeof snapshot>;
  status: Record<string, number>;
  handles: number;
  bytes: number[];
  dirty: number[];
}

function state(k: Kernel32, watched: number, data: number): State {
  const status: Record<string, number> = { dwLength: 64 };
  k.GlobalMemoryStatusEx(status);
  const addresses: number[] = [];
  const count = { value: 64 };
  k.GetWriteWatch(0, watched, 0x10000, addresses, count, { value: 0 });
  return {
    regions: snapshot(k),
    status,
    handles: k.process.handles.count,
    bytes: [...k.mem.read(data, 64)],
    dirty: addresses.slice(0, count.value),
  };
}

describe.each(ALL_GEOMETRIES)('bad input on %s', (geometry) => {
  it('every failure reports an error and changes nothing', () => {
    const k = kernel(geometry);
    const other = k.system.createProcess();
    const { highestUserAddress, pageSize } = k.process.geometry;
    const reserved = k.VirtualAlloc(0, 0x20000, MEM_RESERVE, PAGE_READWRITE);
    const data = k.VirtualAlloc(0, 0x10000, MEM_COMMIT, PAGE_READWRITE);
    k.mem.fill(data, 64, 0x3c);
    const readOnly = k.VirtualAlloc(0, 0x10000, MEM_COMMIT, PAGE_READONLY);
    const code = k.VirtualAlloc(0, 0x10000, MEM_COMMIT, PAGE_EXECUTE_READ);
    const watched = k.VirtualAlloc(0, 0x10000, MEM_RESERVE | MEM_COMMIT | MEM_WRITE_WATCH, PAGE_READWRITE);
    k.mem.setUint8(watched + pageSize, 1);
    const weak = k.OpenProcess(PROCESS_VM_READ, false, other.GetCurrentProcessId());
    const closed = k.OpenProcess(PROCESS_VM_READ, false, other.GetCurrentProcessId());
    k.CloseHandle(closed);
    const freeAddress = k.VirtualAlloc(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    k.VirtualFree(freeAddress, 0, MEM_RELEASE);
    const huge = 2 ** 53 - 1;
    const above = highestUserAddress + 1;
    const before = state(k, watched, data);

    const calls: Array<[string, () => unknown, unknown]> = [
      ['VirtualAlloc size 0', () => k.VirtualAlloc(0, 0, MEM_RESERVE, PAGE_READWRITE), 0],
      ['VirtualAlloc huge size', () => k.VirtualAlloc(0, huge, MEM_RESERVE, PAGE_READWRITE), 0],
      ['VirtualAlloc negative size', () => k.VirtualAlloc(0, -0x1000, MEM_RESERVE, PAGE_READWRITE), 0],
      ['VirtualAlloc fractional size', () => k.VirtualAlloc(0, 4096.5, MEM_RESERVE, PAGE_READWRITE), 0],
      ['VirtualAlloc NaN address', () => k.VirtualAlloc(Number.NaN, 0x1000, MEM_RESERVE, PAGE_READWRITE), 0],
      ['VirtualAlloc above user space', () => k.VirtualAlloc(above, 0x1000, MEM_RESERVE, PAGE_READWRITE), 0],
      ['VirtualAlloc unknown type', () => k.VirtualAlloc(0, 0x1000, 0x10000000, PAGE_READWRITE), 0],
      ['VirtualAlloc unknown protect', () => k.VirtualAlloc(0, 0x1000, MEM_COMMIT, 0x1000), 0],
      ['VirtualAlloc commit free', () => k.VirtualAlloc(freeAddress, 0x1000, MEM_COMMIT, PAGE_READWRITE), 0],
      ['VirtualAlloc commit past end', () => k.VirtualAlloc(reserved, 0x30000, MEM_COMMIT, PAGE_READWRITE), 0],
      ['VirtualAlloc reserve taken', () => k.VirtualAlloc(data, 0x1000, MEM_RESERVE, PAGE_READWRITE), 0],
      ['VirtualAllocEx weak handle', () => k.VirtualAllocEx(weak, 0, 0x1000, MEM_COMMIT, PAGE_READWRITE), 0],
      ['VirtualAllocEx closed handle', () => k.VirtualAllocEx(closed, 0, 0x1000, MEM_COMMIT, PAGE_READWRITE), 0],
      ['VirtualFree type 0', () => k.VirtualFree(data, 0, 0), false],
      ['VirtualFree both types', () => k.VirtualFree(data, 0, MEM_RELEASE | MEM_DECOMMIT), false],
      ['VirtualFree release size', () => k.VirtualFree(data, 0x1000, MEM_RELEASE), false],
      ['VirtualFree release interior', () => k.VirtualFree(data + pageSize, 0, MEM_RELEASE), false],
      ['VirtualFree decommit past end', () => k.VirtualFree(data, 0x20000, MEM_DECOMMIT), false],
      ['VirtualFree huge', () => k.VirtualFree(huge, 0, MEM_RELEASE), false],
      ['VirtualFreeEx closed handle', () => k.VirtualFreeEx(closed, data, 0, MEM_RELEASE), false],
      ['VirtualProtect invalid', () => k.VirtualProtect(data, 0x1000, 0x03, { value: 0 }), false],
      ['VirtualProtect NULL old', () => k.VirtualProtect(data, 0x1000, PAGE_READONLY, undefined), false],
      ['VirtualProtect reserved', () => k.VirtualProtect(reserved, 0x1000, PAGE_READONLY, { value: 0 }), false],
      ['VirtualProtect across', () => k.VirtualProtect(data, 0x20000, PAGE_READONLY, { value: 0 }), false],
      ['VirtualProtect above', () => k.VirtualProtect(above, 0x1000, PAGE_READONLY, { value: 0 }), false],
      ['VirtualQuery above', () => k.VirtualQuery(above, {}), 0],
      ['VirtualQuery NULL buffer', () => k.VirtualQuery(data, undefined), 0],
      ['VirtualQuery short buffer', () => k.VirtualQuery(data, {}, 8), 0],
      ['VirtualLock reserved', () => k.VirtualLock(reserved, 0x1000), false],
      ['VirtualLock too much', () => k.VirtualLock(data, 0x10000 * 4), false],
      ['VirtualUnlock not locked', () => k.VirtualUnlock(data, 0x1000), false],
      ['GetWriteWatch unwatched', () => k.GetWriteWatch(0, data, 0x1000, [], { value: 4 }, { value: 0 }), 0xffffffff],
      ['GetWriteWatch bad flags', () => k.GetWriteWatch(3, watched, 0x1000, [], { value: 4 }, { value: 0 }), 0xffffffff],
      ['ResetWriteWatch size 0', () => k.ResetWriteWatch(watched, 0), 0xffffffff],
      ['ResetWriteWatch unwatched', () => k.ResetWriteWatch(data, 0x1000), 0xffffffff],
      ['GlobalMemoryStatusEx length', () => k.GlobalMemoryStatusEx({ dwLength: 32 }), false],
      ['OpenProcess pid 0', () => k.OpenProcess(PROCESS_VM_READ, false, 0), 0],
      ['OpenProcess unknown pid', () => k.OpenProcess(PROCESS_VM_READ, false, 12345678), 0],
      ['CloseHandle closed', () => k.CloseHandle(closed), false],
      ['CloseHandle NULL', () => k.CloseHandle(0), false],
      ['ReadProcessMemory weak-less', () => k.ReadProcessMemory(closed, data, data, 4, undefined), false],
      ['ReadProcessMemory into read-only', () => k.ReadProcessMemory(-1, data, readOnly, 4, undefined), false],
      ['WriteProcessMemory weak', () => k.WriteProcessMemory(weak, data, data, 4, undefined), false],
      ['WriteProcessMemory read-only', () => k.WriteProcessMemory(-1, readOnly, data, 4, undefined), false],
      ['WriteProcessMemory bad source', () => k.WriteProcessMemory(-1, code, reserved, 4, undefined), false],
      ['SetProcessDEPPolicy bad flags', () => k.SetProcessDEPPolicy(0x10), false],
    ];
    for (const [name, call, failure] of calls) {
      k.SetLastError(SENTINEL);
      let result: unknown;
      expect(() => {
        result = call();
      }, name).not.toThrow();
      expect(result, name).toBe(failure);
      expect(k.GetLastError(), name).not.toBe(SENTINEL);
      expect(k.GetLastError(), name).not.toBe(0);
    }
    expect(state(k, watched, data)).toEqual(before);
    expect([...k.mem.read(code, 4)]).toEqual([0, 0, 0, 0]);
  });
});

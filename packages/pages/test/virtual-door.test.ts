// Edge cases of the Virtual* door that the kernel32 conformance suite (packages/kernel32/test) does
// not cover: argument-order checks, NUMA, buffer lengths, access masks, and "never throws".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ERROR_ACCESS_DENIED,
  ERROR_BAD_LENGTH,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  HANDLE_TYPE_PROCESS,
  MEM_COMMIT,
  MEM_RESERVE,
  MEM_RESET,
  MEM_RESET_UNDO,
  MEM_WRITE_WATCH,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  PROCESS_QUERY_LIMITED_INFORMATION,
  PROCESS_VM_READ,
  createMachine,
} from '../src/index';
import {
  GetWriteWatch,
  ResetWriteWatch,
  VirtualAlloc,
  VirtualAllocExNuma,
  VirtualFree,
  VirtualLock,
  VirtualProtect,
  VirtualQuery,
  VirtualQueryEx,
  VirtualUnlock,
} from '../src/win32';

function setup(geometry: 'x86' | 'x64' = 'x64', numaNodes = 1) {
  const machine = createMachine({ geometry, physicalMemory: 1 << 26, pagingFile: 1 << 26, numaNodes });
  return { machine, process: machine.createProcess() };
}

describe('VirtualAllocExNuma', () => {
  it('takes frames from the preferred node and refuses nodes that do not exist', () => {
    const { machine, process } = setup('x64', 2);
    const p = VirtualAllocExNuma(process, -1, 0, 0x2000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE, 1);
    expect(p).not.toBe(0);
    process.mem.setUint8(p, 1);
    expect(machine.physical.nodeOf(process.addressSpace.pageState(p).frame)).toBe(1);
    process.lastError = 0;
    expect(VirtualAllocExNuma(process, -1, 0, 0x2000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE, 2)).toBe(0);
    expect(process.lastError).toBe(ERROR_INVALID_PARAMETER);
    expect(VirtualAllocExNuma(process, -1, 0, 0x2000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE, 0xfffffffe)).toBe(0);
    // NUMA_NO_PREFERRED_NODE: any node
    process.lastError = 0;
    const any = VirtualAllocExNuma(process, -1, 0, 0x2000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE, 0xffffffff);
    expect(any).not.toBe(0);
    expect(process.lastError).toBe(0);
    process.mem.setUint8(any, 1);
    expect(process.mem.getUint8(any)).toBe(1);
  });
});

describe('VirtualQuery buffers', () => {
  it('returns 28 on 32-bit, refuses short buffers (ERROR_BAD_LENGTH) and NULL (ERROR_NOACCESS)', () => {
    const { process } = setup('x86');
    const p = VirtualAlloc(process, 0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    const info: Record<string, number> = {};
    expect(VirtualQuery(process, p, info, 28)).toBe(28);
    expect(info.RegionSize).toBe(0x1000);
    expect('PartitionId' in info).toBe(false);
    expect(VirtualQuery(process, p, {}, 27)).toBe(0);
    expect(process.lastError).toBe(ERROR_BAD_LENGTH);
    expect(VirtualQuery(process, p, undefined)).toBe(0);
    expect(process.lastError).toBe(ERROR_NOACCESS);
  });

  it('VirtualQueryEx accepts PROCESS_QUERY_LIMITED_INFORMATION and refuses handles without a query right', () => {
    const { machine, process } = setup();
    const other = machine.createProcess();
    const p = VirtualAlloc(other, 0, 0x1000, MEM_COMMIT, PAGE_READONLY);
    const limited = process.handles.insert(HANDLE_TYPE_PROCESS, other, PROCESS_QUERY_LIMITED_INFORMATION);
    const readOnly = process.handles.insert(HANDLE_TYPE_PROCESS, other, PROCESS_VM_READ);
    const info: Record<string, number> = {};
    expect(VirtualQueryEx(process, limited, p, info)).toBe(48);
    expect(info.Protect).toBe(PAGE_READONLY);
    expect(VirtualQueryEx(process, readOnly, p, info)).toBe(0);
    expect(process.lastError).toBe(ERROR_ACCESS_DENIED);
  });
});

describe('VirtualProtect out-parameter', () => {
  it('NULL old protection → ERROR_NOACCESS, nothing changed; free address → PAGE_NOACCESS written (P-009)', () => {
    const { process } = setup();
    const p = VirtualAlloc(process, 0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    expect(VirtualProtect(process, p, 0x1000, PAGE_READONLY, undefined)).toBe(false);
    expect(process.lastError).toBe(ERROR_NOACCESS);
    expect(process.addressSpace.query(p).protect).toBe(PAGE_READWRITE);
    const old = { value: 12345 };
    expect(VirtualProtect(process, 0x7000_0000, 0x1000, PAGE_READONLY, old)).toBe(false);
    expect(process.lastError).toBe(ERROR_INVALID_ADDRESS);
    expect(old.value).toBe(PAGE_NOACCESS);
  });
});

describe('GetWriteWatch arguments (Wine test_write_watch order)', () => {
  it('checks flags, count, buffers and range in that order', () => {
    const { process } = setup();
    const base = VirtualAlloc(process, 0, 0x10000, MEM_RESERVE | MEM_COMMIT | MEM_WRITE_WATCH, PAGE_READWRITE);
    const addresses: number[] = [];
    const granularity = { value: 0 };
    const call = (flags: number, address: number, size: number, list: number[] | undefined, count: { value?: number } | undefined, gran: { value?: number } | undefined) => {
      process.lastError = 0;
      return [GetWriteWatch(process, flags, address, size, list, count, gran), process.lastError];
    };
    expect(call(0, base, 0x10000, addresses, { value: 0 }, granularity)).toEqual([0xffffffff, ERROR_INVALID_PARAMETER]);
    expect(call(0, base, 0x10000, addresses, undefined, granularity)).toEqual([0xffffffff, ERROR_NOACCESS]);
    expect(call(0, base, 0x10000, addresses, { value: 64 }, undefined)).toEqual([0xffffffff, ERROR_NOACCESS]);
    expect(call(0, base, 0x10000, undefined, { value: 64 }, granularity)).toEqual([0xffffffff, ERROR_NOACCESS]);
    expect(call(0, base, 0x10000, undefined, { value: 0 }, granularity)).toEqual([0xffffffff, ERROR_INVALID_PARAMETER]);
    expect(call(0xdeadbeef, base, 0x10000, addresses, { value: 64 }, granularity)).toEqual([0xffffffff, ERROR_INVALID_PARAMETER]);
    expect(call(0, base, 0, addresses, { value: 64 }, granularity)).toEqual([0xffffffff, ERROR_INVALID_PARAMETER]);
    expect(call(0, base, 0x20000, addresses, { value: 64 }, granularity)).toEqual([0xffffffff, ERROR_INVALID_PARAMETER]);
    const count = { value: 64 };
    expect(call(0, base, 0x10000, addresses, count, granularity)).toEqual([0, 0]);
    expect(count.value).toBe(0);
    expect(granularity.value).toBe(0x1000);
    process.lastError = 0;
    expect(ResetWriteWatch(process, base, 0)).toBe(0xffffffff);
    expect(process.lastError).toBe(ERROR_INVALID_PARAMETER);
  });

  it('fills the array in place and leaves slots past the count alone', () => {
    const { process } = setup();
    const base = VirtualAlloc(process, 0, 0x10000, MEM_RESERVE | MEM_COMMIT | MEM_WRITE_WATCH, PAGE_READWRITE);
    process.mem.setUint8(base + 0x3000, 1);
    const addresses = [7, 7, 7];
    const count = { value: 3 };
    expect(GetWriteWatch(process, 0, base, 0x10000, addresses, count, {})).toBe(0);
    expect(count.value).toBe(1);
    expect(addresses).toEqual([base + 0x3000, 7, 7]);
  });
});

describe('MEM_RESET through the door', () => {
  it('returns the page-aligned address, also for reserved pages; RESET_UNDO likewise', () => {
    const { process } = setup();
    const base = VirtualAlloc(process, 0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    VirtualAlloc(process, base, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    expect(VirtualAlloc(process, base + 0x10, 0x1000, MEM_RESET, PAGE_NOACCESS)).toBe(base);
    expect(VirtualAlloc(process, base + 0x1000, 0x1000, MEM_RESET, PAGE_NOACCESS)).toBe(base + 0x1000);
    expect(VirtualAlloc(process, base, 0x1000, MEM_RESET_UNDO, PAGE_READWRITE)).toBe(base);
    expect(VirtualAlloc(process, base, 0x1000, MEM_RESET, 0)).toBe(0);
    expect(process.lastError).toBe(ERROR_INVALID_PARAMETER);
    expect(VirtualAlloc(process, base, 0x1000, MEM_RESET | MEM_COMMIT, PAGE_READWRITE)).toBe(0);
    expect(VirtualAlloc(process, 0, 0x1000, MEM_RESET, PAGE_READWRITE)).toBe(0);
  });
});

describe('the door never throws for bad input', () => {
  const numbers = fc.oneof(
    fc.constantFrom(0, -1, 1, 0x1000, 0x10000, 0xffffffff, 2 ** 31, 2 ** 47, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, 0.5),
    fc.integer({ min: -10, max: 0x1000_0000 }),
    fc.double(),
  );
  it.each(['x86', 'x64'] as const)('random arguments on %s: failure values, last errors, intact structures', (geometry) => {
    const { machine, process } = setup(geometry);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), numbers, numbers, numbers, numbers), { maxLength: 30 }), (calls) => {
        for (const [which, a, b, c, d] of calls) {
          process.lastError = 0;
          let failed: boolean;
          switch (which) {
            case 0: {
              const result = VirtualAlloc(process, a, b, c, d);
              if (result !== 0) expect(result % 0x1000).toBe(0);
              failed = result === 0;
              break;
            }
            case 1:
              failed = !VirtualFree(process, a, b, c);
              break;
            case 2:
              failed = !VirtualProtect(process, a, b, c, {});
              break;
            case 3:
              failed = VirtualQuery(process, a, {}) === 0;
              break;
            case 4:
              failed = !(a % 2 === 0 ? VirtualLock(process, a, b) : VirtualUnlock(process, a, b));
              break;
            default:
              failed = GetWriteWatch(process, c, a, b, [], { value: 4 }, {}) === 0xffffffff;
          }
          // a failure always says why
          if (failed) expect(process.lastError).not.toBe(0);
          else expect(process.lastError).toBe(0);
        }
        process.addressSpace.validate();
        machine.physical.validate();
      }),
      { numRuns: 150 },
    );
  });
});

// Conformance: process functions — GetCurrentProcess(Id), OpenProcess access rights, CloseHandle,
// ReadProcessMemory / WriteProcessMemory (spec §12: X-001..X-004, Wine test_VirtualAllocEx and
// test_ReadProcessMemory) across processes, and the DEP policy functions.
import { describe, expect, it } from 'vitest';
import {
  DEP_SYSTEM_POLICY_ALWAYS_OFF,
  DEP_SYSTEM_POLICY_ALWAYS_ON,
  DEP_SYSTEM_POLICY_OPT_IN,
  DEP_SYSTEM_POLICY_OPT_OUT,
  ERROR_ACCESS_DENIED,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  ERROR_NOT_SUPPORTED,
  ERROR_PARTIAL_COPY,
  type Kernel32,
  MEM_COMMIT,
  MEM_RESERVE,
  MEM_WRITE_WATCH,
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  PROCESS_ALL_ACCESS,
  PROCESS_DEP_DISABLE_ATL_THUNK_EMULATION,
  PROCESS_DEP_ENABLE,
  PROCESS_QUERY_INFORMATION,
  PROCESS_QUERY_LIMITED_INFORMATION,
  PROCESS_VM_OPERATION,
  PROCESS_VM_READ,
  PROCESS_VM_WRITE,
  MAXIMUM_ALLOWED,
  createSystem,
} from '../src/index';
import { SENTINEL, attempt, expectFailure, kernel, query } from './support';

const ALLOC_SIZE = 1 << 15;

function pair(geometry: 'x86' | 'x64' = 'x64'): { k: Kernel32; other: Kernel32 } {
  const k = kernel(geometry);
  return { k, other: k.system.createProcess({ name: 'target' }) };
}

function pattern(k: Kernel32, address: number, size: number): void {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = i & 0xff;
  k.mem.write(address, bytes);
}

describe('process identity and handles', () => {
  it('GetCurrentProcess is -1; pids are distinct multiples of 4', () => {
    const { k, other } = pair();
    expect(k.GetCurrentProcess()).toBe(-1);
    const pid = k.GetCurrentProcessId();
    expect(pid % 4).toBe(0);
    expect(pid).toBeGreaterThan(4);
    expect(other.GetCurrentProcessId()).not.toBe(pid);
  });

  it('OpenProcess returns a handle (multiple of 4) that CloseHandle closes once', () => {
    const { k, other } = pair();
    const [h, error] = attempt(k, () => k.OpenProcess(PROCESS_VM_READ, false, other.GetCurrentProcessId()));
    expect(h).toBeGreaterThan(0);
    expect(h % 4).toBe(0);
    expect(error).toBe(SENTINEL);
    const [closed, closeError] = attempt(k, () => k.CloseHandle(h));
    expect(closed).toBe(true);
    expect(closeError).toBe(SENTINEL);
    expectFailure(k, () => k.CloseHandle(h), false, ERROR_INVALID_HANDLE);
  });

  it('OpenProcess of pid 0 or an unknown pid → NULL, ERROR_INVALID_PARAMETER; the System process → ERROR_ACCESS_DENIED', () => {
    const k = kernel('x64');
    expectFailure(k, () => k.OpenProcess(PROCESS_VM_READ, false, 0), 0, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.OpenProcess(PROCESS_VM_READ, false, 0x7ffffff0), 0, ERROR_INVALID_PARAMETER);
    expectFailure(k, () => k.OpenProcess(PROCESS_VM_READ, false, 4), 0, ERROR_ACCESS_DENIED);
  });

  it('OpenProcess of the caller itself works; the handle reads its memory', () => {
    const k = kernel('x64');
    const p = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    k.mem.setUint32(p, 0x1234abcd);
    const h = k.OpenProcess(PROCESS_VM_READ, false, k.GetCurrentProcessId());
    const q = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    const read = { value: SENTINEL };
    expect(k.ReadProcessMemory(h, p, q, 4, read)).toBe(true);
    expect(read.value).toBe(4);
    expect(k.mem.getUint32(q)).toBe(0x1234abcd);
  });

  it('handles are per process: another process cannot use mine', () => {
    const { k, other } = pair();
    const third = k.system.createProcess();
    const h = k.OpenProcess(PROCESS_ALL_ACCESS, false, third.GetCurrentProcessId());
    expectFailure(other, () => other.CloseHandle(h), false, ERROR_INVALID_HANDLE);
    expect(k.CloseHandle(h)).toBe(true);
  });

  it('CloseHandle of the pseudo-handle is TRUE; of 0 and wild values ERROR_INVALID_HANDLE', () => {
    const k = kernel('x86');
    const [ok, error] = attempt(k, () => k.CloseHandle(-1));
    expect(ok).toBe(true);
    expect(error).toBe(SENTINEL);
    for (const handle of [0, 3, 0x1000, 0xdeadbeec, 1.5]) {
      expectFailure(k, () => k.CloseHandle(handle), false, ERROR_INVALID_HANDLE);
    }
  });

  it('OpenProcess maps generic rights; rights a user cannot get → ERROR_ACCESS_DENIED', () => {
    const { k, other } = pair();
    const pid = other.GetCurrentProcessId();
    const generic = k.OpenProcess(0x80000000, false, pid); // GENERIC_READ
    const p = other.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    const q = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    expect(k.ReadProcessMemory(generic, p, q, 16, undefined)).toBe(true);
    expectFailure(k, () => k.WriteProcessMemory(generic, p, q, 16, undefined), false, ERROR_ACCESS_DENIED);
    expectFailure(k, () => k.OpenProcess(0x01000000, false, pid), 0, ERROR_ACCESS_DENIED); // ACCESS_SYSTEM_SECURITY
    const mbi: Record<string, number> = {};
    const limited = k.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, false, pid);
    expect(k.ReadProcessMemory(limited, p, q, 16, undefined)).toBe(false);
    const queried = k.OpenProcess(PROCESS_QUERY_INFORMATION, false, pid);
    expect(k.VirtualQueryEx(queried, p, mbi)).toBe(48);
  });

  it('MAXIMUM_ALLOWED grants everything a user gets; unknown rights are refused', () => {
    const { k, other } = pair();
    const pid = other.GetCurrentProcessId();
    const h = k.OpenProcess(MAXIMUM_ALLOWED, false, pid);
    expect(h).not.toBe(0);
    const remote = other.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    const local = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    k.mem.setUint32(local, 0x600d);
    expect(k.WriteProcessMemory(h, remote, local, 4, undefined)).toBe(true);
    expect(other.mem.getUint32(remote)).toBe(0x600d);
    expectFailure(k, () => k.OpenProcess(0x00400000, false, pid), 0, ERROR_ACCESS_DENIED);
    expectFailure(k, () => k.OpenProcess(-1, false, pid), 0, ERROR_INVALID_PARAMETER);
  });

  it('a handle to a process that exited fails', () => {
    const { k, other } = pair();
    const h = k.OpenProcess(PROCESS_VM_READ, false, other.GetCurrentProcessId());
    const q = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    other.process.terminate();
    const [ok, error] = attempt(k, () => k.ReadProcessMemory(h, 0x10000, q, 4, undefined));
    expect(ok).toBe(false);
    expect(error).not.toBe(SENTINEL);
    expectFailure(k, () => k.OpenProcess(PROCESS_VM_READ, false, other.GetCurrentProcessId()), 0, ERROR_INVALID_PARAMETER);
  });
});

describe('ReadProcessMemory / WriteProcessMemory across processes', () => {
  it('round trip of 32 KiB through VirtualAllocEx memory', () => {
    const { k, other } = pair();
    const h = k.OpenProcess(PROCESS_VM_OPERATION | PROCESS_VM_READ | PROCESS_VM_WRITE, false, other.GetCurrentProcessId());
    const remote = k.VirtualAllocEx(h, 0, ALLOC_SIZE, MEM_COMMIT, PAGE_EXECUTE_READWRITE);
    expect(remote).not.toBe(0);
    const src = k.VirtualAlloc(0, ALLOC_SIZE, MEM_COMMIT, PAGE_READWRITE);
    const dst = k.VirtualAlloc(0, ALLOC_SIZE, MEM_COMMIT, PAGE_READWRITE);
    pattern(k, src, ALLOC_SIZE);
    const written = { value: 0 };
    const [ok, error] = attempt(k, () => k.WriteProcessMemory(h, remote, src, ALLOC_SIZE, written));
    expect(ok).toBe(true);
    expect(error).toBe(SENTINEL);
    expect(written.value).toBe(ALLOC_SIZE);
    expect(other.mem.read(remote, ALLOC_SIZE)).toEqual(k.mem.read(src, ALLOC_SIZE));
    const read = { value: 0 };
    expect(k.ReadProcessMemory(h, remote, dst, ALLOC_SIZE, read)).toBe(true);
    expect(read.value).toBe(ALLOC_SIZE);
    expect(k.mem.read(dst, ALLOC_SIZE)).toEqual(k.mem.read(src, ALLOC_SIZE));
  });

  it('X-001 0 bytes → TRUE with count 0', () => {
    const { k, other } = pair();
    const h = k.OpenProcess(PROCESS_ALL_ACCESS, false, other.GetCurrentProcessId());
    const remote = other.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    const local = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    const written = { value: SENTINEL };
    const [ok, error] = attempt(k, () => k.WriteProcessMemory(h, remote, local, 0, written));
    expect(ok).toBe(true);
    expect(error).toBe(SENTINEL);
    expect(written.value).toBe(0);
    const read = { value: SENTINEL };
    expect(k.ReadProcessMemory(h, remote, local, 0, read)).toBe(true);
    expect(read.value).toBe(0);
  });

  it('X-002 reading 2 pages whose 2nd is NOACCESS → ERROR_PARTIAL_COPY with 0 copied; 1 page works', () => {
    for (const geometry of ['x86', 'x64'] as const) {
      const k = kernel(geometry);
      const page = 0x1000;
      const buffer = k.VirtualAlloc(0, 2 * page, MEM_COMMIT, PAGE_READWRITE);
      const ptr = k.VirtualAlloc(0, 2 * page, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
      k.mem.fill(ptr, page, 0x77);
      const old = { value: 0 };
      expect(k.VirtualProtect(ptr + page, page, PAGE_NOACCESS, old)).toBe(true);
      const copied = { value: 1 };
      expectFailure(k, () => k.ReadProcessMemory(k.GetCurrentProcess(), ptr, buffer, 2 * page, copied), false, ERROR_PARTIAL_COPY);
      expect(copied.value).toBe(0);
      expect(k.mem.getUint8(buffer)).toBe(0); // nothing copied
      expect(k.ReadProcessMemory(k.GetCurrentProcess(), ptr, buffer, page, copied)).toBe(true);
      expect(copied.value).toBe(page);
      expect(k.mem.getUint8(buffer + page - 1)).toBe(0x77);
      // a real handle to the same process behaves the same
      const h = k.OpenProcess(PROCESS_VM_READ, false, k.GetCurrentProcessId());
      expectFailure(k, () => k.ReadProcessMemory(h, ptr, buffer, 2 * page, copied), false, ERROR_PARTIAL_COPY);
      expect(k.ReadProcessMemory(h, ptr, buffer, page, copied)).toBe(true);
    }
  });

  it('large copies go in 14-page chunks: a source fault keeps the whole chunks before it', () => {
    const { k, other } = pair();
    const page = 0x1000;
    const h = k.OpenProcess(PROCESS_ALL_ACCESS, false, other.GetCurrentProcessId());
    const remote = other.VirtualAlloc(0, 20 * page, MEM_COMMIT, PAGE_READWRITE);
    pattern(other, remote, 20 * page);
    const local = k.VirtualAlloc(0, 20 * page, MEM_COMMIT, PAGE_READWRITE);
    const old = { value: 0 };
    expect(other.VirtualProtect(remote + 16 * page, page, PAGE_NOACCESS, old)).toBe(true);
    const read = { value: SENTINEL };
    expectFailure(k, () => k.ReadProcessMemory(h, remote, local, 20 * page, read), false, ERROR_PARTIAL_COPY);
    expect(read.value).toBe(14 * page);
    expect(k.mem.read(local, 14 * page)).toEqual(other.mem.read(remote, 14 * page));
    expect(k.mem.getUint8(local + 14 * page + 1)).toBe(0);
    // a fault inside the first chunk copies nothing
    expect(other.VirtualProtect(remote + 5 * page, page, PAGE_NOACCESS, old)).toBe(true);
    k.ZeroMemory(local, 20 * page);
    expectFailure(k, () => k.ReadProcessMemory(h, remote, local, 20 * page, read), false, ERROR_PARTIAL_COPY);
    expect(read.value).toBe(0);
    expect(k.mem.getUint8(local + 1)).toBe(0);

    // WriteProcessMemory takes its local source the same way
    const target = other.VirtualAlloc(0, 20 * page, MEM_COMMIT, PAGE_READWRITE);
    pattern(k, local, 20 * page);
    expect(k.VirtualProtect(local + 15 * page, page, PAGE_NOACCESS, old)).toBe(true);
    const written = { value: SENTINEL };
    expectFailure(k, () => k.WriteProcessMemory(h, target, local, 20 * page, written), false, ERROR_NOACCESS);
    expect(written.value).toBe(14 * page);
    expect(other.mem.read(target, 14 * page)).toEqual(k.mem.read(local, 14 * page));
    expect(other.mem.getUint8(target + 14 * page + 1)).toBe(0);
  });

  it('X-003 WPM from a source with NOACCESS pages → ERROR_NOACCESS, 0 written, target unchanged', () => {
    const { k, other } = pair();
    const h = k.OpenProcess(PROCESS_ALL_ACCESS, false, other.GetCurrentProcessId());
    const remote = k.VirtualAllocEx(h, 0, ALLOC_SIZE, MEM_COMMIT, PAGE_EXECUTE_READWRITE);
    const src = k.VirtualAlloc(0, ALLOC_SIZE, MEM_COMMIT, PAGE_READWRITE);
    pattern(k, src, ALLOC_SIZE);
    const old = { value: 0 };
    expect(k.VirtualProtect(src + 0x2000, 0x2000, PAGE_NOACCESS, old)).toBe(true);
    const written = { value: SENTINEL };
    expectFailure(k, () => k.WriteProcessMemory(h, remote, src, ALLOC_SIZE, written), false, ERROR_NOACCESS);
    expect(written.value).toBe(0);
    expect(other.mem.read(remote, ALLOC_SIZE).every((b) => b === 0)).toBe(true);
  });

  it('X-003 RPM into a destination with NOACCESS pages → ERROR_PARTIAL_COPY, the bytes before the bad page copied', () => {
    const { k, other } = pair();
    const h = k.OpenProcess(PROCESS_ALL_ACCESS, false, other.GetCurrentProcessId());
    const remote = k.VirtualAllocEx(h, 0, ALLOC_SIZE, MEM_COMMIT, PAGE_READWRITE);
    pattern(other, remote, ALLOC_SIZE);
    const dst = k.VirtualAlloc(0, ALLOC_SIZE, MEM_COMMIT, PAGE_READWRITE);
    const old = { value: 0 };
    expect(k.VirtualProtect(dst + 0x2000, 0x2000, PAGE_NOACCESS, old)).toBe(true);
    const read = { value: SENTINEL };
    expectFailure(k, () => k.ReadProcessMemory(h, remote, dst, ALLOC_SIZE, read), false, ERROR_PARTIAL_COPY);
    expect(read.value).toBe(0x2000);
    expect(k.mem.read(dst, 0x2000)).toEqual(other.mem.read(remote, 0x2000));
    expect(k.mem.getUint8(dst + 0x4000)).toBe(0);
    // a destination that faults on its first page copies nothing
    expect(k.VirtualProtect(dst, 0x2000, PAGE_NOACCESS, old)).toBe(true);
    expectFailure(k, () => k.ReadProcessMemory(h, remote, dst, ALLOC_SIZE, read), false, ERROR_PARTIAL_COPY);
    expect(read.value).toBe(0);
  });

  it('X-004 WPM into PAGE_READONLY → ERROR_NOACCESS with the count untouched; into PAGE_EXECUTE_READ → TRUE', () => {
    const { k, other } = pair();
    const h = k.OpenProcess(PROCESS_ALL_ACCESS, false, other.GetCurrentProcessId());
    const remote = k.VirtualAllocEx(h, 0, ALLOC_SIZE, MEM_COMMIT, PAGE_EXECUTE_READWRITE);
    const src = k.VirtualAlloc(0, ALLOC_SIZE, MEM_COMMIT, PAGE_READWRITE);
    pattern(k, src, ALLOC_SIZE);
    const old = { value: 0 };
    expect(k.VirtualProtectEx(h, remote, ALLOC_SIZE, PAGE_READONLY, old)).toBe(true);
    const written = { value: SENTINEL };
    expectFailure(k, () => k.WriteProcessMemory(h, remote, src, ALLOC_SIZE, written), false, ERROR_NOACCESS);
    expect(written.value).toBe(SENTINEL);
    expect(other.mem.getUint8(remote + 1)).toBe(0);

    expect(k.VirtualProtectEx(h, remote, ALLOC_SIZE, PAGE_EXECUTE_READ, old)).toBe(true);
    const [ok, error] = attempt(k, () => k.WriteProcessMemory(h, remote, src, ALLOC_SIZE, written));
    expect(ok).toBe(true);
    expect(error).toBe(SENTINEL);
    expect(written.value).toBe(ALLOC_SIZE);
    expect(other.mem.read(remote, ALLOC_SIZE)).toEqual(k.mem.read(src, ALLOC_SIZE));
    // the protection is as before the call
    expect(query(other, remote)).toMatchObject({ Protect: PAGE_EXECUTE_READ, RegionSize: ALLOC_SIZE });

    expect(k.VirtualProtectEx(h, remote, ALLOC_SIZE, PAGE_EXECUTE, old)).toBe(true);
    expect(k.WriteProcessMemory(h, remote, src, 16, written)).toBe(true);
    expect(k.VirtualProtectEx(h, remote, ALLOC_SIZE, PAGE_NOACCESS, old)).toBe(true);
    expectFailure(k, () => k.WriteProcessMemory(h, remote, src, 16, written), false, ERROR_NOACCESS);
  });

  it('WPM into writable pages followed by read-only ones fails (modern Windows)', () => {
    const { k, other } = pair();
    const h = k.OpenProcess(PROCESS_ALL_ACCESS, false, other.GetCurrentProcessId());
    const remote = k.VirtualAllocEx(h, 0, ALLOC_SIZE, MEM_COMMIT, PAGE_EXECUTE_READ);
    const src = k.VirtualAlloc(0, ALLOC_SIZE, MEM_COMMIT, PAGE_READWRITE);
    const old = { value: 0 };
    expect(k.VirtualProtectEx(h, remote, 0x2000, PAGE_EXECUTE_READWRITE, old)).toBe(true);
    const [ok, error] = attempt(k, () => k.WriteProcessMemory(h, remote, src, ALLOC_SIZE, undefined));
    expect(ok).toBe(false);
    expect(error).not.toBe(SENTINEL);
    expect(query(other, remote + 0x2000).Protect).toBe(PAGE_EXECUTE_READ);
  });

  it('WPM marks write-watched target pages dirty', () => {
    const { k, other } = pair();
    const h = k.OpenProcess(PROCESS_ALL_ACCESS, false, other.GetCurrentProcessId());
    const remote = other.VirtualAlloc(0, 0x4000, MEM_RESERVE | MEM_COMMIT | MEM_WRITE_WATCH, PAGE_READWRITE);
    const src = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    expect(k.WriteProcessMemory(h, remote + 0x2000, src, 8, undefined)).toBe(true);
    const addresses: number[] = [];
    const count = { value: 4 };
    expect(other.GetWriteWatch(0, remote, 0x4000, addresses, count, { value: 0 })).toBe(0);
    expect(addresses.slice(0, count.value)).toEqual([remote + 0x2000]);
  });

  it('access rights: RPM needs PROCESS_VM_READ; WPM needs PROCESS_VM_WRITE and PROCESS_VM_OPERATION', () => {
    const { k, other } = pair();
    const pid = other.GetCurrentProcessId();
    const remote = other.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    other.mem.setUint32(remote, 0xabcdef01);
    const local = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    const box = { value: SENTINEL };
    const writeOnly = k.OpenProcess(PROCESS_VM_WRITE | PROCESS_VM_OPERATION, false, pid);
    expectFailure(k, () => k.ReadProcessMemory(writeOnly, remote, local, 4, box), false, ERROR_ACCESS_DENIED);
    expect(k.mem.getUint32(local)).toBe(0);
    for (const access of [PROCESS_VM_WRITE, PROCESS_VM_OPERATION, PROCESS_VM_READ, PROCESS_QUERY_INFORMATION]) {
      const h = k.OpenProcess(access, false, pid);
      const written = { value: SENTINEL };
      expectFailure(k, () => k.WriteProcessMemory(h, remote, local, 4, written), false, ERROR_ACCESS_DENIED);
      expect(written.value).toBe(SENTINEL);
    }
    expect(other.mem.getUint32(remote)).toBe(0xabcdef01);
    expect(k.WriteProcessMemory(writeOnly, remote, local, 4, undefined)).toBe(true);
    expect(other.mem.getUint32(remote)).toBe(0);
  });

  it('bad handles → ERROR_INVALID_HANDLE; nothing is copied', () => {
    const { k, other } = pair();
    const remote = other.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    const local = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    const h = k.OpenProcess(PROCESS_ALL_ACCESS, false, other.GetCurrentProcessId());
    expect(k.CloseHandle(h)).toBe(true);
    for (const handle of [0, h, 0x4444, -2]) {
      expectFailure(k, () => k.ReadProcessMemory(handle, remote, local, 4, undefined), false, ERROR_INVALID_HANDLE);
      expectFailure(k, () => k.WriteProcessMemory(handle, remote, local, 4, undefined), false, ERROR_INVALID_HANDLE);
    }
  });

  it('ranges beyond the user space → ERROR_NOACCESS (RPM) / failure (WPM), nothing copied', () => {
    const k = kernel('x86');
    const local = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    const read = { value: SENTINEL };
    expectFailure(k, () => k.ReadProcessMemory(-1, 0x7fff0000, local, 0x20000, read), false, ERROR_NOACCESS);
    expect(read.value).toBe(SENTINEL);
    expectFailure(k, () => k.ReadProcessMemory(-1, local, 0xfffff000, 0x2000, read), false, ERROR_NOACCESS);
    const [ok, error] = attempt(k, () => k.WriteProcessMemory(-1, 0x80000000, local, 4, undefined));
    expect(ok).toBe(false);
    expect(error).not.toBe(SENTINEL);
  });

  it('reading free or reserved memory of the target → ERROR_PARTIAL_COPY; writing there fails', () => {
    const { k, other } = pair();
    const h = k.OpenProcess(PROCESS_ALL_ACCESS, false, other.GetCurrentProcessId());
    const reserved = other.VirtualAlloc(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    const local = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    const read = { value: SENTINEL };
    expectFailure(k, () => k.ReadProcessMemory(h, reserved, local, 16, read), false, ERROR_PARTIAL_COPY);
    expect(read.value).toBe(0);
    const [ok, error] = attempt(k, () => k.WriteProcessMemory(h, reserved, local, 16, undefined));
    expect(ok).toBe(false);
    expect(error).not.toBe(SENTINEL);
  });
});

describe('DEP policy', () => {
  it('GetSystemDEPPolicy reports OptIn, the client default', () => {
    const k = kernel('x86');
    const [policy, error] = attempt(k, () => k.GetSystemDEPPolicy());
    expect(policy).toBe(DEP_SYSTEM_POLICY_OPT_IN);
    expect(error).toBe(SENTINEL);
  });

  it('64-bit processes: Get/SetProcessDEPPolicy → ERROR_NOT_SUPPORTED; DEP is on', () => {
    for (const geometry of ['x64', 'arm64', 'ia64'] as const) {
      const k = kernel(geometry);
      const flags = { value: SENTINEL };
      const permanent = { value: false };
      expectFailure(k, () => k.GetProcessDEPPolicy(k.GetCurrentProcess(), flags, permanent), false, ERROR_NOT_SUPPORTED);
      expectFailure(k, () => k.SetProcessDEPPolicy(0), false, ERROR_NOT_SUPPORTED);
      const data = k.VirtualAlloc(0, 0x2000, MEM_COMMIT, PAGE_READWRITE);
      expect(() => k.mem.execute(data)).toThrow(expect.objectContaining({ code: 0xc0000005, operation: 'execute' }));
    }
  });

  it('32-bit OptIn: off and not permanent until PROCESS_DEP_ENABLE, which is for good', () => {
    const k = kernel('x86');
    const flags = { value: SENTINEL };
    const permanent = { value: true };
    const data = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    expect(k.GetProcessDEPPolicy(k.GetCurrentProcess(), flags, permanent)).toBe(true);
    expect(flags.value).toBe(0);
    expect(permanent.value).toBe(false);
    expect(() => k.mem.execute(data)).not.toThrow();

    expect(k.SetProcessDEPPolicy(0)).toBe(true);
    const [ok, error] = attempt(k, () => k.SetProcessDEPPolicy(PROCESS_DEP_ENABLE | PROCESS_DEP_DISABLE_ATL_THUNK_EMULATION));
    expect(ok).toBe(true);
    expect(error).toBe(SENTINEL);
    expect(k.GetProcessDEPPolicy(k.GetCurrentProcess(), flags, permanent)).toBe(true);
    expect(flags.value).toBe(PROCESS_DEP_ENABLE | PROCESS_DEP_DISABLE_ATL_THUNK_EMULATION);
    expect(permanent.value).toBe(true);
    expect(() => k.mem.execute(data)).toThrow(expect.objectContaining({ code: 0xc0000005, address: data, operation: 'execute' }));
    const code = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_EXECUTE_READ);
    expect(() => k.mem.execute(code)).not.toThrow();

    expectFailure(k, () => k.SetProcessDEPPolicy(0), false, ERROR_ACCESS_DENIED);
    expectFailure(k, () => k.SetProcessDEPPolicy(PROCESS_DEP_ENABLE), false, ERROR_ACCESS_DENIED);
    expect(() => k.mem.execute(data)).toThrow();
  });

  it('invalid SetProcessDEPPolicy flags → ERROR_INVALID_PARAMETER and no change', () => {
    const k = kernel('wow64');
    for (const flags of [PROCESS_DEP_DISABLE_ATL_THUNK_EMULATION, 4, 0x80000000, PROCESS_DEP_ENABLE | 8]) {
      expectFailure(k, () => k.SetProcessDEPPolicy(flags), false, ERROR_INVALID_PARAMETER);
    }
    const box = { value: SENTINEL };
    const permanent = { value: true };
    expect(k.GetProcessDEPPolicy(k.GetCurrentProcess(), box, permanent)).toBe(true);
    expect(box.value).toBe(0);
    expect(permanent.value).toBe(false);
  });

  it('GetProcessDEPPolicy of another process needs PROCESS_QUERY_INFORMATION', () => {
    const { k, other } = pair('x86');
    expect(other.SetProcessDEPPolicy(PROCESS_DEP_ENABLE)).toBe(true);
    const flags = { value: SENTINEL };
    const permanent = { value: false };
    const weak = k.OpenProcess(PROCESS_VM_READ, false, other.GetCurrentProcessId());
    expectFailure(k, () => k.GetProcessDEPPolicy(weak, flags, permanent), false, ERROR_ACCESS_DENIED);
    const h = k.OpenProcess(PROCESS_QUERY_INFORMATION, false, other.GetCurrentProcessId());
    expect(k.GetProcessDEPPolicy(h, flags, permanent)).toBe(true);
    expect(flags.value).toBe(PROCESS_DEP_ENABLE);
    expect(permanent.value).toBe(true);
    expectFailure(k, () => k.GetProcessDEPPolicy(0, flags, permanent), false, ERROR_INVALID_HANDLE);
  });

  it('AlwaysOn / AlwaysOff fix DEP for every process; SetProcessDEPPolicy then fails', () => {
    for (const [policy, enabled] of [
      [DEP_SYSTEM_POLICY_ALWAYS_ON, true],
      [DEP_SYSTEM_POLICY_ALWAYS_OFF, false],
    ] as const) {
      const k = createSystem({ geometry: 'x86', depPolicy: policy }).createProcess();
      expect(k.GetSystemDEPPolicy()).toBe(policy);
      const flags = { value: SENTINEL };
      const permanent = { value: false };
      expect(k.GetProcessDEPPolicy(k.GetCurrentProcess(), flags, permanent)).toBe(true);
      expect(flags.value).toBe(enabled ? PROCESS_DEP_ENABLE : 0);
      expect(permanent.value).toBe(true);
      expectFailure(k, () => k.SetProcessDEPPolicy(enabled ? 0 : PROCESS_DEP_ENABLE), false, ERROR_ACCESS_DENIED);
      const data = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
      if (enabled) expect(() => k.mem.execute(data)).toThrow(expect.objectContaining({ code: 0xc0000005 }));
      else expect(() => k.mem.execute(data)).not.toThrow();
    }
    // AlwaysOff reaches 64-bit processes too
    const k64 = createSystem({ geometry: 'x64', depPolicy: DEP_SYSTEM_POLICY_ALWAYS_OFF }).createProcess();
    const data64 = k64.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    expect(() => k64.mem.execute(data64)).not.toThrow();
  });

  it('OptOut turns DEP on for 32-bit processes, and SetProcessDEPPolicy(0) may turn it off', () => {
    const k = createSystem({ geometry: 'x86', depPolicy: DEP_SYSTEM_POLICY_OPT_OUT }).createProcess();
    expect(k.GetSystemDEPPolicy()).toBe(DEP_SYSTEM_POLICY_OPT_OUT);
    const flags = { value: SENTINEL };
    const permanent = { value: true };
    expect(k.GetProcessDEPPolicy(k.GetCurrentProcess(), flags, permanent)).toBe(true);
    expect(flags.value).toBe(PROCESS_DEP_ENABLE);
    expect(permanent.value).toBe(false);
    const data = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    expect(() => k.mem.execute(data)).toThrow();
    expect(k.SetProcessDEPPolicy(0)).toBe(true);
    expect(k.GetProcessDEPPolicy(k.GetCurrentProcess(), flags, permanent)).toBe(true);
    expect(flags.value).toBe(0);
    expect(() => k.mem.execute(data)).not.toThrow();
  });

  it('an unknown depPolicy is refused by createSystem', () => {
    expect(() => createSystem({ depPolicy: 4 })).toThrow(expect.objectContaining({ code: ERROR_INVALID_PARAMETER }));
  });

  it('executable protections never fault without DEP; PAGE_EXECUTE pages execute', () => {
    const k = kernel('x64');
    for (const protect of [PAGE_EXECUTE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE]) {
      const p = k.VirtualAlloc(0, 0x1000, MEM_COMMIT, protect);
      expect(() => k.mem.execute(p)).not.toThrow();
    }
  });
});

import { describe, expect, it } from 'vitest';
import {
  AccessViolation,
  GuardPageViolation,
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_GUARD,
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_READWRITE,
  createMachine,
} from '../src/index';
import { thrownBy } from './helpers';

const MiB = 1024 * 1024;

function setup(geometry: 'x86' | 'x64' | 'ia64' = 'x64') {
  const machine = createMachine({ geometry, physicalMemory: 64 * MiB, pagingFile: 64 * MiB });
  const process = machine.createProcess();
  return { machine, process, space: process.addressSpace, mem: process.mem };
}

describe('loads and stores', () => {
  it('round-trip every type little-endian', () => {
    const { space, mem } = setup();
    const base = space.allocate(0, 0x2000);
    mem.setUint8(base, 0xff);
    expect(mem.getUint8(base)).toBe(0xff);
    expect(mem.getInt8(base)).toBe(-1);
    mem.setInt8(base + 1, -2);
    expect(mem.getUint8(base + 1)).toBe(0xfe);
    mem.setUint16(base + 2, 0x1234);
    expect(mem.getUint8(base + 2)).toBe(0x34);
    expect(mem.getInt16(base + 2)).toBe(0x1234);
    mem.setInt16(base + 2, -3);
    expect(mem.getUint16(base + 2)).toBe(0xfffd);
    mem.setUint32(base + 4, 0xdeadbeef);
    expect(mem.getUint32(base + 4)).toBe(0xdeadbeef);
    expect(mem.getInt32(base + 4)).toBe(0xdeadbeef | 0);
    expect(mem.getUint8(base + 4)).toBe(0xef);
    mem.setInt32(base + 8, -5);
    expect(mem.getUint32(base + 8)).toBe(0xfffffffb);
    mem.setFloat32(base + 12, 1.5);
    expect(mem.getFloat32(base + 12)).toBe(1.5);
    mem.setFloat64(base + 16, Math.PI);
    expect(mem.getFloat64(base + 16)).toBe(Math.PI);
    mem.setBigUint64(base + 24, 0x0123456789abcdefn);
    expect(mem.getBigUint64(base + 24)).toBe(0x0123456789abcdefn);
    expect(mem.getUint32(base + 24)).toBe(0x89abcdef);
    mem.setBigInt64(base + 32, -2n);
    expect(mem.getBigInt64(base + 32)).toBe(-2n);
    expect(mem.getBigUint64(base + 32)).toBe(0xfffffffffffffffen);
    // NaN payloads survive the 64-bit integer path
    mem.setBigUint64(base + 40, 0x7ff8000000000001n);
    expect(mem.getBigUint64(base + 40)).toBe(0x7ff8000000000001n);
  });

  it('handles accesses straddling a page boundary', () => {
    const { space, mem } = setup();
    const base = space.allocate(0, 0x2000);
    const edge = base + 0x1000;
    mem.setUint32(edge - 2, 0xa1b2c3d4);
    expect(mem.getUint32(edge - 2)).toBe(0xa1b2c3d4);
    expect(mem.getUint16(edge)).toBe(0xa1b2);
    mem.setFloat64(edge - 3, -0.125);
    expect(mem.getFloat64(edge - 3)).toBe(-0.125);
    mem.setBigInt64(edge - 5, -123456789n);
    expect(mem.getBigInt64(edge - 5)).toBe(-123456789n);
    mem.setUint16(edge - 1, 0xbeef);
    expect(mem.getUint16(edge - 1)).toBe(0xbeef);
  });

  it('committed memory reads as zero (V-016) and gets a frame on first touch', () => {
    const { space, mem } = setup();
    const base = space.allocate(0, 0x10000);
    expect(space.workingSetPages).toBe(0);
    expect(mem.getUint32(base + 0x5000)).toBe(0);
    expect(space.workingSetPages).toBe(1);
    mem.setUint32(base + 0x6000, 1);
    expect(space.workingSetPages).toBe(2);
  });

  it('works with 8 KiB pages (ia64) and high x64 addresses', () => {
    const ia64 = setup('ia64');
    const base = ia64.space.allocate(0, 0x4000);
    ia64.mem.setUint32(base + 0x1ffc, 0x01020304);
    expect(ia64.mem.getUint32(base + 0x1ffc)).toBe(0x01020304);
    expect(ia64.space.workingSetPages).toBe(1);
    const x64 = setup('x64');
    const high = x64.space.allocate(0, 0x1000, PAGE_READWRITE, { topDown: true });
    expect(high).toBeGreaterThan(2 ** 46);
    x64.mem.setUint32(high + 8, 77);
    expect(x64.mem.getUint32(high + 8)).toBe(77);
  });
});

describe('the leaf cache of the fast path', () => {
  it('follows leaves as they are dropped and created again', () => {
    const { space, mem } = setup();
    const base = space.allocate(0, 0x2000);
    mem.setUint32(base, 5);
    expect(space.pageTable.cacheKey).toBe(Math.floor(base / space.pageTable.leafSpan));
    expect(space.pageTable.cacheBase).toBe(space.pageTable.cacheKey * space.pageTable.leafSpan);
    space.decommit(base, 0x2000);
    expect(space.pageTable.leafCount).toBe(0);
    expect(thrownBy(() => mem.getUint32(base))).toBeInstanceOf(AccessViolation);
    space.commit(base, 0x1000);
    expect(mem.getUint32(base)).toBe(0);
    mem.setUint32(base, 9);
    expect(mem.getUint32(base)).toBe(9);
    space.protect(base, 0x1000, PAGE_READONLY);
    expect(thrownBy(() => mem.setUint32(base, 1))).toBeInstanceOf(AccessViolation);
    expect(mem.getUint32(base)).toBe(9);
  });

  it('switches between leaves far apart on x64', () => {
    const { space, mem } = setup();
    const low = space.allocate(0, 0x1000);
    const high = space.allocate(0, 0x1000, PAGE_READWRITE, { topDown: true });
    for (let i = 0; i < 3; i++) {
      mem.setUint32(low, i);
      mem.setUint32(high, i + 100);
      expect(mem.getUint32(low)).toBe(i);
      expect(mem.getUint32(high)).toBe(i + 100);
    }
    expect(thrownBy(() => mem.getUint32(high - 0x1000))).toBeInstanceOf(AccessViolation);
  });

  it('caches whole pages: a fractional address does not shift later accesses', () => {
    const { space, mem } = setup();
    const base = space.allocate(0, 0x1000);
    for (let offset = 0; offset < 16; offset++) mem.setUint8(base + offset, offset);
    space.protect(base, 0x1000, PAGE_READWRITE); // forget the cached page
    mem.getUint8(base + 0.5);
    mem.setUint8(base + 8.5, 8);
    expect(mem.getUint8(base + 4)).toBe(4);
    expect(mem.getUint32(base + 4)).toBe(0x07060504);
    mem.setUint8(base + 12, 0xaa);
    expect(mem.getUint8(base + 12)).toBe(0xaa);
    expect(mem.getUint8(base + 13)).toBe(13);
  });

  it('forgets a cached page when its state changes', () => {
    const { space, mem } = setup();
    const base = space.allocate(0, 0x2000);
    mem.setUint32(base + 0x1000, 7);
    expect(mem.getUint32(base + 0x1000)).toBe(7);
    space.protect(base + 0x1000, 0x1000, PAGE_READONLY);
    expect(thrownBy(() => mem.setUint32(base + 0x1004, 1))).toBeInstanceOf(AccessViolation);
    expect(mem.getUint32(base + 0x1004)).toBe(0);
    space.decommit(base + 0x1000, 0x1000);
    expect(thrownBy(() => mem.getUint32(base + 0x1000))).toBeInstanceOf(AccessViolation);
  });
});

describe('faults', () => {
  it('loads from free, reserved and NOACCESS pages raise AccessViolation(read)', () => {
    const { space, mem } = setup();
    const reserved = space.reserve(0, 0x10000);
    const noAccess = space.allocate(0, 0x1000, PAGE_NOACCESS);
    for (const address of [0, 0x7000_0000, reserved, noAccess + 4]) {
      const error = thrownBy(() => mem.getUint32(address));
      expect(error).toBeInstanceOf(AccessViolation);
      expect((error as AccessViolation).code).toBe(0xc0000005);
      expect((error as AccessViolation).operation).toBe('read');
      expect((error as AccessViolation).address).toBe(address);
    }
    expect(thrownBy(() => mem.read(reserved, 1))).toBeInstanceOf(AccessViolation);
    expect(thrownBy(() => mem.getUint8(-1))).toBeInstanceOf(AccessViolation);
    expect(thrownBy(() => mem.getUint8(Number.NaN))).toBeInstanceOf(AccessViolation);
  });

  it('stores to read-only pages raise AccessViolation(write) and store nothing', () => {
    const { space, mem } = setup();
    const base = space.allocate(0, 0x2000);
    mem.setUint32(base + 0x1000, 0x11111111);
    space.protect(base + 0x1000, 0x1000, PAGE_READONLY);
    const error = thrownBy(() => mem.setUint32(base + 0x1000, 5)) as AccessViolation;
    expect(error.operation).toBe('write');
    expect(mem.getUint32(base + 0x1000)).toBe(0x11111111);
    // a straddling store whose second page is read-only stores nothing on the first page
    const straddle = thrownBy(() => mem.setUint32(base + 0xffe, 0xffffffff)) as AccessViolation;
    expect(straddle.address).toBe(base + 0x1000);
    expect(mem.getUint16(base + 0xffe)).toBe(0);
    expect(thrownBy(() => mem.write(base + 0x800, new Uint8Array(0x1000).fill(9)))).toBeInstanceOf(AccessViolation);
    expect(mem.getUint8(base + 0x800)).toBe(0);
    expect(thrownBy(() => mem.fill(base, 0x2000, 7))).toBeInstanceOf(AccessViolation);
    expect(mem.getUint8(base)).toBe(0);
    expect(thrownBy(() => mem.copy(base + 0x1000, base, 16))).toBeInstanceOf(AccessViolation);
    expect(thrownBy(() => mem.setBigUint64(base + 0xffc, 1n))).toBeInstanceOf(AccessViolation);
    expect(mem.getUint32(base + 0xffc)).toBe(0);
  });

  it('a faulting access changes no other state (no frame taken)', () => {
    const { space, mem } = setup();
    const base = space.allocate(0, 0x1000);
    space.reserve(base + 0x10000, 0x10000);
    const before = space.workingSetPages;
    expect(thrownBy(() => mem.read(base + 0xff0, 0x20))).toBeInstanceOf(AccessViolation);
    expect(space.workingSetPages).toBe(before);
  });

  it('DEP: fetches from non-executable pages fault on x64; executable pages run', () => {
    const { space, mem, process } = setup('x64');
    expect(process.depEnabled).toBe(true);
    const data = space.allocate(0, 0x1000, PAGE_READWRITE);
    const code = space.allocate(0, 0x4000, PAGE_EXECUTE_READ);
    space.protect(code + 0x1000, 0x1000, PAGE_EXECUTE);
    space.protect(code + 0x2000, 0x1000, PAGE_EXECUTE_READWRITE);
    expect((thrownBy(() => mem.execute(data)) as AccessViolation).operation).toBe('execute');
    mem.execute(code);
    mem.execute(code + 0x1000);
    mem.execute(code + 0x2000);
    // PAGE_EXECUTE pages are readable on x86/x64 hardware, not writable
    expect(mem.getUint8(code + 0x1000)).toBe(0);
    expect(thrownBy(() => mem.setUint8(code + 0x1000, 1))).toBeInstanceOf(AccessViolation);
    expect(thrownBy(() => mem.execute(space.reserve(0, 0x1000)))).toBeInstanceOf(AccessViolation);
  });

  it('DEP off (32-bit default, OptIn): readable pages execute, NOACCESS does not', () => {
    const { space, mem, process } = setup('x86');
    expect(process.depEnabled).toBe(false);
    const data = space.allocate(0, 0x2000, PAGE_READWRITE);
    mem.execute(data);
    space.protect(data + 0x1000, 0x1000, PAGE_NOACCESS);
    expect(thrownBy(() => mem.execute(data + 0x1000))).toBeInstanceOf(AccessViolation);
    process.depEnabled = true;
    expect(thrownBy(() => mem.execute(data))).toBeInstanceOf(AccessViolation);
  });
});

describe('guard pages', () => {
  it('are one-shot: the first access raises GuardPageViolation, clears the guard, the retry succeeds', () => {
    const { space, mem } = setup();
    const base = space.allocate(0, 0x1000, PAGE_READWRITE | PAGE_GUARD);
    const error = thrownBy(() => mem.setUint32(base, 1)) as GuardPageViolation;
    expect(error).toBeInstanceOf(GuardPageViolation);
    expect(error.code).toBe(0x80000001);
    expect(error.operation).toBe('write');
    expect(mem.getUint32(base)).toBe(0);
    expect(space.query(base).protect).toBe(PAGE_READWRITE);
    mem.setUint32(base, 1);
    expect(mem.getUint32(base)).toBe(1);
    expect(space.query(base).allocationProtect).toBe(PAGE_READWRITE | PAGE_GUARD);
  });

  it('trip on reads and fetches too, each page once', () => {
    const { space, mem } = setup();
    const base = space.allocate(0, 0x2000, PAGE_EXECUTE_READ | PAGE_GUARD);
    expect((thrownBy(() => mem.getUint8(base)) as GuardPageViolation).operation).toBe('read');
    mem.getUint8(base);
    expect((thrownBy(() => mem.execute(base + 0x1000)) as GuardPageViolation).operation).toBe('execute');
    mem.execute(base + 0x1000);
  });

  it('a multi-page access faults on the first guarded page only', () => {
    const { space, mem } = setup();
    const base = space.allocate(0, 0x3000);
    space.protect(base + 0x1000, 0x2000, PAGE_READWRITE | PAGE_GUARD);
    const first = thrownBy(() => mem.fill(base, 0x3000, 1)) as GuardPageViolation;
    expect(first.address).toBe(base + 0x1000);
    expect(mem.getUint8(base)).toBe(0);
    const second = thrownBy(() => mem.fill(base, 0x3000, 1)) as GuardPageViolation;
    expect(second.address).toBe(base + 0x2000);
    mem.fill(base, 0x3000, 1);
    expect(mem.getUint8(base + 0x2fff)).toBe(1);
  });

  it('with write watch: the faulting store records nothing, its retry does; reads never (G-005)', () => {
    const { space, mem } = setup();
    const base = space.allocate(0, 0x2000, PAGE_READWRITE | PAGE_GUARD, { writeWatch: true });
    expect(thrownBy(() => mem.getUint8(base))).toBeInstanceOf(GuardPageViolation);
    mem.getUint8(base);
    expect(space.getWriteWatch(base, 0x2000)).toEqual([]);
    expect(thrownBy(() => mem.setUint8(base + 0x1000, 1))).toBeInstanceOf(GuardPageViolation);
    expect(space.getWriteWatch(base, 0x2000)).toEqual([]);
    mem.setUint8(base + 0x1000, 1);
    expect(space.getWriteWatch(base, 0x2000)).toEqual([base + 0x1000]);
  });
});

describe('blocks', () => {
  it('read returns a copy, write/fill span pages', () => {
    const { space, mem } = setup();
    const base = space.allocate(0, 0x3000);
    const bytes = new Uint8Array(0x1800).map((_, index) => index & 0xff);
    mem.write(base + 0x800, bytes);
    const copy = mem.read(base + 0x800, 0x1800);
    expect(copy).toEqual(bytes);
    copy[0] = 99;
    expect(mem.getUint8(base + 0x800)).toBe(0);
    mem.fill(base + 0xffe, 4, 0xab);
    expect(mem.getUint32(base + 0xffe)).toBe(0xabababab);
    expect(mem.read(base, 0)).toEqual(new Uint8Array(0));
    const target = new Uint8Array(4);
    mem.readInto(base + 0xffe, target);
    expect(target).toEqual(new Uint8Array([0xab, 0xab, 0xab, 0xab]));
  });

  it('copy is memmove (overlap both ways)', () => {
    const { space, mem } = setup();
    const base = space.allocate(0, 0x3000);
    mem.write(base, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    mem.copy(base + 2, base, 6);
    expect(mem.read(base, 8)).toEqual(new Uint8Array([1, 2, 1, 2, 3, 4, 5, 6]));
    mem.copy(base, base + 2, 6);
    expect(mem.read(base, 8)).toEqual(new Uint8Array([1, 2, 3, 4, 5, 6, 5, 6]));
    mem.copy(base + 0x1ffc, base, 8);
    expect(mem.read(base + 0x1ffc, 8)).toEqual(new Uint8Array([1, 2, 3, 4, 5, 6, 5, 6]));
  });

  it('copy matches a reference memmove on random overlapping ranges across pages and slabs', () => {
    const { space, mem } = setup();
    // 2 MiB: two host slabs, so some chunks cross slabs
    const base = space.allocate(0, 0x200000);
    const size = 0x200000;
    const reference = new Uint8Array(size);
    let seed = 12345;
    const random = (limit: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % limit;
    };
    for (let i = 0; i < size; i += 997) reference[i] = random(256);
    mem.write(base, reference);
    for (let round = 0; round < 60; round++) {
      const length = round % 3 === 0 ? random(40) : random(0x6000);
      const source = random(size - length);
      const destination = round % 2 === 0 ? Math.max(0, Math.min(size - length, source + random(0x3000) - 0x1800)) : random(size - length);
      mem.copy(base + destination, base + source, length);
      reference.copyWithin(destination, source, source + length);
    }
    const actual = mem.read(base, size);
    let differences = 0;
    for (let i = 0; i < size; i++) if (actual[i] !== reference[i]) differences++;
    expect(differences).toBe(0);
  });

  it('accessibleLength counts bytes up to the first faulting page without changing state', () => {
    const { space, mem } = setup();
    const base = space.allocate(0, 0x3000);
    space.protect(base + 0x1000, 0x1000, PAGE_NOACCESS);
    space.protect(base + 0x2000, 0x1000, PAGE_READWRITE | PAGE_GUARD);
    expect(mem.accessibleLength(base + 0x10, 0x3000, 'read')).toBe(0xff0);
    expect(mem.accessibleLength(base + 0x2000, 0x10, 'read')).toBe(0);
    expect(space.query(base + 0x2000).protect).toBe(PAGE_READWRITE | PAGE_GUARD);
    expect(mem.accessibleLength(base, 0x10, 'write')).toBe(0x10);
    expect(space.workingSetPages).toBe(0);
  });
});

describe('kernel accessor', () => {
  it('ignores protection but not committed-ness, and still marks write watch and copies', () => {
    const { space, process } = setup();
    const base = space.allocate(0, 0x2000, PAGE_READONLY, { writeWatch: true });
    process.kernel.setUint32(base, 0xcafe);
    expect(process.mem.getUint32(base)).toBe(0xcafe);
    expect(space.getWriteWatch(base, 0x2000)).toEqual([base]);
    space.protect(base, 0x1000, PAGE_NOACCESS);
    expect(process.kernel.read(base, 2)).toEqual(new Uint8Array([0xfe, 0xca]));
    space.protect(base + 0x1000, 0x1000, PAGE_READWRITE | PAGE_GUARD);
    process.kernel.setUint8(base + 0x1000, 1);
    expect(space.query(base + 0x1000).protect).toBe(PAGE_READWRITE | PAGE_GUARD);
    expect(thrownBy(() => process.kernel.getUint8(base + 0x2000))).toBeInstanceOf(AccessViolation);
  });
});

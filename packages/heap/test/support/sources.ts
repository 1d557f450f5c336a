// Page sources for tests: flat buffers by pointer size, and a source whose addresses start high
// (above 2^32 for x64 layouts) to prove no strategy uses 32-bit bit operations on addresses.
import type { HeapMemory, PageSource } from '../../src/api';
import type { BufferMemory } from '../../src/sources/BufferMemory';
import { BufferPageSource } from '../../src/sources/BufferPageSource';

/** `new SharedArrayBuffer(length, { maxByteLength })` (ES2024; not in the ES2023 lib types). */
export const GrowableSharedArrayBuffer = SharedArrayBuffer as unknown as new (
  length: number,
  options: { maxByteLength: number },
) => SharedArrayBuffer;

export function bufferSource(pointerSize: 4 | 8, bytes = 32 << 20): BufferPageSource {
  return new BufferPageSource(new ArrayBuffer(bytes), { pointerSize });
}

/** HeapMemory seen `offset` bytes higher than the buffer it writes. */
class OffsetMemory implements HeapMemory {
  constructor(
    private readonly inner: BufferMemory,
    private readonly offset: number,
  ) {}
  getUint8(address: number): number {
    return this.inner.getUint8(address - this.offset);
  }
  setUint8(address: number, value: number): void {
    this.inner.setUint8(address - this.offset, value);
  }
  getUint16(address: number): number {
    return this.inner.getUint16(address - this.offset);
  }
  setUint16(address: number, value: number): void {
    this.inner.setUint16(address - this.offset, value);
  }
  getUint32(address: number): number {
    return this.inner.getUint32(address - this.offset);
  }
  setUint32(address: number, value: number): void {
    this.inner.setUint32(address - this.offset, value);
  }
  getFloat64(address: number): number {
    return this.inner.getFloat64(address - this.offset);
  }
  setFloat64(address: number, value: number): void {
    this.inner.setFloat64(address - this.offset, value);
  }
  read(address: number, length: number): Uint8Array {
    return this.inner.read(address - this.offset, length);
  }
  write(address: number, bytes: Uint8Array): void {
    this.inner.write(address - this.offset, bytes);
  }
  fill(address: number, length: number, byte: number): void {
    this.inner.fill(address - this.offset, length, byte);
  }
  copy(destination: number, source: number, length: number): void {
    this.inner.copy(destination - this.offset, source - this.offset, length);
  }
}

/** A flat source whose addresses are `offset` higher (e.g. 2^40 + 2^31: x64 user space, bit 31 set). */
export function highSource(pointerSize: 4 | 8, offset: number, bytes = 16 << 20): PageSource {
  const flat = bufferSource(pointerSize, bytes);
  const memory = new OffsetMemory(flat.memory, offset);
  const bases = new Map<number, number>();
  return {
    memory,
    pageSize: flat.pageSize,
    granularity: 65536,
    pointerSize,
    reserve(size: number): number {
      // Ask for granularity slack so the base can be 64-KiB aligned as on Windows.
      const base = flat.reserve(size + 65536);
      if (base === 0) return 0;
      const aligned = Math.ceil((base + offset) / 65536) * 65536;
      bases.set(aligned, base);
      return aligned;
    },
    commit(address: number, size: number): boolean {
      return flat.commit(address - offset, size);
    },
    decommit(address: number, size: number): void {
      flat.decommit(address - offset, size);
    },
    release(address: number, size: number): void {
      const base = bases.get(address);
      if (base === undefined) throw new Error(`release of ${address.toString(16)} not reserved`);
      bases.delete(address);
      flat.release(base, size + 65536);
    },
  };
}

// HeapMemory over a flat buffer (ArrayBuffer, SharedArrayBuffer or a WebAssembly.Memory's buffer):
// one DataView and one Uint8Array, created once and replaced only when the buffer itself is replaced
// (a WebAssembly.Memory detaches its buffer on grow). No per-call allocation except read()'s copy.
import type { HeapMemory } from '../api';

export class BufferMemory implements HeapMemory {
  private view: DataView;
  private u8: Uint8Array;

  constructor(buffer: ArrayBufferLike) {
    this.view = new DataView(buffer);
    this.u8 = new Uint8Array(buffer);
  }

  /** Points the views at a new buffer (after WebAssembly.Memory.grow detached the old one). */
  rebind(buffer: ArrayBufferLike): void {
    this.view = new DataView(buffer);
    this.u8 = new Uint8Array(buffer);
  }

  /** The whole buffer as bytes (a live view; replaced when the buffer is). */
  get bytes(): Uint8Array {
    return this.u8;
  }

  get byteLength(): number {
    return this.u8.byteLength;
  }

  getUint8(address: number): number {
    return this.view.getUint8(address);
  }
  setUint8(address: number, value: number): void {
    this.view.setUint8(address, value);
  }
  getUint16(address: number): number {
    return this.view.getUint16(address, true);
  }
  setUint16(address: number, value: number): void {
    this.view.setUint16(address, value, true);
  }
  getUint32(address: number): number {
    return this.view.getUint32(address, true);
  }
  setUint32(address: number, value: number): void {
    this.view.setUint32(address, value, true);
  }
  getFloat64(address: number): number {
    return this.view.getFloat64(address, true);
  }
  setFloat64(address: number, value: number): void {
    this.view.setFloat64(address, value, true);
  }
  read(address: number, length: number): Uint8Array {
    return this.u8.slice(address, address + length);
  }
  write(address: number, bytes: Uint8Array): void {
    this.u8.set(bytes, address);
  }
  fill(address: number, length: number, byte: number): void {
    this.u8.fill(byte, address, address + length);
  }
  copy(destination: number, source: number, length: number): void {
    this.u8.copyWithin(destination, source, source + length);
  }
}

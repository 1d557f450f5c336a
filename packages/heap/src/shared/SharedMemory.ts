// HeapMemory over a shared heap's SharedArrayBuffer through fixed-length views, re-made when the
// buffer has grown (another thread may grow it at any time; the length is shared). Fixed-length
// views, because on Node 20 a length-tracking view of a growable buffer is several times slower.
// An access past the current views first re-reads the buffer's length; past that it throws RangeError.
import type { HeapMemory } from '../api';

export class SharedMemory implements HeapMemory {
  readonly buffer: SharedArrayBuffer;
  private view: DataView;
  private u8: Uint8Array;
  private length: number;

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.length = buffer.byteLength;
    this.view = new DataView(buffer, 0, this.length);
    this.u8 = new Uint8Array(buffer, 0, this.length);
  }

  /** Re-makes the views when the buffer grew; true when it did. */
  refresh(): boolean {
    const length = this.buffer.byteLength;
    if (length === this.length) return false;
    this.length = length;
    this.view = new DataView(this.buffer, 0, length);
    this.u8 = new Uint8Array(this.buffer, 0, length);
    return true;
  }

  /** The whole buffer as bytes (as long as it was when last refreshed; refreshed now). */
  get bytes(): Uint8Array {
    this.refresh();
    return this.u8;
  }

  getUint8(address: number): number {
    if (address + 1 > this.length) this.refresh();
    return this.view.getUint8(address);
  }
  setUint8(address: number, value: number): void {
    if (address + 1 > this.length) this.refresh();
    this.view.setUint8(address, value);
  }
  getUint16(address: number): number {
    if (address + 2 > this.length) this.refresh();
    return this.view.getUint16(address, true);
  }
  setUint16(address: number, value: number): void {
    if (address + 2 > this.length) this.refresh();
    this.view.setUint16(address, value, true);
  }
  getUint32(address: number): number {
    if (address + 4 > this.length) this.refresh();
    return this.view.getUint32(address, true);
  }
  setUint32(address: number, value: number): void {
    if (address + 4 > this.length) this.refresh();
    this.view.setUint32(address, value, true);
  }
  getFloat64(address: number): number {
    if (address + 8 > this.length) this.refresh();
    return this.view.getFloat64(address, true);
  }
  setFloat64(address: number, value: number): void {
    if (address + 8 > this.length) this.refresh();
    this.view.setFloat64(address, value, true);
  }
  read(address: number, length: number): Uint8Array {
    if (address + length > this.length) this.refresh();
    return this.u8.slice(address, address + length);
  }
  write(address: number, bytes: Uint8Array): void {
    if (address + bytes.length > this.length) this.refresh();
    this.u8.set(bytes, address);
  }
  fill(address: number, length: number, byte: number): void {
    if (address + length > this.length) this.refresh();
    this.u8.fill(byte, address, address + length);
  }
  copy(destination: number, source: number, length: number): void {
    if (Math.max(destination, source) + length > this.length) this.refresh();
    this.u8.copyWithin(destination, source, source + length);
  }
}

// HeapMemory over a flat ArrayBuffer (little-endian DataView), for allocators that are not built
// on @mem/heap, such as the JavaScript peer.
import type { HeapMemory } from '@mem/heap';

export function bufferMemory(buffer: ArrayBuffer): HeapMemory {
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  return {
    getUint8: (address) => bytes[address]!,
    setUint8: (address, value) => {
      bytes[address] = value;
    },
    getUint16: (address) => view.getUint16(address, true),
    setUint16: (address, value) => view.setUint16(address, value, true),
    getUint32: (address) => view.getUint32(address, true),
    setUint32: (address, value) => view.setUint32(address, value, true),
    getFloat64: (address) => view.getFloat64(address, true),
    setFloat64: (address, value) => view.setFloat64(address, value, true),
    read: (address, length) => bytes.slice(address, address + length),
    write: (address, data) => bytes.set(data, address),
    fill: (address, length, value) => {
      bytes.fill(value, address, address + length);
    },
    copy: (destination, source, length) => {
      bytes.copyWithin(destination, source, source + length);
    },
  };
}

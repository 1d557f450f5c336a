// A PageSource over an ArrayBuffer: fixed-length (all of it addressable from the start) or resizable
// (`new ArrayBuffer(n, { maxByteLength })`, grown with .resize() when commit reaches past the end).
import { FlatPageSource, type FlatSourceGeometry } from './FlatPageSource';

interface ResizableArrayBuffer extends ArrayBuffer {
  readonly resizable: boolean;
  readonly maxByteLength: number;
  resize(length: number): void;
}

export class BufferPageSource extends FlatPageSource {
  readonly buffer: ArrayBuffer;

  constructor(buffer: ArrayBuffer, geometry?: FlatSourceGeometry) {
    const resizable = buffer as ResizableArrayBuffer;
    super(buffer, resizable.resizable ? resizable.maxByteLength : buffer.byteLength, geometry);
    this.buffer = buffer;
  }

  protected ensureLength(end: number): boolean {
    if (end <= this.buffer.byteLength) return true;
    const resizable = this.buffer as ResizableArrayBuffer;
    if (!resizable.resizable || end > resizable.maxByteLength) return false;
    resizable.resize(end);
    return true;
  }
}

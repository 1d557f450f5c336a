// A PageSource over an ArrayBuffer: fixed-length (all of it addressable from the start) or resizable
// (`new ArrayBuffer(n, { maxByteLength })`, grown with .resize() when commit reaches past the end).
// Bytes a resize adds are zero, so commit does not fill them; `zeroed` says the whole buffer is.
import { FlatPageSource, type FlatSourceGeometry } from './FlatPageSource';

interface ResizableArrayBuffer extends ArrayBuffer {
  readonly resizable: boolean;
  readonly maxByteLength: number;
  resize(length: number): void;
}

export class BufferPageSource extends FlatPageSource {
  readonly buffer: ArrayBuffer;

  /** `zeroed`: every byte of `buffer` is zero now (it was just created), so commit need not clear them. */
  constructor(buffer: ArrayBuffer, geometry?: FlatSourceGeometry, zeroed = false) {
    const resizable = buffer as ResizableArrayBuffer;
    const limit = resizable.resizable ? resizable.maxByteLength : buffer.byteLength;
    super(buffer, limit, geometry, zeroed ? 0 : buffer.byteLength);
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

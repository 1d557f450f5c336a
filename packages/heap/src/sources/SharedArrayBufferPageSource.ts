// A PageSource over a SharedArrayBuffer: growable ones (`new SharedArrayBuffer(n, { maxByteLength })`)
// grow with .grow() when commit reaches past the current length; their views track the length. Bytes
// a grow adds are zero, so commit does not fill them; `zeroed` says the whole buffer is.
import { FlatPageSource, type FlatSourceGeometry } from './FlatPageSource';

interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  readonly growable: boolean;
  readonly maxByteLength: number;
  grow(length: number): void;
}

export class SharedArrayBufferPageSource extends FlatPageSource {
  readonly buffer: SharedArrayBuffer;

  /** `zeroed`: every byte of `buffer` is zero now (it was just created), so commit need not clear them. */
  constructor(buffer: SharedArrayBuffer, geometry?: FlatSourceGeometry, zeroed = false) {
    const growable = buffer as GrowableSharedArrayBuffer;
    const limit = growable.growable ? growable.maxByteLength : buffer.byteLength;
    super(buffer, limit, geometry, zeroed ? 0 : buffer.byteLength);
    this.buffer = buffer;
  }

  protected ensureLength(end: number): boolean {
    if (end <= this.buffer.byteLength) return true;
    const growable = this.buffer as GrowableSharedArrayBuffer;
    if (!growable.growable || end > growable.maxByteLength) return false;
    growable.grow(end);
    return true;
  }
}

// A PageSource over a SharedArrayBuffer: growable ones (`new SharedArrayBuffer(n, { maxByteLength })`)
// grow with .grow() when commit reaches past the current length; their views track the length.
import { FlatPageSource, type FlatSourceGeometry } from './FlatPageSource';

interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  readonly growable: boolean;
  readonly maxByteLength: number;
  grow(length: number): void;
}

export class SharedArrayBufferPageSource extends FlatPageSource {
  readonly buffer: SharedArrayBuffer;

  constructor(buffer: SharedArrayBuffer, geometry?: FlatSourceGeometry) {
    const growable = buffer as GrowableSharedArrayBuffer;
    super(buffer, growable.growable ? growable.maxByteLength : buffer.byteLength, geometry);
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

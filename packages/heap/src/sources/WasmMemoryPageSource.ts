// A PageSource over a WebAssembly.Memory: commit past the end grows it by whole 64-KiB wasm pages.
// grow() detaches the old ArrayBuffer, so the memory accessor is rebound to the new one at once.
// Pages grow() adds are zero, so commit does not fill them.
import { FlatPageSource, type FlatSourceGeometry } from './FlatPageSource';

const WASM_PAGE = 65536;

export interface WasmSourceOptions extends FlatSourceGeometry {
  /** Addressable bytes (the memory's maximum); default 4 GiB, the wasm32 limit. */
  maximumBytes?: number;
}

export class WasmMemoryPageSource extends FlatPageSource {
  readonly wasmMemory: WebAssembly.Memory;

  constructor(memory: WebAssembly.Memory, options: WasmSourceOptions = {}) {
    super(memory.buffer, options.maximumBytes ?? 65536 * WASM_PAGE, options, memory.buffer.byteLength);
    this.wasmMemory = memory;
  }

  protected ensureLength(end: number): boolean {
    const length = this.wasmMemory.buffer.byteLength;
    if (end <= length) {
      if (this.memory.byteLength !== length) this.memory.rebind(this.wasmMemory.buffer);
      return true;
    }
    try {
      this.wasmMemory.grow(Math.ceil((end - length) / WASM_PAGE));
    } catch {
      return false;
    }
    this.memory.rebind(this.wasmMemory.buffer);
    return true;
  }
}

// Every built-in strategy runs the shared suite (@mem/heap/testing) over every flat page source, with
// x86 (4-byte pointers: 8-byte headers and granules) and x64 (8-byte pointers: 16-byte) layouts.
import { describeHeapStrategy } from '../src/testing';
import type { PageSource } from '../src/api';
import { BufferPageSource } from '../src/sources/BufferPageSource';
import { SharedArrayBufferPageSource } from '../src/sources/SharedArrayBufferPageSource';
import { WasmMemoryPageSource } from '../src/sources/WasmMemoryPageSource';
import { GrowableSharedArrayBuffer, highSource } from './support/sources';

const BYTES = 32 << 20;

const sources: Record<string, (pointerSize: 4 | 8) => PageSource> = {
  ArrayBuffer: (pointerSize) => new BufferPageSource(new ArrayBuffer(BYTES), { pointerSize }),
  'growable SharedArrayBuffer': (pointerSize) =>
    new SharedArrayBufferPageSource(new GrowableSharedArrayBuffer(65536, { maxByteLength: BYTES }), { pointerSize }),
  'WebAssembly.Memory': (pointerSize) =>
    new WasmMemoryPageSource(new WebAssembly.Memory({ initial: 1, maximum: BYTES / 65536 }), {
      pointerSize,
      maximumBytes: BYTES,
    }),
};

for (const strategy of ['segregated', 'lfh', 'tlsf', 'bump']) {
  for (const [label, make] of Object.entries(sources)) {
    for (const pointerSize of [4, 8] as const) {
      describeHeapStrategy(strategy, {
        label: `${label} ${pointerSize === 4 ? 'x86' : 'x64'}`,
        makeSource: () => make(pointerSize),
      });
    }
  }
}

// The same suite at x64 addresses above 2^40 (the page-source factory passed directly).
for (const strategy of ['segregated', 'lfh', 'tlsf', 'bump']) {
  describeHeapStrategy(strategy, () => highSource(8, 2 ** 40 + 2 ** 31, 32 << 20));
}

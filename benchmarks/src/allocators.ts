// Builds the allocator a benchmark run needs from a strategy name, a geometry and a backend: a
// registered @mem/heap strategy over an ArrayBuffer, the JavaScript peer (thi.ng/malloc), or the
// Heap* API of a simulated Windows process.
import { type Allocator, createAllocator, strategyNames as registeredStrategies } from '@mem/heap';
import { PEER_STRATEGY } from './constants';
import { createPeerAllocator } from './peerAllocator';
import type { createProcessAllocator } from './processAllocator';

export type Geometry = 'x86' | 'x64' | 'ia64';
export type Backend = 'buffer' | 'process';

export const GEOMETRIES: readonly Geometry[] = ['x86', 'x64', 'ia64'];
export const BACKENDS: readonly Backend[] = ['buffer', 'process'];

export interface AllocatorSpec {
  strategy: string;
  geometry: Geometry;
  backend: Backend;
  /** Bytes of the buffer for the buffer backend. */
  memoryBytes: number;
}

/** Default buffer size: room for the traces' 40 MiB peaks several times over. */
export const DEFAULT_MEMORY_BYTES = 512 * 1024 * 1024;

export function pageSizeOf(geometry: Geometry): number {
  return geometry === 'ia64' ? 8192 : 4096;
}

/** The registered @mem/heap strategies, in registry order. */
export function heapStrategies(): string[] {
  return registeredStrategies();
}

/** Every name `--strategy` accepts: the heap strategies, then the peer. */
export function strategyNames(): string[] {
  return [...heapStrategies(), PEER_STRATEGY];
}

/** Set by loadBackend('process'): the process backend loads the whole Win32 surface only when asked. */
let processAllocatorFactory: typeof createProcessAllocator | undefined;

/** Loads what a backend needs (the process backend imports @mem/kernel32). Call before createBenchAllocator. */
export async function loadBackend(backend: Backend): Promise<void> {
  if (backend === 'process' && processAllocatorFactory === undefined) {
    processAllocatorFactory = (await import('./processAllocator')).createProcessAllocator;
  }
}

export function createBenchAllocator(spec: AllocatorSpec): Allocator {
  if (spec.strategy === PEER_STRATEGY) {
    if (spec.backend !== 'buffer') throw new Error(`${PEER_STRATEGY} runs only on the buffer backend`);
    return createPeerAllocator({
      memoryBytes: Math.min(spec.memoryBytes, 2 ** 32 - 65536),
      alignment: spec.geometry === 'x86' ? 8 : 16,
      pageSize: pageSizeOf(spec.geometry),
    });
  }
  if (!heapStrategies().includes(spec.strategy)) {
    throw new Error(`unknown strategy "${spec.strategy}" (known: ${strategyNames().join(', ')})`);
  }
  if (spec.backend === 'process') {
    if (processAllocatorFactory === undefined) throw new Error("the process backend is not loaded: await loadBackend('process') first");
    return processAllocatorFactory({ geometry: spec.geometry, heapStrategy: spec.strategy });
  }
  return createAllocator({
    strategy: spec.strategy,
    // a byte count: a new buffer the allocator knows is zero, so pages nobody writes cost nothing
    memory: spec.memoryBytes,
    geometry: spec.geometry === 'ia64' ? { pageSize: 8192, pointerSize: 8 } : spec.geometry,
  });
}

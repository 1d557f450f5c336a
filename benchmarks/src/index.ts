// @mem/benchmarks: trace reading and writing, the replayer, synthetic workloads, the recorder and
// the allocator factory the bench app runs.
export {
  type AllocatorSpec,
  type Backend,
  BACKENDS,
  createBenchAllocator,
  DEFAULT_MEMORY_BYTES,
  GEOMETRIES,
  type Geometry,
  heapStrategies,
  loadBackend,
  pageSizeOf,
  strategyNames,
} from './allocators';
export { BlockPattern, CHECK_MODES, type CheckMode, patternByte, patternSeed } from './blockPattern';
export { bufferMemory } from './bufferMemory';
export { CHUNK_EVENTS, OP_ALLOC, OP_FREE, OP_REALLOC, PEER_STRATEGY, TRACE_MAGIC } from './constants';
export { IdPool } from './idPool';
export { createPeerAllocator, type PeerAllocatorOptions } from './peerAllocator';
export { PointerTable } from './pointerTable';
export { Prng } from './prng';
export { type RecordingAllocator, type RecordOptions, recordAllocator, type TraceSink } from './recorder';
export {
  median,
  type ReplayError,
  type ReplayErrorKind,
  type ReplayOptions,
  type ReplayResult,
  type ReplaySamples,
  replay,
  type StopReason,
} from './replay';
export { copyChunk, createChunk, type Trace, TraceBuilder, type TraceChunk, type TraceHeader } from './trace';
export {
  loadTrace,
  readTraceHeader,
  type StreamTraceOptions,
  type StreamTraceResult,
  streamTrace,
  TraceFormatError,
  traceName,
} from './traceReader';
export { traceText, type WriteTraceOptions, writeTrace } from './traceWriter';
export * from './workloads/index';
export { type Measurement, type MeasureOptions, measure } from './measure';

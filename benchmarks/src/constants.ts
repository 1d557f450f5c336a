// Constants of the benchmark kit: trace event codes, chunk size, content-check geometry.

/** Event codes in a trace chunk's `op` array. */
export const OP_ALLOC = 0;
export const OP_REALLOC = 1;
export const OP_FREE = 2;

/** Events per typed-array chunk: large enough to amortise the loop, small enough to stay in cache. */
export const CHUNK_EVENTS = 65536;

/** First line of every `mtrace v1` file. */
export const TRACE_MAGIC = '# mtrace v1';

/** Bytes written and checked at the start and at the end of a block in `prefix` check mode. */
export const CHECK_PREFIX_BYTES = 16;
export const CHECK_SUFFIX_BYTES = 8;

/** The replayer looks at the clock once per this many events (a power of two). */
export const CLOCK_CHECK_EVENTS = 4096;

/** Errors kept per replay; further ones are only counted. */
export const MAX_REPORTED_ERRORS = 20;

/** The JavaScript peer's name on the command line. */
export const PEER_STRATEGY = 'thi.ng/malloc';

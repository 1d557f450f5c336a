// An allocation trace held as chunked typed arrays (op, id, size, align), ready for a timed replay,
// and TraceBuilder, which appends events and keeps the header figures (peak live bytes, max id).
import { CHUNK_EVENTS, OP_ALLOC, OP_FREE, OP_REALLOC } from './constants';

/** The `#` lines of an `mtrace v1` file. Absent numbers are undefined. */
export interface TraceHeader {
  program: string;
  events: number | undefined;
  peakLiveBytes: number | undefined;
  maxId: number | undefined;
}

/** A run of events; arrays may be longer than `count`. `align` is 0 when the event has none. */
export interface TraceChunk {
  count: number;
  op: Uint8Array;
  id: Uint32Array;
  size: Float64Array;
  align: Uint32Array;
}

export interface Trace {
  /** Name shown in reports (the program, the workload or the file name). */
  name: string;
  header: TraceHeader;
  chunks: TraceChunk[];
  /** Events held (may be fewer than header.events when loaded with a limit). */
  events: number;
  /** Largest id used + 1 by the events held: the size of an id-indexed table. */
  idCount: number;
  /** Largest sum of live requested sizes over the events held. */
  peakLiveBytes: number;
}

export function createChunk(capacity: number = CHUNK_EVENTS): TraceChunk {
  return {
    count: 0,
    op: new Uint8Array(capacity),
    id: new Uint32Array(capacity),
    size: new Float64Array(capacity),
    align: new Uint32Array(capacity),
  };
}

/** A chunk trimmed to its count (a copy), for keeping after a reusable chunk moves on. */
/** Appends one event to `chunk`; true when the chunk is now full. */
export function appendEvent(chunk: TraceChunk, op: number, id: number, size: number, align: number): boolean {
  const index = chunk.count;
  chunk.op[index] = op;
  chunk.id[index] = id;
  chunk.size[index] = size;
  chunk.align[index] = align;
  chunk.count = index + 1;
  return chunk.count === chunk.op.length;
}

export function copyChunk(chunk: TraceChunk): TraceChunk {
  return {
    count: chunk.count,
    op: chunk.op.slice(0, chunk.count),
    id: chunk.id.slice(0, chunk.count),
    size: chunk.size.slice(0, chunk.count),
    align: chunk.align.slice(0, chunk.count),
  };
}

/**
 * Accumulates events into chunks, tracking live bytes per id so the peak and the id range are known
 * when the trace is written. Refuses events that break the format's rules (reusing a live id,
 * resizing or freeing a dead one) so that whatever it builds replays.
 */
export class TraceBuilder {
  readonly chunks: TraceChunk[] = [];
  private current: TraceChunk = createChunk();
  private liveSize = new Float64Array(1024);
  private live = new Uint8Array(1024);
  private liveBytes = 0;
  private peak = 0;
  private idLimit = 0;
  private total = 0;

  get events(): number {
    return this.total;
  }
  get peakLiveBytes(): number {
    return this.peak;
  }
  get liveBlockBytes(): number {
    return this.liveBytes;
  }
  get idCount(): number {
    return this.idLimit;
  }
  isLive(id: number): boolean {
    return id < this.live.length && this.live[id] === 1;
  }
  sizeOf(id: number): number {
    return this.liveSize[id] ?? 0;
  }

  alloc(id: number, size: number, align = 0): void {
    this.ensureId(id);
    if (this.live[id] === 1) throw new Error(`trace: block ${id} allocated while live`);
    this.live[id] = 1;
    this.liveSize[id] = size;
    this.addLive(size);
    this.push(OP_ALLOC, id, size, align);
  }

  realloc(id: number, size: number): void {
    if (!this.isLive(id)) throw new Error(`trace: block ${id} resized while not live`);
    const old = this.liveSize[id]!;
    this.liveSize[id] = size;
    this.addLive(size - old);
    this.push(OP_REALLOC, id, size, 0);
  }

  free(id: number): void {
    if (!this.isLive(id)) throw new Error(`trace: block ${id} freed while not live`);
    this.live[id] = 0;
    this.addLive(-this.liveSize[id]!);
    this.push(OP_FREE, id, 0, 0);
  }

  /** The trace built so far (the builder may go on; the last chunk is copied). */
  toTrace(name: string, program: string = name): Trace {
    const chunks = this.current.count > 0 ? [...this.chunks, copyChunk(this.current)] : [...this.chunks];
    return {
      name,
      header: { program, events: this.total, peakLiveBytes: this.peak, maxId: Math.max(0, this.idLimit - 1) },
      chunks,
      events: this.total,
      idCount: this.idLimit,
      peakLiveBytes: this.peak,
    };
  }

  private addLive(delta: number): void {
    this.liveBytes += delta;
    if (this.liveBytes > this.peak) this.peak = this.liveBytes;
  }

  private ensureId(id: number): void {
    if (id >= this.idLimit) this.idLimit = id + 1;
    if (id < this.live.length) return;
    let length = this.live.length;
    while (length <= id) length *= 2;
    const live = new Uint8Array(length);
    live.set(this.live);
    const sizes = new Float64Array(length);
    sizes.set(this.liveSize);
    this.live = live;
    this.liveSize = sizes;
  }

  private push(op: number, id: number, size: number, align: number): void {
    const chunk = this.current;
    this.total++;
    if (appendEvent(chunk, op, id, size, align)) {
      this.chunks.push(chunk);
      this.current = createChunk();
    }
  }
}

// mtrace v1 in the page: a streaming line parser over the bytes DecompressionStream('gzip') hands out
// (no node:zlib, no Buffer), and a replayer that drives a simulated process's heap with HeapAlloc /
// HeapReAlloc / HeapFree a bounded number of events at a time, so the page can update between slices.
import type { Kernel32 } from '@mem/kernel32';

export const OP_ALLOC = 1;
export const OP_REALLOC = 2;
export const OP_FREE = 3;

/** Parsed events, struct-of-arrays; `count` of them are valid. Reused between feeds. */
export interface TraceEvents {
  ops: Uint8Array;
  ids: Float64Array;
  sizes: Float64Array;
  count: number;
}

/** The `# name: value` header lines of an mtrace file. */
export interface TraceHeader {
  program: string;
  events: number | undefined;
  peakLiveBytes: number | undefined;
}

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const HASH = 35;
const SPACE = 32;
const TAB = 9;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const CHAR_A = 97;
const CHAR_R = 114;
const CHAR_F = 102;

/** Turns byte chunks into events; a line split across chunks is carried over. */
export class MtraceParser {
  readonly header: TraceHeader = { program: '', events: undefined, peakLiveBytes: undefined };
  /** Events parsed and not yet taken. */
  readonly pending: TraceEvents = { ops: new Uint8Array(4096), ids: new Float64Array(4096), sizes: new Float64Array(4096), count: 0 };
  line = 0;
  private carry = new Uint8Array(0);
  private readonly decoder = new TextDecoder();

  /** Parses every complete line of `bytes` (plus the carried start of a line). */
  feed(bytes: Uint8Array): void {
    let data = bytes;
    if (this.carry.length > 0) {
      data = new Uint8Array(this.carry.length + bytes.length);
      data.set(this.carry, 0);
      data.set(bytes, this.carry.length);
    }
    let start = 0;
    for (let index = data.indexOf(NEWLINE, start); index >= 0; index = data.indexOf(NEWLINE, start)) {
      this.parseLine(data, start, index);
      start = index + 1;
    }
    this.carry = data.slice(start);
  }

  /** Parses the last line when the file does not end with a newline. */
  end(): void {
    if (this.carry.length > 0) this.parseLine(this.carry, 0, this.carry.length);
    this.carry = new Uint8Array(0);
  }

  /** Hands the pending events to `take` and empties the queue. */
  drain(take: (events: TraceEvents) => void): void {
    take(this.pending);
    this.pending.count = 0;
  }

  private parseLine(data: Uint8Array, start: number, end: number): void {
    this.line++;
    if (end > start && data[end - 1] === CARRIAGE_RETURN) end--;
    if (this.line === 1) {
      if (this.decoder.decode(data.subarray(start, end)).trim() !== '# mtrace v1') throw new Error('not an mtrace v1 file');
      return;
    }
    if (end === start) return;
    const first = data[start]!;
    if (first === HASH) {
      const text = this.decoder.decode(data.subarray(start, end));
      const match = /^#\s*([a-z-]+):\s*(.*)$/.exec(text);
      if (match?.[1] === 'program') this.header.program = match[2]!.trim();
      if (match?.[1] === 'events') this.header.events = Number(match[2]);
      if (match?.[1] === 'peak-live-bytes') this.header.peakLiveBytes = Number(match[2]);
      return;
    }
    const op = first === CHAR_A ? OP_ALLOC : first === CHAR_R ? OP_REALLOC : first === CHAR_F ? OP_FREE : 0;
    if (op === 0) throw new Error(`line ${this.line}: unknown event`);
    let position = start + 1;
    let id = -1;
    let size = 0;
    let field = 0;
    while (position < end) {
      while (position < end && (data[position] === SPACE || data[position] === TAB)) position++;
      if (position === end) break;
      let value = 0;
      const digits = position;
      while (position < end && data[position]! >= DIGIT_0 && data[position]! <= DIGIT_9) {
        value = value * 10 + (data[position]! - DIGIT_0);
        position++;
      }
      if (position === digits) throw new Error(`line ${this.line}: expected a number`);
      if (field === 0) id = value;
      else if (field === 1) size = value;
      field++;
    }
    if (id < 0 || (op !== OP_FREE && field < 2)) throw new Error(`line ${this.line}: missing fields`);
    this.push(op, id, size);
  }

  private push(op: number, id: number, size: number): void {
    const events = this.pending;
    if (events.count === events.ops.length) {
      const capacity = events.ops.length * 2;
      const ops = new Uint8Array(capacity);
      ops.set(events.ops);
      const ids = new Float64Array(capacity);
      ids.set(events.ids);
      const sizes = new Float64Array(capacity);
      sizes.set(events.sizes);
      events.ops = ops;
      events.ids = ids;
      events.sizes = sizes;
    }
    events.ops[events.count] = op;
    events.ids[events.count] = id;
    events.sizes[events.count] = size;
    events.count++;
  }
}

/** Replays events into one heap of a simulated process; blocks are named by the trace's ids. */
export class HeapReplayer {
  readonly heap: number;
  /** Events replayed so far. */
  events = 0;
  /** Calls that failed (HeapAlloc/HeapReAlloc returned NULL, HeapFree FALSE). */
  failures = 0;
  liveBytes = 0;
  peakLiveBytes = 0;
  private pointers = new Float64Array(1024);
  private sizes = new Float64Array(1024);
  private readonly k: Kernel32;

  constructor(k: Kernel32, heap: number = k.GetProcessHeap()) {
    this.k = k;
    this.heap = heap;
  }

  /** Replays events [from, to) of `events`; returns `to`. */
  run(events: TraceEvents, from: number, to: number): number {
    const k = this.k;
    const heap = this.heap;
    const mem = k.mem;
    for (let index = from; index < to; index++) {
      const id = events.ids[index]!;
      if (id >= this.pointers.length) this.grow(id + 1);
      const op = events.ops[index]!;
      const size = events.sizes[index]!;
      if (op === OP_ALLOC) {
        const pointer = k.HeapAlloc(heap, 0, size);
        if (pointer === 0) this.failures++;
        else {
          if (size > 0) mem.setUint8(pointer, id % 256); // touch the block: its page joins the working set
          this.track(id, pointer, size);
        }
      } else if (op === OP_REALLOC) {
        const old = this.pointers[id]!;
        const pointer = old === 0 ? k.HeapAlloc(heap, 0, size) : k.HeapReAlloc(heap, 0, old, size);
        if (pointer === 0) this.failures++;
        else {
          this.liveBytes -= this.sizes[id]!;
          this.track(id, pointer, size);
        }
      } else {
        const old = this.pointers[id]!;
        if (old !== 0 && !k.HeapFree(heap, 0, old)) this.failures++;
        this.liveBytes -= this.sizes[id]!;
        this.pointers[id] = 0;
        this.sizes[id] = 0;
      }
    }
    this.events += to - from;
    return to;
  }

  private track(id: number, pointer: number, size: number): void {
    this.pointers[id] = pointer;
    this.sizes[id] = size;
    this.liveBytes += size;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
  }

  private grow(minimum: number): void {
    let capacity = this.pointers.length;
    while (capacity < minimum) capacity *= 2;
    const pointers = new Float64Array(capacity);
    pointers.set(this.pointers);
    const sizes = new Float64Array(capacity);
    sizes.set(this.sizes);
    this.pointers = pointers;
    this.sizes = sizes;
  }
}

/** The bytes of a (maybe gzip-compressed) response body, decompressed by the platform's DecompressionStream. */
export async function* traceBytes(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  const first = await reader.read();
  if (first.done) return;
  const head = first.value;
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  // Put the first chunk back in front of the rest of the stream.
  const rest = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(head);
    },
    async pull(controller) {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
  const stream = gzip ? rest.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>) : rest;
  const decompressed = stream.getReader();
  for (;;) {
    const next = await decompressed.read();
    if (next.done) return;
    yield next.value;
  }
}

// Streaming reader of `mtrace v1` files (gzip or plain text): parses bytes straight into a reusable
// typed-array chunk, so memory stays constant however long the file is. Checks syntax and the
// format's rules (an id is allocated only when dead, resized or freed only when live) and names the
// file and line of the first violation. loadTrace keeps the chunks for a timed replay.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { CHUNK_EVENTS, OP_ALLOC, OP_FREE, OP_REALLOC, TRACE_MAGIC } from './constants';
import { appendEvent, copyChunk, createChunk, type Trace, type TraceChunk, type TraceHeader } from './trace';

/** A trace that cannot be read: says which file and, when it is about one line, which line. */
export class TraceFormatError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, message: string) {
    super(line === undefined ? `${file}: ${message}` : `${file}:${line}: ${message}`);
    this.name = 'TraceFormatError';
    this.file = file;
    this.line = line;
  }
}

export interface StreamTraceOptions {
  /** Stop after this many events (a prefix of the trace). */
  limit?: number;
  /** Events per chunk handed to the visitor. */
  chunkEvents?: number;
}

export interface StreamTraceResult {
  header: TraceHeader;
  /** Events read (all of them, or `limit`). */
  events: number;
  /** True when the whole file was read. */
  complete: boolean;
  /** Largest id seen + 1. */
  idCount: number;
  /** Largest sum of live requested sizes over the events read. */
  peakLiveBytes: number;
}

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const CHAR_A = 97;
const CHAR_R = 114;
const CHAR_F = 102;
/** Ids and sizes beyond this are not plausible and would lose precision. */
const MAX_NUMBER = 2 ** 48;

/** Line parser state shared across buffers; one per stream. */
class LineParser {
  readonly header: TraceHeader = { program: '', events: undefined, peakLiveBytes: undefined, maxId: undefined };
  line = 0;
  events = 0;
  idCount = 0;
  liveBytes = 0;
  peakLiveBytes = 0;
  private live = new Uint8Array(4096);
  private sizes = new Float64Array(4096);
  private numbers = new Float64Array(4);

  constructor(
    readonly file: string,
    readonly chunk: TraceChunk,
    readonly flush: (chunk: TraceChunk) => void,
  ) {}

  /** Parses bytes [start, end) of `buffer` as one line (without its newline). */
  parseLine(buffer: Uint8Array, start: number, end: number): void {
    this.line++;
    if (end > start && buffer[end - 1] === CARRIAGE_RETURN) end--;
    if (this.line === 1) {
      const first = Buffer.from(buffer.buffer, buffer.byteOffset + start, end - start).toString('latin1');
      if (first.trim() !== TRACE_MAGIC) this.fail(`not an mtrace v1 file (first line must be "${TRACE_MAGIC}")`);
      return;
    }
    if (end === start) return;
    const first = buffer[start]!;
    if (first === HASH) {
      this.parseHeader(Buffer.from(buffer.buffer, buffer.byteOffset + start, end - start).toString('utf8'));
      return;
    }
    let op: number;
    let wanted: number;
    if (first === CHAR_A) {
      op = OP_ALLOC;
      wanted = 2;
    } else if (first === CHAR_R) {
      op = OP_REALLOC;
      wanted = 2;
    } else if (first === CHAR_F) {
      op = OP_FREE;
      wanted = 1;
    } else {
      this.malformed(buffer, start, end, 'unknown event (expected a, r, f or #)');
    }
    // Fields: one or more blanks, then decimal digits; `a` may carry a third (alignment).
    let position = start + 1;
    let found = 0;
    const numbers = this.numbers;
    while (position < end) {
      const blankStart = position;
      while (position < end && (buffer[position] === SPACE || buffer[position] === TAB)) position++;
      if (position === end) break;
      if (position === blankStart) this.malformed(buffer, start, end, 'fields must be separated by blanks');
      let value = 0;
      const digitsStart = position;
      while (position < end) {
        const c = buffer[position]!;
        if (c < DIGIT_0 || c > DIGIT_9) break;
        value = value * 10 + (c - DIGIT_0);
        position++;
      }
      if (position === digitsStart || (position < end && buffer[position] !== SPACE && buffer[position] !== TAB)) {
        this.malformed(buffer, start, end, 'fields must be unsigned decimal numbers');
      }
      if (value > MAX_NUMBER) this.malformed(buffer, start, end, 'number too large');
      if (found === 3) this.malformed(buffer, start, end, 'too many fields');
      numbers[found++] = value;
    }
    const maxFields = op === OP_ALLOC ? 3 : wanted;
    if (found < wanted || found > maxFields) {
      const shape = op === OP_ALLOC ? 'a ID SIZE [ALIGN]' : op === OP_REALLOC ? 'r ID SIZE' : 'f ID';
      this.malformed(buffer, start, end, `expected "${shape}"`);
    }
    const id = numbers[0]!;
    const size = op === OP_FREE ? 0 : numbers[1]!;
    const align = found === 3 ? numbers[2]! : 0;
    if (found === 3 && (align === 0 || align > 2 ** 30 || (align & (align - 1)) !== 0)) {
      this.malformed(buffer, start, end, 'alignment must be a power of two');
    }
    this.track(op, id, size, buffer, start, end);
    const chunk = this.chunk;
    this.events++;
    if (appendEvent(chunk, op, id, size, align)) {
      this.flush(chunk);
      chunk.count = 0;
    }
  }

  fail(message: string): never {
    throw new TraceFormatError(this.file, this.line, message);
  }

  /** Live-id bookkeeping: enforces the format's id rules and measures peak live bytes. */
  private track(op: number, id: number, size: number, buffer: Uint8Array, start: number, end: number): void {
    if (id >= this.live.length) this.grow(id);
    if (id >= this.idCount) this.idCount = id + 1;
    const isLive = this.live[id] === 1;
    if (op === OP_ALLOC) {
      if (isLive) this.malformed(buffer, start, end, `block ${id} is allocated while still live`);
      this.live[id] = 1;
      this.sizes[id] = size;
      this.liveBytes += size;
    } else {
      if (!isLive) this.malformed(buffer, start, end, `block ${id} is not live`);
      this.liveBytes -= this.sizes[id]!;
      if (op === OP_REALLOC) {
        this.sizes[id] = size;
        this.liveBytes += size;
      } else {
        this.live[id] = 0;
      }
    }
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
  }

  private grow(id: number): void {
    let length = this.live.length;
    while (length <= id) length *= 2;
    const live = new Uint8Array(length);
    live.set(this.live);
    const sizes = new Float64Array(length);
    sizes.set(this.sizes);
    this.live = live;
    this.sizes = sizes;
  }

  private parseHeader(text: string): void {
    const match = /^#\s*([A-Za-z-]+)\s*:\s*(.*?)\s*$/.exec(text);
    if (!match) return; // a comment
    const key = match[1]!.toLowerCase();
    const value = match[2]!;
    if (key === 'program') {
      this.header.program = value;
      return;
    }
    if (key !== 'events' && key !== 'peak-live-bytes' && key !== 'max-id') return;
    if (!/^\d+$/.test(value)) this.fail(`header "${key}" must be an unsigned number, got "${value}"`);
    const number = Number(value);
    if (key === 'events') this.header.events = number;
    else if (key === 'peak-live-bytes') this.header.peakLiveBytes = number;
    else this.header.maxId = number;
  }

  private malformed(buffer: Uint8Array, start: number, end: number, why: string): never {
    const shown = Buffer.from(buffer.buffer, buffer.byteOffset + start, Math.min(end - start, 80)).toString('latin1');
    this.fail(`malformed line "${shown}": ${why}`);
  }
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/**
 * Reads a trace file event by event into one reusable chunk, handing the chunk to `visit` each time it
 * fills and once at the end (the visitor must copy what it keeps). Throws TraceFormatError for a
 * malformed line (with its number), a truncated or corrupt gzip stream, or an event count that
 * disagrees with the header.
 */
export async function streamTrace(
  path: string,
  visit: (chunk: TraceChunk) => void,
  options: StreamTraceOptions = {},
): Promise<StreamTraceResult> {
  const file = path;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const chunk = createChunk(options.chunkEvents ?? CHUNK_EVENTS);
  const parser = new LineParser(file, chunk, visit);
  const gzip = await isGzip(path);
  const input = createReadStream(path, { highWaterMark: 1 << 20 });
  const source = gzip ? input.pipe(createGunzip({ chunkSize: 1 << 18 })) : input;
  if (gzip) input.on('error', (error) => source.destroy(error));
  let carry: Buffer | undefined;
  let stopped = false;
  try {
    for await (const data of source as AsyncIterable<Buffer>) {
      let position = 0;
      if (carry !== undefined) {
        const newline = data.indexOf(NEWLINE);
        if (newline < 0) {
          carry = Buffer.concat([carry, data]);
          continue;
        }
        const line = Buffer.concat([carry, data.subarray(0, newline)]);
        carry = undefined;
        parser.parseLine(line, 0, line.length);
        position = newline + 1;
        if (parser.events >= limit) {
          stopped = true;
          break;
        }
      }
      while (position < data.length) {
        const newline = data.indexOf(NEWLINE, position);
        if (newline < 0) {
          carry = Buffer.from(data.subarray(position));
          break;
        }
        parser.parseLine(data, position, newline);
        position = newline + 1;
        if (parser.events >= limit) {
          stopped = true;
          break;
        }
      }
      if (stopped) break;
    }
  } catch (error) {
    if (error instanceof TraceFormatError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw error;
    throw new TraceFormatError(file, undefined, `truncated or corrupt gzip data (${reason})`);
  } finally {
    input.destroy();
    if (source !== input) source.destroy();
  }
  if (!stopped && carry !== undefined && carry.length > 0) parser.parseLine(carry, 0, carry.length);
  if (parser.line === 0) throw new TraceFormatError(file, undefined, 'empty file (no mtrace v1 header)');
  if (chunk.count > 0) visit(chunk);
  const complete = !stopped;
  const expected = parser.header.events;
  if (complete && expected !== undefined && expected !== parser.events) {
    throw new TraceFormatError(file, undefined, `header says ${expected} events but the file holds ${parser.events}`);
  }
  return {
    header: parser.header,
    events: parser.events,
    complete,
    idCount: parser.idCount,
    peakLiveBytes: parser.peakLiveBytes,
  };
}

/** The name a report gives a trace file: its base name without `.mtrace` and `.gz`. */
export function traceName(path: string): string {
  return basename(path).replace(/\.gz$/, '').replace(/\.mtrace$/, '').replace(/\.txt$/, '');
}

/** Reads a whole trace (or its first `limit` events) into chunked typed arrays for replaying. */
export async function loadTrace(path: string, options: StreamTraceOptions = {}): Promise<Trace> {
  const chunks: TraceChunk[] = [];
  const result = await streamTrace(path, (chunk) => chunks.push(copyChunk(chunk)), options);
  return {
    name: traceName(path),
    header: result.header,
    chunks,
    events: result.events,
    idCount: result.idCount,
    peakLiveBytes: result.peakLiveBytes,
  };
}

/** Reads only the header lines of a trace. */
export async function readTraceHeader(path: string): Promise<TraceHeader> {
  const result = await streamTrace(path, () => {}, { limit: 1, chunkEvents: 1 });
  return result.header;
}

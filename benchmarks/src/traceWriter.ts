// Writes a trace as `mtrace v1` text, gzip-compressed when asked (or when the path ends in .gz).
import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { OP_ALLOC, OP_REALLOC, TRACE_MAGIC } from './constants';
import type { Trace } from './trace';

export interface WriteTraceOptions {
  /** Compress with gzip (default: when the path ends in `.gz`; never for a stream). */
  gzip?: boolean;
}

/** The text of a trace, a piece per chunk (header first). */
export function* traceText(trace: Trace): Generator<string> {
  const header = trace.header;
  yield [
    TRACE_MAGIC,
    `# program: ${header.program || trace.name}`,
    `# events: ${trace.events}`,
    `# peak-live-bytes: ${trace.peakLiveBytes}`,
    `# max-id: ${Math.max(0, trace.idCount - 1)}`,
    '',
  ].join('\n');
  for (const chunk of trace.chunks) {
    const lines: string[] = [];
    for (let index = 0; index < chunk.count; index++) {
      const op = chunk.op[index]!;
      const id = chunk.id[index]!;
      if (op === OP_ALLOC) {
        const align = chunk.align[index]!;
        lines.push(align === 0 ? `a ${id} ${chunk.size[index]!}` : `a ${id} ${chunk.size[index]!} ${align}`);
      } else if (op === OP_REALLOC) {
        lines.push(`r ${id} ${chunk.size[index]!}`);
      } else {
        lines.push(`f ${id}`);
      }
    }
    if (lines.length > 0) yield `${lines.join('\n')}\n`;
  }
}

/** Writes `trace` to a file path or a writable stream. */
export async function writeTrace(trace: Trace, target: string | Writable, options: WriteTraceOptions = {}): Promise<void> {
  const gzip = options.gzip ?? (typeof target === 'string' && target.endsWith('.gz'));
  const source = Readable.from(traceText(trace));
  const sink = typeof target === 'string' ? createWriteStream(target) : target;
  if (gzip) await pipeline(source, createGzip(), sink);
  else await pipeline(source, sink);
}

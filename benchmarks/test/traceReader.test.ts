// The mtrace v1 reader: header, events, prefixes, and the errors that name file and line.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadTrace, OP_ALLOC, OP_FREE, OP_REALLOC, readTraceHeader, streamTrace, TraceFormatError } from '../src/index';

const fixture = fileURLToPath(new URL('./fixtures/tiny.mtrace', import.meta.url));
const fixtureText = readFileSync(fixture, 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'mem-trace-'));

function writeScratch(name: string, content: string | Buffer): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<TraceFormatError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TraceFormatError);
    return error as TraceFormatError;
  }
  throw new Error('expected the read to fail');
}

describe('reading a valid trace', () => {
  it('parses the header fields', async () => {
    const header = await readTraceHeader(fixture);
    expect(header).toEqual({ program: 'tiny', events: 12, peakLiveBytes: 4420, maxId: 3 });
  });

  it('loads every event with op, id, size and alignment', async () => {
    const trace = await loadTrace(fixture);
    expect(trace.name).toBe('tiny');
    expect(trace.events).toBe(12);
    expect(trace.idCount).toBe(4);
    expect(trace.peakLiveBytes).toBe(4420);
    const chunk = trace.chunks[0]!;
    expect(Array.from(chunk.op.subarray(0, 4))).toEqual([OP_ALLOC, OP_ALLOC, OP_ALLOC, OP_REALLOC]);
    expect(Array.from(chunk.id.subarray(0, 4))).toEqual([0, 1, 2, 0]);
    expect(Array.from(chunk.size.subarray(0, 4))).toEqual([100, 4096, 0, 300]);
    expect(Array.from(chunk.align.subarray(0, 4))).toEqual([0, 64, 0, 0]);
    expect(chunk.op[4]).toBe(OP_FREE);
    expect(chunk.id[4]).toBe(2);
  });

  it('reads gzip and plain text alike, and CRLF line ends', async () => {
    const gz = writeScratch('tiny.mtrace.gz', gzipSync(fixtureText));
    const crlf = writeScratch('crlf.mtrace', fixtureText.replace(/\n/g, '\r\n'));
    const plain = await loadTrace(fixture);
    for (const path of [gz, crlf]) {
      const other = await loadTrace(path);
      expect(other.events).toBe(plain.events);
      expect(Array.from(other.chunks[0]!.size.subarray(0, 12))).toEqual(Array.from(plain.chunks[0]!.size.subarray(0, 12)));
    }
  });

  it('hands out chunks of the requested size, reusing one chunk', async () => {
    const seen: number[] = [];
    const chunks = new Set<unknown>();
    const result = await streamTrace(
      fixture,
      (chunk) => {
        seen.push(chunk.count);
        chunks.add(chunk);
      },
      { chunkEvents: 5 },
    );
    expect(seen).toEqual([5, 5, 2]);
    expect(chunks.size).toBe(1);
    expect(result.complete).toBe(true);
  });

  it('reads a prefix with limit and reports it incomplete', async () => {
    const result = await streamTrace(fixture, () => {}, { limit: 4 });
    expect(result.events).toBe(4);
    expect(result.complete).toBe(false);
    expect(result.peakLiveBytes).toBe(4396);
  });

  it('reads the shared sqlite3 trace header without reading the file', async () => {
    const header = await readTraceHeader(fileURLToPath(new URL('../traces/sqlite3.mtrace.gz', import.meta.url)));
    expect(header).toEqual({ program: 'sqlite3', events: 1575042, peakLiveBytes: 42548570, maxId: 9964 });
  });
});

describe('rejecting bad traces', () => {
  const bad = (name: string, replace: [string, string]) => writeScratch(name, fixtureText.replace(replace[0], replace[1]));

  it.each([
    ['unknown op', ['r 0 300', 'x 0 300'], 9],
    ['missing size', ['a 0 100', 'a 0'], 6],
    ['non-numeric size', ['a 1 4096 64', 'a 1 40x6 64'], 7],
    ['negative size', ['r 1 10', 'r 1 -10'], 12],
    ['too many fields', ['f 3', 'f 3 4'], 16],
    ['alignment not a power of two', ['a 1 4096 64', 'a 1 4096 48'], 7],
    ['free of a dead id', ['f 2\n', 'f 3\n'], 10],
    ['allocation of a live id', ['a 2 24', 'a 1 24'], 11],
  ] as const)('%s: names the file and the line', async (_, replace, line) => {
    const path = bad(`bad-${line}-${replace[1].replace(/\W/g, '')}.mtrace`, [replace[0], replace[1]]);
    const error = await failure(loadTrace(path));
    expect(error.file).toBe(path);
    expect(error.line).toBe(line);
    expect(error.message).toContain(`${path}:${line}:`);
  });

  it('reports the line of an error inside a gzip file', async () => {
    const path = writeScratch('bad.mtrace.gz', gzipSync(fixtureText.replace('a 0 7', 'a 0 seven')));
    const error = await failure(loadTrace(path));
    expect(error.message).toContain(`${path}:14:`);
  });

  it('rejects a file without the mtrace v1 first line', async () => {
    const path = writeScratch('nomagic.mtrace', fixtureText.replace('# mtrace v1', '# mtrace v2'));
    const error = await failure(loadTrace(path));
    expect(error.line).toBe(1);
  });

  it('rejects a truncated gzip stream', async () => {
    const whole = gzipSync(fixtureText.repeat(1));
    const path = writeScratch('truncated.mtrace.gz', whole.subarray(0, whole.length - 12));
    const error = await failure(loadTrace(path));
    expect(error.message).toMatch(/truncated or corrupt gzip/);
    expect(error.message).toContain(path);
  });

  it('rejects an event count that disagrees with the header', async () => {
    const path = writeScratch('short.mtrace', fixtureText.replace('f 1\n', ''));
    const error = await failure(loadTrace(path));
    expect(error.message).toMatch(/header says 12 events but the file holds 11/);
  });

  it('rejects a malformed header number', async () => {
    const path = writeScratch('header.mtrace', fixtureText.replace('# events: 12', '# events: twelve'));
    const error = await failure(loadTrace(path));
    expect(error.line).toBe(3);
  });
});

// A small mtrace v1 reader and replayer for tests and benches (the full reader lives in benchmarks/).
// Events are parsed once into typed arrays; replay stamps id-derived bytes at the start and end of each
// block and checks them on resize and free.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Allocator } from '../../src/api';

// the repository's copy of ../shared/traces, so that a clean clone has them
export const TRACE_DIRECTORY = new URL('../../../../benchmarks/traces/', import.meta.url);
export const TRACE_NAMES = ['sqlite3', 'python3-json', 'jq-transform'] as const;

export const EVENT_ALLOC = 1;
export const EVENT_RESIZE = 2;
export const EVENT_FREE = 3;

export interface Trace {
  name: string;
  count: number;
  maxId: number;
  kind: Uint8Array;
  id: Int32Array;
  size: Float64Array;
  alignment: Uint32Array;
}

/** `larger` holding `array`'s elements first. */
function grown<T extends Uint8Array | Int32Array | Float64Array | Uint32Array>(array: T, larger: T): T {
  larger.set(array as never);
  return larger;
}

/** Reads the first `limit` events of a trace (all of them when limit is Infinity). */
export async function readTrace(name: string, limit = Number.POSITIVE_INFINITY): Promise<Trace> {
  const path = new URL(`${name}.mtrace.gz`, TRACE_DIRECTORY);
  const source = createReadStream(path);
  const gunzip = createGunzip();
  // a missing or unreadable file must fail the read, not leave it waiting
  source.on('error', (error) => gunzip.destroy(error));
  const lines = createInterface({ input: source.pipe(gunzip), crlfDelay: Number.POSITIVE_INFINITY });
  let capacity = 1 << 16;
  let kind = new Uint8Array(capacity);
  let id = new Int32Array(capacity);
  let size = new Float64Array(capacity);
  let alignment = new Uint32Array(capacity);
  let count = 0;
  let maxId = 0;
  for await (const line of lines) {
    if (line.length === 0 || line.charCodeAt(0) === 35) continue;
    if (count === limit) break;
    if (count === capacity) {
      capacity *= 2;
      kind = grown(kind, new Uint8Array(capacity));
      id = grown(id, new Int32Array(capacity));
      size = grown(size, new Float64Array(capacity));
      alignment = grown(alignment, new Uint32Array(capacity));
    }
    const parts = line.split(' ');
    const tag = parts[0];
    const blockId = Number(parts[1]);
    kind[count] = tag === 'a' ? EVENT_ALLOC : tag === 'r' ? EVENT_RESIZE : EVENT_FREE;
    id[count] = blockId;
    size[count] = tag === 'f' ? 0 : Number(parts[2]);
    alignment[count] = parts[3] === undefined ? 0 : Number(parts[3]);
    if (blockId > maxId) maxId = blockId;
    count++;
  }
  lines.close();
  return { name, count, maxId, kind, id, size, alignment };
}

function stamp(allocator: Allocator, pointer: number, size: number, seed: number): void {
  const memory = allocator.memory;
  const head = Math.min(size, 8);
  for (let i = 0; i < head; i++) memory.setUint8(pointer + i, (seed + i) & 0xff);
  // The tail stamp only where it cannot overlap the head.
  const tail = size >= 16 ? 8 : 0;
  for (let i = 1; i <= tail; i++) memory.setUint8(pointer + size - i, (seed * 7 + i) & 0xff);
}

/** Checks the stamp of a block of `size`. */
function checkStamp(allocator: Allocator, pointer: number, size: number, seed: number, label: string): void {
  const memory = allocator.memory;
  const head = Math.min(size, 8);
  for (let i = 0; i < head; i++) {
    if (memory.getUint8(pointer + i) !== ((seed + i) & 0xff)) throw new Error(`${label}: head byte ${i} lost`);
  }
  const tail = size >= 16 ? 8 : 0;
  for (let i = 1; i <= tail; i++) {
    if (memory.getUint8(pointer + size - i) !== ((seed * 7 + i) & 0xff)) throw new Error(`${label}: tail byte ${i} lost`);
  }
}

export interface ReplayResult {
  events: number;
  failed: number;
  peakLiveBytes: number;
  peakCommittedBytes: number;
}

/** Replays a trace; with `check`, stamps every block and verifies stamps on resize and free. */
export function replay(allocator: Allocator, trace: Trace, check: boolean): ReplayResult {
  const pointers = new Float64Array(trace.maxId + 1);
  const sizes = new Float64Array(trace.maxId + 1);
  const seeds = new Uint32Array(trace.maxId + 1);
  let failed = 0;
  for (let event = 0; event < trace.count; event++) {
    const blockId = trace.id[event] as number;
    const kind = trace.kind[event];
    if (kind === EVENT_ALLOC) {
      const size = trace.size[event] as number;
      const pointer = allocator.alloc(size, trace.alignment[event] as number);
      if (pointer === 0) {
        failed++;
        continue;
      }
      pointers[blockId] = pointer;
      sizes[blockId] = size;
      if (check) {
        seeds[blockId] = event;
        stamp(allocator, pointer, size, event);
      }
    } else if (kind === EVENT_RESIZE) {
      const old = pointers[blockId] as number;
      if (old === 0) continue;
      const size = trace.size[event] as number;
      const oldSize = sizes[blockId] as number;
      if (check) checkStamp(allocator, old, oldSize, seeds[blockId] as number, `${trace.name} event ${event}`);
      const pointer = allocator.realloc(old, size);
      if (pointer === 0) {
        failed++;
        continue;
      }
      if (check) {
        // The head survives a move; restamp for the new size.
        const kept = Math.min(8, size, oldSize);
        for (let i = 0; i < kept; i++) {
          if (allocator.memory.getUint8(pointer + i) !== ((seeds[blockId] as number) + i) % 256) {
            throw new Error(`${trace.name} event ${event}: realloc lost byte ${i}`);
          }
        }
        seeds[blockId] = event;
        stamp(allocator, pointer, size, event);
      }
      pointers[blockId] = pointer;
      sizes[blockId] = size;
    } else {
      const pointer = pointers[blockId] as number;
      if (pointer === 0) continue;
      if (check) checkStamp(allocator, pointer, sizes[blockId] as number, seeds[blockId] as number, `${trace.name} event ${event}`);
      allocator.free(pointer);
      pointers[blockId] = 0;
    }
  }
  const stats = allocator.stats();
  return { events: trace.count, failed, peakLiveBytes: stats.peakLiveBytes, peakCommittedBytes: stats.peakCommittedBytes };
}

// The recorder: what it writes replays to the same figures, with ids renumbered like the shared traces.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { espresso, loadTrace, OP_ALLOC, recordAllocator, replay, type Trace } from '../src/index';
import { realAllocator } from './support';

const scratch = mkdtempSync(join(tmpdir(), 'mem-record-'));

/** Runs `trace` through `allocator` the way a program would (no checks): the program being recorded. */
function runProgram(trace: Trace, allocator: ReturnType<typeof recordAllocator>): void {
  const pointers = new Float64Array(trace.idCount);
  for (const chunk of trace.chunks) {
    for (let index = 0; index < chunk.count; index++) {
      const id = chunk.id[index]!;
      const op = chunk.op[index]!;
      if (op === OP_ALLOC) {
        const align = chunk.align[index]!;
        pointers[id] = align ? allocator.alloc(chunk.size[index]!, align) : allocator.alloc(chunk.size[index]!);
      } else if (op === 1) {
        pointers[id] = allocator.realloc(pointers[id]!, chunk.size[index]!);
      } else {
        allocator.free(pointers[id]!);
      }
    }
  }
}

describe('recordAllocator', () => {
  it.each([
    ['gzip', 'espresso.mtrace.gz'],
    ['plain text', 'espresso.mtrace'],
  ])('round trip through a %s file gives the same statistics', async (_, file) => {
    const original = espresso.generate({ events: 20_000, seed: 7 });
    const path = join(scratch, file);
    const recording = recordAllocator(realAllocator('segregated'), path, { program: 'espresso-recorded' });
    runProgram(original, recording);
    await recording.close();

    const loaded = await loadTrace(path);
    expect(loaded.header.program).toBe('espresso-recorded');
    expect(loaded.events).toBe(original.events);
    expect(loaded.header.events).toBe(original.events);
    expect(loaded.peakLiveBytes).toBe(original.peakLiveBytes);
    expect(loaded.header.peakLiveBytes).toBe(original.peakLiveBytes);

    const fromOriginal = replay(original, realAllocator('segregated'), { check: 'prefix' });
    const fromRecording = replay(loaded, realAllocator('segregated'), { check: 'prefix' });
    expect(fromRecording.errorCount).toBe(0);
    expect(fromRecording.completedEvents).toBe(fromOriginal.completedEvents);
    expect(fromRecording.peakLiveBytes).toBe(fromOriginal.peakLiveBytes);
    expect(fromRecording.peakCommittedBytes).toBe(fromOriginal.peakCommittedBytes);
  });

  it('renumbers blocks with the smallest free id and records alignment, calloc and realloc', () => {
    const recording = recordAllocator(realAllocator());
    const a = recording.alloc(10);
    const b = recording.calloc(4, 8);
    recording.free(a);
    const c = recording.alloc(20, 64);
    const moved = recording.realloc(b, 5000);
    recording.free(c);
    recording.free(moved);
    recording.free(0); // free(NULL) records nothing
    const trace = recording.trace();
    const chunk = trace.chunks[0]!;
    const events = Array.from({ length: trace.events }, (_, index) => [
      chunk.op[index],
      chunk.id[index],
      chunk.size[index],
      chunk.align[index],
    ]);
    expect(events).toEqual([
      [0, 0, 10, 0],
      [0, 1, 32, 0],
      [2, 0, 0, 0],
      [0, 0, 20, 64],
      [1, 1, 5000, 0],
      [2, 0, 0, 0],
      [2, 1, 0, 0],
    ]);
    expect(trace.peakLiveBytes).toBe(5020);
  });

  it('records nothing for a failed allocation', () => {
    const recording = recordAllocator(realAllocator());
    expect(recording.alloc(2 ** 40)).toBe(0);
    expect(recording.trace().events).toBe(0);
  });
});

// Conformance of the Heap* surface through Kernel32 (spec §14): the process heap made at process start with
// the system's heapStrategy, heaps in the process's address space (VirtualQuery), overflows written with k.mem,
// termination on corruption, HEAP_GENERATE_EXCEPTIONS, and the LFH switch seen through HeapQueryInformation.
import { describe, expect, it } from 'vitest';
import {
  createSystem,
  ERROR_INVALID_HANDLE,
  ERROR_NO_MORE_ITEMS,
  ERROR_NOT_ENOUGH_MEMORY,
  GMEM_MOVEABLE,
  HEAP_GENERATE_EXCEPTIONS,
  HEAP_ZERO_MEMORY,
  HeapCompatibilityInformation,
  HeapEnableTerminationOnCorruption,
  type Kernel32,
  MEM_COMMIT,
  MEM_PRIVATE,
  PAGE_READWRITE,
  PROCESS_HEAP_ENTRY_BUSY,
  PROCESS_HEAP_ENTRY_DDESHARE,
  PROCESS_HEAP_ENTRY_MOVEABLE,
  PROCESS_HEAP_REGION,
  STATUS_HEAP_CORRUPTION,
  STATUS_NO_MEMORY,
} from '../src/index';
import { attempt, kernel, query, SENTINEL } from './support';

function compatibility(k: Kernel32, heap: number): number | undefined {
  const info: { value?: number } = {};
  const returned: { value?: number } = {};
  expect(k.HeapQueryInformation(heap, HeapCompatibilityInformation, info, 4, returned)).toBe(true);
  expect(returned.value).toBe(4);
  return info.value;
}

interface Entry {
  lpData: number;
  cbData?: number;
  wFlags?: number;
  iRegionIndex?: number;
}

function walk(k: Kernel32, heap: number): Entry[] {
  const entries: Entry[] = [];
  const entry: Entry = { lpData: 0 };
  k.SetLastError(SENTINEL);
  while (k.HeapWalk(heap, entry)) entries.push({ ...entry });
  expect(k.GetLastError()).toBe(ERROR_NO_MORE_ITEMS);
  return entries;
}

describe.each(['x86', 'x64'] as const)('Heap* through Kernel32 on %s', (geometry) => {
  it('every process starts with a process heap: a 64 KiB-aligned private read/write allocation', () => {
    const k = kernel(geometry);
    const heap = k.GetProcessHeap();
    expect(heap).not.toBe(0);
    expect(heap % 0x10000).toBe(0);
    const region = query(k, heap);
    expect(region.AllocationBase).toBe(heap);
    expect(region.State).toBe(MEM_COMMIT);
    expect(region.Type).toBe(MEM_PRIVATE);
    expect(region.Protect).toBe(PAGE_READWRITE);
    const handles: number[] = [];
    expect(k.GetProcessHeaps(4, handles)).toBe(1);
    expect(handles).toEqual([heap]);
  });

  it('blocks live in simulated memory: k.mem reads what was written, HEAP_ZERO_MEMORY zeroes', () => {
    const k = kernel(geometry);
    const heap = k.GetProcessHeap();
    const block = k.HeapAlloc(heap, HEAP_ZERO_MEMORY, 64);
    expect(k.mem.read(block, 64).every((byte) => byte === 0)).toBe(true);
    k.mem.setUint32(block, 0xdeadbeef);
    const moved = k.HeapReAlloc(heap, 0, block, 10_000);
    expect(k.mem.getUint32(moved)).toBe(0xdeadbeef);
    expect(query(k, moved).State).toBe(MEM_COMMIT);
    expect(attempt(k, () => k.HeapSize(heap, 0, moved))).toEqual([10_000, SENTINEL]);
    expect(k.HeapFree(heap, 0, moved)).toBe(true);
  });

  it('two processes have separate heaps; a handle of one is invalid in the other', () => {
    const system = createSystem({ geometry });
    const a = system.createProcess();
    const b = system.createProcess();
    const heap = a.HeapCreate(0, 0, 0);
    expect(heap).not.toBe(0);
    expect(attempt(b, () => b.HeapAlloc(heap, 0, 8))).toEqual([0, ERROR_INVALID_HANDLE]);
    expect(a.HeapAlloc(heap, 0, 8)).not.toBe(0);
  });

  it('a fixed heap runs out with ERROR_NOT_ENOUGH_MEMORY, or STATUS_NO_MEMORY under HEAP_GENERATE_EXCEPTIONS', () => {
    const k = kernel(geometry);
    const heap = k.HeapCreate(0, 0x10000, 0x10000);
    const blocks: number[] = [];
    for (;;) {
      const block = k.HeapAlloc(heap, 0, 0x800);
      if (block === 0) break;
      blocks.push(block);
    }
    expect(blocks.length).toBeGreaterThan(20);
    expect(attempt(k, () => k.HeapAlloc(heap, 0, 0x800))).toEqual([0, ERROR_NOT_ENOUGH_MEMORY]);
    expect(() => k.HeapAlloc(heap, HEAP_GENERATE_EXCEPTIONS, 0x800)).toThrowError(
      expect.objectContaining({ code: STATUS_NO_MEMORY }),
    );
    for (const block of blocks) expect(k.HeapFree(heap, 0, block)).toBe(true);
    expect(k.HeapAlloc(heap, 0, 0x800)).not.toBe(0);
  });

  it('an overflow through k.mem is found by HeapValidate; with termination on, the next call raises', () => {
    const k = kernel(geometry);
    const heap = k.HeapCreate(0, 0, 0);
    const first = k.HeapAlloc(heap, 0, 24);
    const second = k.HeapAlloc(heap, 0, 24);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
    k.mem.fill(first, second - first, 0x41); // 'AAAA…' over the block and the next header
    expect(attempt(k, () => k.HeapValidate(heap, 0, 0))).toEqual([false, SENTINEL]);
    expect(k.HeapSetInformation(0, HeapEnableTerminationOnCorruption, undefined, 0)).toBe(true);
    expect(() => k.HeapAlloc(heap, 0, 8)).toThrowError(expect.objectContaining({ code: STATUS_HEAP_CORRUPTION }));
    // The process heap is untouched and keeps working.
    expect(k.HeapAlloc(k.GetProcessHeap(), 0, 8)).not.toBe(0);
  });

  it("the default 'lfh' strategy switches a heap to the LFH after 18 same-size allocations", () => {
    const k = kernel(geometry);
    const heap = k.GetProcessHeap();
    expect(compatibility(k, heap)).toBe(0);
    for (let index = 0; index < 0x12; index++) k.HeapAlloc(heap, 0, 32);
    expect(compatibility(k, heap)).toBe(2);
  });

  it("heapStrategy 'segregated' never switches by itself; 'tlsf' serves heaps alone", () => {
    for (const heapStrategy of ['segregated', 'tlsf']) {
      const k = kernel(geometry, { heapStrategy });
      const heap = k.GetProcessHeap();
      const blocks: number[] = [];
      for (let index = 0; index < 200; index++) blocks.push(k.HeapAlloc(heap, 0, 32));
      expect(compatibility(k, heap)).toBe(0);
      const entries = walk(k, heap);
      expect(entries[0]?.wFlags).toBe(PROCESS_HEAP_REGION);
      expect(entries[0]?.lpData).toBe(heap);
      const busy = entries.filter((entry) => entry.wFlags === PROCESS_HEAP_ENTRY_BUSY);
      for (const block of blocks) expect(busy.some((entry) => entry.lpData === block && entry.cbData === 32)).toBe(true);
      expect(k.HeapValidate(heap, 0, 0)).toBe(true);
    }
  });

  it('H-025: HeapValidate of a moveable Global handle is FALSE, of its locked data pointer TRUE', () => {
    const k = kernel(geometry);
    const heap = k.GetProcessHeap();
    const handle = k.GlobalAlloc(GMEM_MOVEABLE, 100);
    expect(handle).not.toBe(0);
    const data = k.GlobalLock(handle);
    expect(data).not.toBe(0);
    expect(attempt(k, () => k.HeapValidate(heap, 0, handle))).toEqual([false, SENTINEL]);
    expect(attempt(k, () => k.HeapValidate(heap, 0, data))).toEqual([true, SENTINEL]);
    expect(k.HeapValidate(heap, 0, 0)).toBe(true);
  });

  it('H-032: the process heap walk shows no MOVEABLE or DDESHARE entry even with many moveable blocks', () => {
    const k = kernel(geometry);
    for (let index = 0; index < 1000; index++) expect(k.GlobalAlloc(GMEM_MOVEABLE, 16 + (index % 50))).not.toBe(0);
    const entries = walk(k, k.GetProcessHeap());
    expect(entries.length).toBeGreaterThan(100);
    for (const entry of entries) expect((entry.wFlags ?? 0) & (PROCESS_HEAP_ENTRY_MOVEABLE | PROCESS_HEAP_ENTRY_DDESHARE)).toBe(0);
  });

  it('an unknown heap strategy is refused', () => {
    expect(() => kernel(geometry, { heapStrategy: 'no-such-strategy' })).toThrowError();
  });
});

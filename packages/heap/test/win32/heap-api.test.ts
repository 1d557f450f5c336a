// The idiomatic door of Win32 heaps: Heap objects from createHeap / getProcessHeap, whose methods throw
// MemError with the Windows code (and raise what Windows raises), exported from '@mem/heap'.
import {
  createMachine,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOT_ENOUGH_MEMORY,
  ERROR_NOT_LOCKED,
  isMemError,
  STATUS_NO_MEMORY,
} from '@mem/pages';
import { describe, expect, it } from 'vitest';
import {
  createHeap,
  createProcessHeap,
  getProcessHeap,
  HEAP_GENERATE_EXCEPTIONS,
  HEAP_ZERO_MEMORY,
  listHeaps,
} from '../../src/index';

function codeOf(call: () => unknown): number | undefined {
  try {
    call();
  } catch (error) {
    if (isMemError(error)) return error.code;
    return (error as { code?: number }).code;
  }
  return undefined;
}

describe('Heap (idiomatic)', () => {
  it('allocates, resizes, sizes, validates, walks and frees', () => {
    const process = createMachine({ geometry: 'x64' }).createProcess();
    const heap = createHeap(process);
    const block = heap.alloc(100, HEAP_ZERO_MEMORY);
    expect(process.mem.read(block, 100).every((byte) => byte === 0)).toBe(true);
    process.mem.fill(block, 100, 9);
    const bigger = heap.realloc(block, 5000);
    expect(heap.size(bigger)).toBe(5000);
    expect(process.mem.read(bigger, 100).every((byte) => byte === 9)).toBe(true);
    expect(heap.validate(bigger)).toBe(true);
    expect(heap.walk().some((entry) => entry.kind === 'busy' && entry.address === bigger && entry.size === 5000)).toBe(true);
    expect(heap.summary().allocated).toBe(5000);
    heap.free(bigger);
    expect(heap.validate(bigger)).toBe(false);
    expect(heap.validate()).toBe(true);
  });

  it('throws MemError with the Windows code for misuse and exhaustion', () => {
    const process = createMachine({ geometry: 'x86' }).createProcess();
    const heap = createHeap(process, { initialSize: 0x10000, maximumSize: 0x10000 });
    const block = heap.alloc(16);
    expect(codeOf(() => heap.free(block + 8))).toBe(ERROR_INVALID_PARAMETER);
    expect(codeOf(() => heap.size(block + 8))).toBe(ERROR_INVALID_PARAMETER);
    expect(codeOf(() => heap.alloc(0x20000))).toBe(ERROR_NOT_ENOUGH_MEMORY);
    expect(codeOf(() => heap.alloc(0x20000, HEAP_GENERATE_EXCEPTIONS))).toBe(STATUS_NO_MEMORY);
    expect(codeOf(() => heap.unlock())).toBe(ERROR_NOT_LOCKED);
    heap.lock();
    heap.unlock();
    expect(heap.size(block)).toBe(16);
  });

  it('lists heaps per process; the process heap cannot be destroyed; a destroyed heap refuses calls', () => {
    const process = createMachine({ geometry: 'x64' }).createProcess();
    const processHeap = createProcessHeap(process, 'segregated');
    expect(getProcessHeap(process)).toBe(processHeap);
    expect(processHeap.strategyName).toBe('segregated');
    const heap = createHeap(process);
    expect(listHeaps(process)).toEqual([processHeap, heap]);
    expect(codeOf(() => processHeap.destroy())).toBe(ERROR_INVALID_HANDLE);
    heap.destroy();
    expect(listHeaps(process)).toEqual([processHeap]);
    expect(codeOf(() => heap.alloc(1))).toBe(ERROR_INVALID_HANDLE);
    // Another process has its own heaps.
    const other = createMachine().createProcess();
    expect(getProcessHeap(other)).not.toBe(processHeap);
  });

  it('a process heap follows the process strategy; LFH only where Windows allows it', () => {
    const process = createMachine({ geometry: 'x64' }).createProcess();
    expect(createProcessHeap(process).strategyName).toBe('lfh');
    expect(createHeap(process, { flags: 1 /* HEAP_NO_SERIALIZE */ }).strategyName).toBe('segregated');
    expect(createHeap(process, { maximumSize: 0x100000 }).strategyName).toBe('segregated');
    const heap = createHeap(process);
    expect(heap.compatibility).toBe(0);
    heap.setCompatibility(2);
    expect(heap.compatibility).toBe(2);
    expect(codeOf(() => heap.setCompatibility(0))).toBe(31);
  });
});

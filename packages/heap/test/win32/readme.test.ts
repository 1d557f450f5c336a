// The "Win32 heaps" examples of README.md, run as written (console.log replaced by expectations).
import { createMachine, isMemError } from '@mem/pages';
import { expect, it } from 'vitest';
import {
  createHeap,
  getProcessHeap,
  HEAP_NO_SERIALIZE,
  HEAP_ZERO_MEMORY,
  HeapCompatibilityInformation,
  PROCESS_HEAP_ENTRY_BUSY,
} from '../../src/index';
import { GetProcessHeap, HeapAlloc, HeapCreate, HeapQueryInformation, HeapValidate, HeapWalk } from '../../src/win32';

it('README: the idiomatic Heap example', () => {
  const process = createMachine({ geometry: 'x64' }).createProcess();
  const heap = createHeap(process);
  const block = heap.alloc(100, HEAP_ZERO_MEMORY);
  process.mem.setUint32(block, 0xdeadbeef);
  const bigger = heap.realloc(block, 5000);
  expect([heap.size(bigger), process.mem.getUint32(bigger).toString(16)]).toEqual([5000, 'deadbeef']);
  heap.free(bigger);
  let code: number | undefined;
  try {
    heap.free(bigger);
  } catch (error) {
    if (isMemError(error)) code = error.code;
  }
  expect(code).toBe(87);
  expect(getProcessHeap(process).strategyName).toBe('lfh');
});

it('README: the Win32 door example', () => {
  const process = createMachine({ geometry: 'x86' }).createProcess();
  const h = HeapCreate(process, HEAP_NO_SERIALIZE, 0, 0);
  const first = HeapAlloc(process, h, 0, 32);
  const second = HeapAlloc(process, h, 0, 32);
  const busy: number[] = [];
  const entry = { lpData: 0 } as { lpData: number; cbData: number; wFlags: number };
  while (HeapWalk(process, h, entry)) {
    if (entry.wFlags & PROCESS_HEAP_ENTRY_BUSY) busy.push(entry.lpData, entry.cbData);
  }
  expect(busy).toEqual([first, 32, second, 32]);
  expect(process.lastError).toBe(259);
  process.mem.fill(first, second - first, 0x41);
  expect(HeapValidate(process, h, 0, 0)).toBe(false);
  const info: { value?: number } = {};
  for (let i = 0; i < 18; i++) HeapAlloc(process, GetProcessHeap(process), 0, 40);
  HeapQueryInformation(process, GetProcessHeap(process), HeapCompatibilityInformation, info, 4, undefined);
  expect(info.value).toBe(2);
});

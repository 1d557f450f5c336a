// Every Windows constant of every package is exported by @mem/kernel32 by name, with its Windows value.
import * as awe from '@mem/awe';
import * as globalLocal from '@mem/global-local';
import * as heap from '@mem/heap';
import * as mapping from '@mem/mapping';
import * as pages from '@mem/pages';
import { describe, expect, it } from 'vitest';
import * as k32 from '../src/index';

const PREFIXES = [
  'MEM_', 'PAGE_', 'SEC_', 'FILE_MAP_', 'HEAP_', 'PROCESS_HEAP_', 'GMEM_', 'LMEM_', 'ERROR_', 'STATUS_', 'PROCESS_',
  'WRITE_WATCH_', 'GENERIC_', 'FILE_SHARE_', 'CREATE_', 'OPEN_', 'FILE_ATTRIBUTE_',
];
const EXACT = new Set(['GHND', 'GPTR', 'LHND', 'LPTR', 'INVALID_HANDLE_VALUE']);

function isWindowsConstant(name: string, value: unknown): boolean {
  if (typeof value !== 'number') return false;
  return PREFIXES.some((prefix) => name.startsWith(prefix)) || EXACT.has(name) || /^Heap[A-Za-z]*(Information|Corruption|Resources)$/.test(name);
}

const exported = k32 as unknown as Record<string, unknown>;

describe('constants', () => {
  it.each([
    ['pages', pages],
    ['heap', heap],
    ['global-local', globalLocal],
    ['mapping', mapping],
    ['awe', awe],
  ] as const)('every Windows constant of @mem/%s is re-exported with the same value', (_name, module) => {
    for (const [name, value] of Object.entries(module)) {
      if (!isWindowsConstant(name, value)) continue;
      expect(exported[name], name).toBe(value);
    }
  });

  it('the CONTRACT list is there with Windows values', () => {
    const expected: Record<string, number> = {
      MEM_COMMIT: 0x1000,
      MEM_RESERVE: 0x2000,
      MEM_RELEASE: 0x8000,
      MEM_LARGE_PAGES: 0x20000000,
      PAGE_READWRITE: 0x04,
      PAGE_GUARD: 0x100,
      SEC_COMMIT: 0x08000000,
      SEC_LARGE_PAGES: 0x80000000,
      FILE_MAP_ALL_ACCESS: 0x000f001f,
      FILE_MAP_READ: 0x0004,
      HEAP_ZERO_MEMORY: 0x8,
      HEAP_GENERATE_EXCEPTIONS: 0x4,
      HEAP_CREATE_ENABLE_EXECUTE: 0x40000,
      PROCESS_HEAP_ENTRY_BUSY: 0x0004,
      PROCESS_HEAP_REGION: 0x0001,
      GMEM_MOVEABLE: 0x0002,
      GMEM_DISCARDABLE: 0x0100,
      LMEM_DISCARDABLE: 0x0f00,
      GHND: 0x42,
      GPTR: 0x40,
      LHND: 0x42,
      LPTR: 0x40,
      ERROR_INVALID_PARAMETER: 87,
      ERROR_COMMITMENT_LIMIT: 1455,
      ERROR_PRIVILEGE_NOT_HELD: 1314,
      STATUS_ACCESS_VIOLATION: 0xc0000005,
      STATUS_NO_MEMORY: 0xc0000017,
      STATUS_HEAP_CORRUPTION: 0xc0000374,
      PROCESS_VM_OPERATION: 0x0008,
      PROCESS_VM_READ: 0x0010,
      PROCESS_VM_WRITE: 0x0020,
      PROCESS_QUERY_INFORMATION: 0x0400,
      WRITE_WATCH_FLAG_RESET: 0x1,
      GENERIC_READ: 0x80000000,
      GENERIC_WRITE: 0x40000000,
      FILE_SHARE_READ: 0x1,
      CREATE_ALWAYS: 2,
      OPEN_EXISTING: 3,
      FILE_ATTRIBUTE_NORMAL: 0x80,
      INVALID_HANDLE_VALUE: -1,
      HeapCompatibilityInformation: 0,
      HeapEnableTerminationOnCorruption: 1,
    };
    for (const [name, value] of Object.entries(expected)) expect(exported[name], name).toBe(value);
  });
});

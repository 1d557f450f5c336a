// NUMA queries: GetNumaHighestNodeNumber, GetNumaAvailableMemoryNode(Ex) over createMachine({ numaNodes }),
// checked against allocations that land on a known node.
import { CURRENT_PROCESS_HANDLE, MEM_COMMIT } from '@mem/pages';
import { VirtualAllocExNuma } from '@mem/pages/win32';
import { describe, expect, it } from 'vitest';
import { ERROR_INVALID_PARAMETER, ERROR_NOACCESS, MEM_RESERVE, NUMA_NO_PREFERRED_NODE, PAGE_READWRITE } from '../src/constants';
import { availableMemoryOfNode, highestNodeNumber } from '../src/index';
import { AllocateUserPhysicalPagesNuma, GetNumaAvailableMemoryNode, GetNumaAvailableMemoryNodeEx, GetNumaHighestNodeNumber } from '../src/win32';
import { attempt, PAGE, SENTINEL, setup } from './support';

describe('NUMA queries', () => {
  it('GetNumaHighestNodeNumber is numaNodes - 1', () => {
    for (const numaNodes of [1, 2, 4]) {
      const { process, machine } = setup({ numaNodes });
      const highest = {};
      expect(attempt(process, () => GetNumaHighestNodeNumber(process, highest))).toEqual([true, SENTINEL]);
      expect(highest).toEqual({ value: numaNodes - 1 });
      expect(highestNodeNumber(machine.physical)).toBe(numaNodes - 1);
    }
    const { process } = setup();
    expect(attempt(process, () => GetNumaHighestNodeNumber(process, undefined))).toEqual([false, ERROR_NOACCESS]);
  });

  it('GetNumaAvailableMemoryNodeEx reports each node’s free RAM; allocations lower only their node', () => {
    const { process, machine } = setup({ numaNodes: 2, physicalMemory: 4 << 20 });
    const node0 = {};
    const node1 = {};
    expect(GetNumaAvailableMemoryNodeEx(process, 0, node0)).toBe(true);
    expect(GetNumaAvailableMemoryNodeEx(process, 1, node1)).toBe(true);
    const before0 = (node0 as { value: number }).value;
    const before1 = (node1 as { value: number }).value;
    expect(before0 + before1).toBe(machine.physical.availablePhysical);
    expect(AllocateUserPhysicalPagesNuma(process, CURRENT_PROCESS_HANDLE, { value: 10 }, [], 1)).toBe(true);
    expect(availableMemoryOfNode(machine.physical, 1)).toBe(before1 - 10 * PAGE);
    expect(availableMemoryOfNode(machine.physical, 0)).toBe(before0);
    const legacy = {};
    expect(GetNumaAvailableMemoryNode(process, 1, legacy)).toBe(true);
    expect(legacy).toEqual({ value: before1 - 10 * PAGE });
  });

  it('VirtualAllocExNuma puts the pages of a new region on the preferred node; NUMA_NO_PREFERRED_NODE is accepted', () => {
    const { process, machine } = setup({ numaNodes: 4 });
    const base = VirtualAllocExNuma(process, CURRENT_PROCESS_HANDLE, 0, 4 * PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE, 3);
    expect(base).not.toBe(0);
    for (let i = 0; i < 4; i++) {
      process.mem.setUint8(base + i * PAGE, 1);
      expect(machine.physical.nodeOf(process.addressSpace.pageState(base + i * PAGE).frame)).toBe(3);
    }
    expect(attempt(process, () => VirtualAllocExNuma(process, CURRENT_PROCESS_HANDLE, 0, PAGE, MEM_RESERVE, PAGE_READWRITE, NUMA_NO_PREFERRED_NODE))[0]).not.toBe(0);
    expect(attempt(process, () => VirtualAllocExNuma(process, CURRENT_PROCESS_HANDLE, 0, PAGE, MEM_RESERVE, PAGE_READWRITE, 4))).toEqual([0, ERROR_INVALID_PARAMETER]);
  });

  it('an unknown node fails with ERROR_INVALID_PARAMETER', () => {
    const { process } = setup({ numaNodes: 2 });
    const box = {};
    expect(attempt(process, () => GetNumaAvailableMemoryNodeEx(process, 2, box))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(attempt(process, () => GetNumaAvailableMemoryNode(process, 256, box))).toEqual([false, ERROR_INVALID_PARAMETER]);
    expect(box).toEqual({});
  });
});

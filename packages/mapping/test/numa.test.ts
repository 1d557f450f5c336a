// CreateFileMappingNuma / MapViewOfFileExNuma: the frames of a section come from the preferred node;
// NUMA_NO_PREFERRED_NODE means no preference; a node the machine lacks is ERROR_INVALID_PARAMETER.
import { ERROR_INVALID_PARAMETER, FILE_MAP_WRITE, INVALID_HANDLE_VALUE, PAGE_READWRITE } from '@mem/pages';
import { describe, expect, it } from 'vitest';
import { NUMA_NO_PREFERRED_NODE } from '../src/constants';
import type { Section } from '../src/section';
import { expectFailure, kernel } from './support';

describe('NUMA', () => {
  it('section pages take frames from the node CreateFileMappingNuma names', () => {
    const k = kernel({ numaNodes: 2, physicalMemory: 64 << 20 });
    const h = k.CreateFileMappingNuma(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x4000, undefined, 1);
    const view = k.MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
    for (let page = 0; page < 4; page++) k.process.mem.setUint8(view + page * 0x1000, page);
    const section = k.process.handles.get(h)?.object as Section;
    for (let page = 0; page < 4; page++) expect(k.machine.physical.nodeOf(section.frameIfPresent(page))).toBe(1);
    const anywhere = k.CreateFileMappingNuma(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x1000, undefined, NUMA_NO_PREFERRED_NODE);
    expect(anywhere).not.toBe(0);
  });

  it('a node the machine does not have is ERROR_INVALID_PARAMETER and creates nothing', () => {
    const k = kernel({ numaNodes: 2, physicalMemory: 64 << 20 });
    expectFailure(k, () => k.CreateFileMappingNuma(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 0x1000, 'n', 2), 0, ERROR_INVALID_PARAMETER);
    expect(k.process.handles.count).toBe(0);
    expect(k.machine.physical.commitChargePages).toBe(0);
  });
});

// Large pages and AWE windows: resident pages outside the working set, charged where Windows charges.
import { describe, expect, it } from 'vitest';
import {
  ALLOCATION_PHYSICAL,
  ERROR_INVALID_PARAMETER,
  ERROR_NO_SYSTEM_RESOURCES,
  MEM_COMMIT,
  PAGE_READONLY,
  PAGE_READWRITE,
  PhysicalMemory,
  createMachine,
} from '../src/index';
import { expectCode } from './helpers';

const MiB = 1 << 20;

describe('large pages', () => {
  it('take RAM frames at allocation, outside the working set, and give them back on release', () => {
    const machine = createMachine({ geometry: 'x64', physicalMemory: 16 * MiB, pagingFile: 16 * MiB });
    const process = machine.createProcess();
    const space = process.addressSpace;
    const available = machine.physical.availablePhysical;
    const base = space.allocate(0, 4 * MiB, PAGE_READWRITE, { largePages: true });
    expect(base % (2 * MiB)).toBe(0);
    expect(machine.physical.availablePhysical).toBe(available - 4 * MiB);
    expect(machine.physical.commitCharge).toBe(4 * MiB);
    expect(space.workingSetPages).toBe(0);
    process.mem.fill(base, 4 * MiB, 0xab);
    expect(space.workingSetPages).toBe(0);
    expect(machine.physical.availablePhysical).toBe(available - 4 * MiB);
    expect(space.query(base)).toMatchObject({ state: MEM_COMMIT, protect: PAGE_READWRITE, regionSize: 4 * MiB });
    expectCode(() => space.decommit(base, 0x1000), ERROR_INVALID_PARAMETER);
    expectCode(() => space.protect(base, 0x1000, PAGE_READONLY), ERROR_INVALID_PARAMETER);
    space.validate();
    space.release(base);
    expect(machine.physical.availablePhysical).toBe(available);
    expect(machine.physical.commitCharge).toBe(0);
    machine.physical.validate();
  });

  it('fail with ERROR_NO_SYSTEM_RESOURCES when RAM cannot hold them, leaving nothing behind', () => {
    const machine = createMachine({ geometry: 'x64', physicalMemory: 4 * MiB, pagingFile: 16 * MiB });
    const space = machine.createProcess().addressSpace;
    expectCode(() => space.allocate(0, 6 * MiB, PAGE_READWRITE, { largePages: true }), ERROR_NO_SYSTEM_RESOURCES);
    expect(space.allocationCount).toBe(0);
    expect(machine.physical.framesInUse).toBe(0);
    expect(machine.physical.commitCharge).toBe(0);
    expectCode(() => space.allocate(0, 3 * MiB, PAGE_READWRITE, { largePages: true }), ERROR_INVALID_PARAMETER);
  });
});

describe('AWE windows', () => {
  it('show frames without commit charge or working-set pages; unmapped pages fault again', () => {
    const machine = createMachine({ geometry: 'x64', physicalMemory: 16 * MiB, pagingFile: 0 });
    const process = machine.createProcess();
    const space = process.addressSpace;
    const base = space.reserve(0, 0x4000, { physical: true });
    const window = space.allocationAt(base);
    expect(((window?.flags ?? 0) & ALLOCATION_PHYSICAL) !== 0).toBe(true);
    const frame = machine.physical.allocateFrame();
    machine.physical.bytesOf(frame)[0] = 42;
    space.mapPhysicalPage(window as never, base + 0x1000, frame);
    expect(process.mem.getUint8(base + 0x1000)).toBe(42);
    process.mem.setUint8(base + 0x1001, 7);
    expect(machine.physical.refCount(frame)).toBe(2);
    expect(machine.physical.commitChargePages).toBe(0);
    expect(space.workingSetPages).toBe(0);
    expect(space.query(base + 0x1000)).toMatchObject({ state: MEM_COMMIT, protect: PAGE_READWRITE, regionSize: 0x1000 });
    space.validate();
    space.mapPhysicalPage(window as never, base + 0x1000, -1);
    expect(() => process.mem.getUint8(base + 0x1000)).toThrow();
    expect(machine.physical.refCount(frame)).toBe(1);
    expect(machine.physical.bytesOf(frame)[1]).toBe(7);
    space.mapPhysicalPage(window as never, base + 0x1000, -1);
    space.validate();
    const plain = space.allocationAt(space.allocate(0, 0x1000));
    expectCode(() => space.mapPhysicalPage(plain as never, plain?.base as number, frame), ERROR_INVALID_PARAMETER);
    expectCode(() => space.mapPhysicalPage(window as never, base + 0x4000, frame), ERROR_INVALID_PARAMETER);
    space.release(base);
    expect(machine.physical.refCount(frame)).toBe(1);
  });
});

describe('NUMA availability and process termination', () => {
  it('counts free RAM per node', () => {
    const physical = new PhysicalMemory({ pageSize: 4096, physicalMemory: 4 * MiB, pagingFile: 0, numaNodes: 2 });
    expect(physical.availableFramesOfNode(0)).toBe(512);
    const frame = physical.allocateFrame(1);
    expect(physical.availableFramesOfNode(1)).toBe(511);
    expect(physical.availableFramesOfNode(0)).toBe(512);
    physical.release(frame);
    expect(physical.availableFramesOfNode(1)).toBe(512);
    expect(physical.availableFramesOfNode(5)).toBe(0);
    physical.validate();
  });

  it('runs terminate hooks once, before handles close and memory is released', () => {
    const machine = createMachine();
    const process = machine.createProcess();
    const events: string[] = [];
    const base = process.addressSpace.allocate(0, 0x1000);
    process.handles.insert('Thing', {}, 0, () => events.push('handle closed'));
    process.onTerminate((ended) => {
      events.push(`hook sees ${ended.addressSpace.allocationCount} allocation(s)`);
      expect(ended.addressSpace.allocationAt(base)).toBeDefined();
    });
    process.terminate();
    process.terminate();
    expect(events).toEqual(['hook sees 1 allocation(s)', 'handle closed']);
    expect(process.addressSpace.allocationCount).toBe(0);
  });
});

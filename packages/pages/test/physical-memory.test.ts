import { describe, expect, it } from 'vitest';
import { MemError, PhysicalMemory, SLAB_BYTES } from '../src/index';

const MiB = 1024 * 1024;

function memory(ram = 4 * MiB, pagingFile = 4 * MiB, numaNodes = 1) {
  return new PhysicalMemory({ pageSize: 4096, physicalMemory: ram, pagingFile, numaNodes });
}

describe('PhysicalMemory commit accounting', () => {
  it('limits commit to RAM + paging file', () => {
    const physical = memory();
    expect(physical.commitLimitPages).toBe(2048);
    expect(physical.chargeCommit(2000)).toBe(true);
    expect(physical.chargeCommit(49)).toBe(false);
    expect(physical.commitChargePages).toBe(2000);
    expect(physical.chargeCommit(48)).toBe(true);
    expect(physical.commitCharge).toBe(2048 * 4096);
    physical.uncharge(1048);
    expect(physical.commitChargePages).toBe(1000);
    expect(physical.peakCommitChargePages).toBe(2048);
    expect(() => physical.uncharge(1001)).toThrow();
  });

  it('rejects bad sizes', () => {
    expect(() => memory(0)).toThrow(MemError);
    expect(() => memory(4 * MiB, -1)).toThrow(MemError);
    expect(() => memory(4 * MiB, 0, 0)).toThrow(MemError);
  });
});

describe('PhysicalMemory frames', () => {
  it('hands out zero frames with refcount 1 and counts availability', () => {
    const physical = memory();
    const frame = physical.allocateFrame();
    expect(physical.refCount(frame)).toBe(1);
    expect(physical.framesInUse).toBe(1);
    expect(physical.availablePhysical).toBe(4 * MiB - 4096);
    expect(physical.bytesOf(frame).every((byte) => byte === 0)).toBe(true);
    physical.validate();
  });

  it('reference-counts and zeroes a frame on reuse', () => {
    const physical = memory();
    const frame = physical.allocateFrame();
    physical.bytesOf(frame).fill(0xab);
    physical.addRef(frame);
    physical.release(frame);
    expect(physical.refCount(frame)).toBe(1);
    expect(physical.bytesOf(frame)[0]).toBe(0xab);
    physical.release(frame);
    expect(physical.refCount(frame)).toBe(0);
    expect(physical.framesInUse).toBe(0);
    const again = physical.allocateFrame();
    expect(again).toBe(frame);
    expect(physical.bytesOf(again).every((byte) => byte === 0)).toBe(true);
    expect(() => physical.release(12)).toThrow();
    expect(() => physical.addRef(12)).toThrow();
    physical.validate();
  });

  it('allocates slabs lazily', () => {
    const physical = memory(64 * MiB, 0);
    expect(physical.hostBytes).toBe(0);
    physical.allocateFrame();
    expect(physical.hostBytes).toBe(SLAB_BYTES);
  });

  it('hands out frames beyond RAM (paged out) up to the commit limit, never more', () => {
    const physical = memory(1 * MiB, 1 * MiB);
    const frames: number[] = [];
    for (let i = 0; i < 512; i++) frames.push(physical.allocateFrame());
    expect(new Set(frames).size).toBe(512);
    expect(frames.every((frame) => frame >= 0)).toBe(true);
    expect(physical.allocateFrame()).toBe(-1);
    expect(physical.availableFrames).toBe(0);
    physical.release(frames[300] as number);
    expect(physical.allocateFrame()).toBe(frames[300]);
    physical.validate();
  });

  it('splits RAM evenly over NUMA nodes and prefers the asked node', () => {
    const physical = memory(4 * MiB, 0, 2);
    const onNode1 = physical.allocateFrame(1);
    expect(physical.nodeOf(onNode1)).toBe(1);
    const onNode0 = physical.allocateFrame(0);
    expect(physical.nodeOf(onNode0)).toBe(0);
    // node 1 exhausted: falls back to node 0
    for (let i = 1; i < 512; i++) expect(physical.nodeOf(physical.allocateFrame(1))).toBe(1);
    expect(physical.nodeOf(physical.allocateFrame(1))).toBe(0);
    physical.validate();
  });
});

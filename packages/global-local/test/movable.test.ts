// The idiomatic door: Movable / MovableHandle over a process heap and over a heap of its own, with the
// errors it throws, blocks really moving (realloc and compaction), and the table it shares with Global*.
import { createHeap } from '@mem/heap';
import { ERROR_DISCARDED, ERROR_INVALID_HANDLE, ERROR_NOT_LOCKED, isMemError, MemError } from '@mem/pages';
import { describe, expect, it } from 'vitest';
import { GMEM_DDESHARE, GMEM_DISCARDABLE, GMEM_DISCARDED, GMEM_MOVEABLE } from '../src/constants';
import { Movable } from '../src/movable';
import { call, newKernel, SENTINEL } from './support';

function codeOf(action: () => unknown): number {
  try {
    action();
  } catch (error) {
    if (isMemError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a MemError');
}

describe('Movable', () => {
  it('alloc, lock, write, unlock, realloc, discard, free', () => {
    const k = newKernel('x64');
    const movable = Movable.of(k.process);
    const block = movable.alloc(100, { discardable: true });
    expect(block.size).toBe(100);
    expect(block.discardable).toBe(true);
    expect(block.lockCount).toBe(0);
    const address = block.lock();
    expect(block.lockCount).toBe(1);
    k.process.mem.write(address, new Uint8Array([1, 2, 3, 4]));
    expect(block.unlock()).toBe(false);

    block.realloc(5000);
    expect(block.size).toBe(5000);
    const moved = block.lock();
    expect([...k.process.mem.read(moved, 4)]).toEqual([1, 2, 3, 4]);
    block.unlock();

    block.discard();
    expect(block.discarded).toBe(true);
    expect(block.size).toBe(0);
    expect(block.address).toBe(0);
    expect(codeOf(() => block.lock())).toBe(ERROR_DISCARDED);
    block.realloc(16, { zeroInit: true });
    expect(block.discarded).toBe(false);
    expect(k.process.mem.read(block.lock(), 16).every((byte) => byte === 0)).toBe(true);
    block.unlock();

    block.free();
    expect(block.alive).toBe(false);
    expect(codeOf(() => block.lock())).toBe(ERROR_INVALID_HANDLE);
    expect(codeOf(() => block.size)).toBe(ERROR_INVALID_HANDLE);
    movable.validate();
  });

  it('throws MemError with the Windows codes: unlock without lock, discard while locked, move while locked', () => {
    const k = newKernel('x86');
    const movable = Movable.of(k.process);
    const block = movable.alloc(12);
    expect(codeOf(() => block.unlock())).toBe(ERROR_NOT_LOCKED);
    const address = block.lock();
    expect(() => block.discard()).toThrow(MemError);
    expect(block.discarded).toBe(false);
    // Growing a locked block far beyond its slot fails unless it may move; then it moves under the lock.
    const blocker = movable.alloc(12);
    expect(() => block.realloc(4096)).toThrow(MemError);
    expect(block.address).toBe(address);
    expect(block.size).toBe(12);
    block.realloc(4096, { moveLocked: true });
    expect(block.size).toBe(4096);
    expect(block.lockCount).toBe(1);
    blocker.free();
    block.free();
    expect(movable.handleCount).toBe(0);
  });

  it('lock counts saturate at 255 and unlock from there', () => {
    const k = newKernel('x64');
    const block = Movable.of(k.process).alloc(8);
    for (let i = 0; i < 300; i++) block.lock();
    expect(block.lockCount).toBe(255);
    expect(block.flags).toBe(255);
    for (let i = 0; i < 254; i++) expect(block.unlock()).toBe(true);
    expect(block.unlock()).toBe(false);
    expect(block.lockCount).toBe(0);
  });

  it('shares the handle table with GlobalAlloc / LocalAlloc', () => {
    const k = newKernel('x64');
    const movable = Movable.of(k.process);
    const block = movable.alloc(32, { ddeShare: true, discardable: true });
    expect(k.GlobalSize(block.handle)).toBe(32);
    expect(k.GlobalFlags(block.handle)).toBe(GMEM_DDESHARE | GMEM_DISCARDABLE);
    const pointer = k.GlobalLock(block.handle);
    expect(block.lockCount).toBe(1);
    expect(block.address).toBe(pointer);
    expect(movable.handle(pointer).handle).toBe(block.handle);

    const fromGlobal = movable.handle(k.GlobalAlloc(GMEM_MOVEABLE, 0));
    expect(fromGlobal.discarded).toBe(true);
    expect(fromGlobal.flags).toBe(GMEM_DISCARDED);

    // A handle freed by GlobalFree is dead for its object, even when the slot is handed out again.
    expect(k.GlobalFree(block.handle)).toBe(0);
    const reuse = movable.alloc(4);
    expect(reuse.handle).toBe(block.handle);
    expect(block.alive).toBe(false);
    expect(codeOf(() => block.lock())).toBe(ERROR_INVALID_HANDLE);
    expect(reuse.alive).toBe(true);
    expect(codeOf(() => movable.handle(0x1234))).toBe(ERROR_INVALID_HANDLE);
    expect(call(k, () => k.GlobalSize(reuse.handle))).toEqual([4, SENTINEL]);
    expect(movable.handles().map((each) => each.handle)).toEqual([reuse.handle, fromGlobal.handle]);
    expect(movable.handles().map((each) => each.size)).toEqual([4, 0]);
  });

  it('compaction moves unlocked blocks down, keeps contents and handles, leaves locked blocks, drops discardables on request', () => {
    const k = newKernel('x64', 'segregated');
    const movable = Movable.of(k.process);
    const fillers = Array.from({ length: 8 }, () => movable.alloc(2000));
    const keep = movable.alloc(2000);
    const pinned = movable.alloc(2000);
    const droppable = movable.alloc(2000, { discardable: true });
    const address = keep.lock();
    k.process.mem.fill(address, 2000, 0x99);
    keep.unlock();
    const pinnedAddress = pinned.lock();
    for (const filler of fillers) filler.free();

    expect(movable.compact()).toBeGreaterThan(0);
    expect(keep.address).toBeLessThan(address);
    expect(k.process.mem.read(keep.lock(), 2000).every((byte) => byte === 0x99)).toBe(true);
    keep.unlock();
    expect(pinned.address).toBe(pinnedAddress);
    expect(k.GlobalHandle(keep.address)).toBe(keep.handle);
    movable.validate();

    expect(movable.compact({ discard: true })).toBeGreaterThan(0);
    expect(droppable.discarded).toBe(true);
    expect(keep.discarded).toBe(false);
    movable.validate();
  });

  it('works over any heap: a private heap and a small handle capacity', () => {
    const k = newKernel('x86');
    const heap = createHeap(k.process);
    const movable = new Movable(heap, { handleCapacity: 4 });
    const blocks = [movable.alloc(1), movable.alloc(2), movable.alloc(3), movable.alloc(4)];
    expect(() => movable.alloc(5)).toThrow(MemError);
    blocks[0]!.free();
    const again = movable.alloc(5);
    expect(again.handle).toBe(blocks[0]!.handle);
    expect(heap.validate(again.lock())).toBe(true);
    // Its handles are not the process's Global handles.
    expect(call(k, () => k.GlobalSize(again.handle))).toEqual([0, ERROR_INVALID_HANDLE]);
    movable.validate();
  });
});

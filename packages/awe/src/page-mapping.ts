// The one seam between AWE and the page table: show a frame at a page of a MEM_PHYSICAL allocation,
// or nothing. AddressSpace.mapPhysicalPage does it without commit charge or working-set counting
// (the frames were charged when allocated) and takes its own reference on the frame while shown.
import type { AddressSpace, Allocation } from '@mem/pages';

/** Shows `frame` (-1: nothing, the page faults again) at `address` of the physical `allocation`. */
export function showFrame(space: AddressSpace, allocation: Allocation, address: number, frame: number): void {
  space.mapPhysicalPage(allocation, address, frame);
}

// The one seam between AWE and the page table: show a frame at a page of a MEM_PHYSICAL allocation,
// or nothing. AddressSpace.mapPhysicalPage does it without commit charge or working-set counting
// (the frames were charged when allocated).
import { type AddressSpace, type Allocation, PAGE_READWRITE } from '@mem/pages';

interface PhysicalPageMapper {
  mapPhysicalPage(allocation: Allocation, address: number, frame: number): void;
}

/** Shows `frame` (-1: nothing, the page faults again) at `address` of the physical `allocation`. */
export function showFrame(space: AddressSpace, allocation: Allocation, address: number, frame: number): void {
  const mapper = space as AddressSpace & Partial<PhysicalPageMapper>;
  if (mapper.mapPhysicalPage !== undefined) {
    mapper.mapPhysicalPage(allocation, address, frame);
    return;
  }
  // TEMPORARY until @mem/pages has mapPhysicalPage: functionally right, but charges commit and
  // counts the working set per shown page
  if (frame < 0) {
    space.setDecommitted(allocation, address, space.pageSize);
    return;
  }
  if (space.pageTable.protectionOf(Math.floor(address / space.pageSize)) === 0) {
    space.setCommitted(allocation, address, space.pageSize, PAGE_READWRITE);
  }
  space.setPageFrame(address, frame);
}

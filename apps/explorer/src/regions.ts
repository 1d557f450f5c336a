// The address space as the explorer shows it: a VirtualQuery walk of the whole user range, each
// region classified by who made its allocation (heap, view, AWE window, plain VirtualAlloc), and the
// free space left between a reservation's end and the next 64 KiB boundary split off as Unusable.
import { ALLOCATION_PHYSICAL, type Kernel32, MEM_COMMIT, MEM_FREE, MEM_IMAGE, MEM_MAPPED, MEM_RESERVE } from '@mem/kernel32';
import { TABLE_TAG } from '@mem/global-local';
import type { RegionKind } from './region-kinds';

/** MEMORY_BASIC_INFORMATION as VirtualQuery fills it. */
export interface MemoryBasicInformation {
  BaseAddress: number;
  AllocationBase: number;
  AllocationProtect: number;
  RegionSize: number;
  State: number;
  Protect: number;
  Type: number;
}

export type RegionState = 'commit' | 'reserve' | 'free';

/** One row of the explorer's region table. Half-open: [base, base + size). */
export interface ExplorerRegion {
  base: number;
  size: number;
  state: RegionState;
  kind: RegionKind;
  /** PAGE_* of committed pages; 0 for reserved and free rows. */
  protect: number;
  allocationBase: number;
  allocationProtect: number;
  /** MEM_PRIVATE, MEM_MAPPED, MEM_IMAGE; 0 when free. */
  type: number;
  /** Owner as VMMap's Details column names it: heap handle, section, AWE window … */
  details: string;
}

/** Every region VirtualQuery reports, from address 0 to the top of the user range, in order. */
export function queryRegions(k: Kernel32): MemoryBasicInformation[] {
  const system: { lpMaximumApplicationAddress?: number } = {};
  k.GetSystemInfo(system);
  const top = system.lpMaximumApplicationAddress ?? 0;
  const regions: MemoryBasicInformation[] = [];
  let address = 0;
  while (address <= top) {
    const info = {} as MemoryBasicInformation;
    if (k.VirtualQuery(address, info) === 0 || info.RegionSize <= 0) break;
    regions.push(info);
    address = info.BaseAddress + info.RegionSize;
  }
  return regions;
}

function stateOf(state: number): RegionState {
  if (state === MEM_COMMIT) return 'commit';
  if (state === MEM_RESERVE) return 'reserve';
  return 'free';
}

/** The kind and details of an allocated region, from its allocation's type, flags and owner tag. */
export function classifyAllocation(k: Kernel32, info: MemoryBasicInformation): { kind: RegionKind; details: string } {
  const allocation = k.process.addressSpace.allocationAt(info.AllocationBase);
  const tag = allocation?.tag ?? '';
  if (info.Type === MEM_IMAGE) return { kind: 'image', details: tag };
  if (info.Type === MEM_MAPPED) {
    const owner = allocation?.owner as { section?: { file?: unknown; name?: string } } | undefined;
    const fileBacked = owner?.section?.file !== undefined;
    return { kind: fileBacked ? 'mapped-file' : 'shareable', details: tag };
  }
  if (allocation !== undefined && allocation.flags % (ALLOCATION_PHYSICAL * 2) >= ALLOCATION_PHYSICAL) {
    return { kind: 'awe', details: tag || 'AWE window' };
  }
  if (tag.startsWith('heap')) return { kind: 'heap', details: tag };
  if (tag === TABLE_TAG) return { kind: 'private', details: 'Global/Local handle table' };
  return { kind: 'private', details: tag };
}

/**
 * The explorer's rows: VirtualQuery's regions classified; a free region that starts inside a 64 KiB
 * granule (right after a reservation whose size is not a multiple of the granularity) begins with an
 * Unusable row up to the next granule boundary, as VMMap shows it.
 */
export function classifyRegions(k: Kernel32, regions: MemoryBasicInformation[] = queryRegions(k)): ExplorerRegion[] {
  const system: { dwAllocationGranularity?: number } = {};
  k.GetSystemInfo(system);
  const granularity = system.dwAllocationGranularity ?? 0x10000;
  const rows: ExplorerRegion[] = [];
  for (const info of regions) {
    if (info.State !== MEM_FREE) {
      const { kind, details } = classifyAllocation(k, info);
      rows.push({
        base: info.BaseAddress,
        size: info.RegionSize,
        state: stateOf(info.State),
        kind,
        protect: info.State === MEM_COMMIT ? info.Protect : 0,
        allocationBase: info.AllocationBase,
        allocationProtect: info.AllocationProtect,
        type: info.Type,
        details,
      });
      continue;
    }
    let base = info.BaseAddress;
    const end = info.BaseAddress + info.RegionSize;
    const boundary = Math.ceil(base / granularity) * granularity;
    if (boundary > base) {
      const slackEnd = Math.min(boundary, end);
      rows.push(freeRow(base, slackEnd - base, 'unusable', 'slack of 64 KiB granularity'));
      base = slackEnd;
    }
    if (end > base) rows.push(freeRow(base, end - base, 'free', ''));
  }
  return rows;
}

function freeRow(base: number, size: number, kind: RegionKind, details: string): ExplorerRegion {
  return { base, size, state: 'free', kind, protect: 0, allocationBase: 0, allocationProtect: 0, type: 0, details };
}

/** VMMap's Summary View: per type, its size, committed bytes, number of allocations and largest block. */
export interface KindSummary {
  kind: RegionKind;
  size: number;
  committed: number;
  /** Allocations (distinct allocation bases); for Free and Unusable, separate ranges. */
  blocks: number;
  /** Largest allocation (or free range) of the type. */
  largest: number;
}

export function summarizeKinds(rows: readonly ExplorerRegion[]): Map<RegionKind, KindSummary> {
  const result = new Map<RegionKind, KindSummary>();
  const allocationSizes = new Map<number, { kind: RegionKind; size: number }>();
  for (const row of rows) {
    let entry = result.get(row.kind);
    if (entry === undefined) {
      entry = { kind: row.kind, size: 0, committed: 0, blocks: 0, largest: 0 };
      result.set(row.kind, entry);
    }
    entry.size += row.size;
    if (row.state === 'commit') entry.committed += row.size;
    if (row.state === 'free') {
      entry.blocks++;
      entry.largest = Math.max(entry.largest, row.size);
    } else {
      const allocation = allocationSizes.get(row.allocationBase);
      if (allocation === undefined) allocationSizes.set(row.allocationBase, { kind: row.kind, size: row.size });
      else allocation.size += row.size;
    }
  }
  for (const { kind, size } of allocationSizes.values()) {
    const entry = result.get(kind)!;
    entry.blocks++;
    entry.largest = Math.max(entry.largest, size);
  }
  return result;
}

/** Change per type between two summaries (VMMap's snapshot comparison): size and committed deltas, in bytes. */
export function diffKinds(
  before: ReadonlyMap<RegionKind, KindSummary>,
  after: ReadonlyMap<RegionKind, KindSummary>,
): Map<RegionKind, { size: number; committed: number; blocks: number }> {
  const result = new Map<RegionKind, { size: number; committed: number; blocks: number }>();
  for (const kind of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(kind);
    const b = after.get(kind);
    result.set(kind, {
      size: (b?.size ?? 0) - (a?.size ?? 0),
      committed: (b?.committed ?? 0) - (a?.committed ?? 0),
      blocks: (b?.blocks ?? 0) - (a?.blocks ?? 0),
    });
  }
  return result;
}

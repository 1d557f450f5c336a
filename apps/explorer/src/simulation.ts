// The simulated process the page shows and the scenarios that drive it. Every Win32 call a scenario
// makes goes through `call`, which records it (name, arguments, result, last error on failure) in the
// operations log, as VMMap's trace lists a process's calls.
import {
  createSystem,
  FILE_MAP_ALL_ACCESS,
  GMEM_DISCARDABLE,
  GMEM_FIXED,
  GMEM_MOVEABLE,
  INVALID_HANDLE_VALUE,
  type Kernel32,
  MEM_COMMIT,
  MEM_PHYSICAL,
  MEM_RELEASE,
  MEM_RESERVE,
  PAGE_GUARD,
  PAGE_READONLY,
  PAGE_READWRITE,
  type Win32Surface,
} from '@mem/kernel32';
import { HeapWalkCache } from './heap-view';

export type GeometryChoice = 'x64' | 'x86';

export interface LogEntry {
  call: string;
  result: string;
  failed: boolean;
}

/** One simulated process and what the scenarios made in it. */
export class Simulation {
  readonly k: Kernel32;
  readonly geometry: GeometryChoice;
  readonly log: LogEntry[] = [];
  /** Bases of reservations made by the scenarios, newest last. */
  readonly reservations: number[] = [];
  /** The reservation the "reserve" scenario made last (where "commit" commits). */
  reserved = 0;
  /** Blocks the heap scenario allocated in the process heap. */
  heapBlocks: number[] = [];
  /** Global/Local handles (or fixed pointers) the scenario made. */
  readonly globals: { handle: number; moveable: boolean }[] = [];
  readonly views: number[] = [];
  /** User physical pages allocated by the AWE scenario (charged until freed, even with no window). */
  awePages = 0;
  /** The last walk of each heap: what the page shows of a heap that refuses to be walked. */
  readonly heapWalks = new HeapWalkCache();
  private seed = 0x2545f491;

  constructor(geometry: GeometryChoice = 'x64') {
    this.geometry = geometry;
    const system = createSystem({ geometry, physicalMemory: 1024 * 1024 * 1024, pagingFile: 1024 * 1024 * 1024 });
    this.k = system.createProcess({ name: 'explorer.exe', privileges: ['SeLockMemoryPrivilege'] });
  }

  /** Calls a Win32 function of the process and logs it. */
  call<N extends keyof Win32Surface>(
    name: N,
    ...args: Win32Surface[N] extends (...parameters: infer A) => unknown ? A : never
  ): Win32Surface[N] extends (...parameters: never[]) => infer R ? R : never {
    const fn = this.k[name] as unknown as (...parameters: unknown[]) => unknown;
    this.k.SetLastError(0);
    const result = fn(...args);
    const failed = result === 0 || result === false;
    const error = failed ? this.k.GetLastError() : 0;
    this.record(`${name}(${args.map(formatArgument).join(', ')})`, `${formatArgument(result)}${error !== 0 ? ` (error ${error})` : ''}`, failed);
    return result as Win32Surface[N] extends (...parameters: never[]) => infer R ? R : never;
  }

  record(call: string, result: string, failed = false): void {
    this.log.push({ call, result, failed });
    if (this.log.length > 500) this.log.splice(0, this.log.length - 500);
  }

  /** A deterministic pseudo-random integer in [0, bound) (xorshift32). */
  random(bound: number): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed % bound;
  }

  get pageSize(): number {
    return this.k.process.geometry.pageSize;
  }
}

function formatArgument(value: unknown): string {
  if (value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return value >= 0x1000 ? `0x${value.toString(16)}` : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.length}]`;
  if (typeof value === 'object' && value !== null && 'value' in value) return `&${formatArgument((value as { value: unknown }).value)}`;
  return '{…}';
}

export interface Scenario {
  id: string;
  label: string;
  run(sim: Simulation): void;
}

const KIB = 1024;
const MIB = 1024 * 1024;

/** The scenario buttons, in the order the page shows them. */
export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'reserve',
    label: 'Reserve 1 MiB + 4 KiB',
    run(sim) {
      const base = sim.call('VirtualAlloc', 0, MIB + 4 * KIB, MEM_RESERVE, PAGE_READWRITE);
      if (base === 0) return;
      sim.reservations.push(base);
      sim.reserved = base;
    },
  },
  {
    id: 'commit',
    label: 'Commit 64 KiB and touch it',
    run(sim) {
      if (!sim.reservations.includes(sim.reserved)) {
        const base = sim.call('VirtualAlloc', 0, MIB + 4 * KIB, MEM_RESERVE, PAGE_READWRITE);
        if (base === 0) return;
        sim.reservations.push(base);
        sim.reserved = base;
      }
      const committed = sim.call('VirtualAlloc', sim.reserved, 64 * KIB, MEM_COMMIT, PAGE_READWRITE);
      for (let offset = 0; committed !== 0 && offset < 64 * KIB; offset += sim.pageSize) sim.k.mem.setUint8(committed + offset, 1);
    },
  },
  {
    id: 'protect',
    label: 'Protect: read-only + guard page',
    run(sim) {
      const base = sim.call('VirtualAlloc', 0, 64 * KIB, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
      if (base === 0) return;
      sim.reservations.push(base);
      sim.call('VirtualProtect', base + 4 * sim.pageSize, 2 * sim.pageSize, PAGE_READONLY, {});
      sim.call('VirtualProtect', base + 8 * sim.pageSize, sim.pageSize, PAGE_READWRITE | PAGE_GUARD, {});
    },
  },
  {
    id: 'small-allocs',
    label: '4 KiB VirtualAllocs (unusable slack)',
    run(sim) {
      for (let i = 0; i < 4; i++) {
        const base = sim.call('VirtualAlloc', 0, 4 * KIB, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
        if (base !== 0) sim.reservations.push(base);
      }
    },
  },
  {
    id: 'heap-allocs',
    label: 'HeapAlloc ×300 (process heap)',
    run(sim) {
      const heap = sim.call('GetProcessHeap');
      for (let i = 0; i < 300; i++) {
        const size = i % 3 === 0 ? 48 : 16 + sim.random(2000);
        const block = sim.k.HeapAlloc(heap, 0, size);
        if (block !== 0) {
          sim.k.mem.setUint8(block, 0x42);
          sim.heapBlocks.push(block);
        }
      }
      sim.record(`HeapAlloc(0x${heap.toString(16)}, 0, …) ×300`, `${sim.heapBlocks.length} live blocks`);
    },
  },
  {
    id: 'heap-frees',
    label: 'HeapFree every other block',
    run(sim) {
      const heap = sim.k.GetProcessHeap();
      const kept: number[] = [];
      let freed = 0;
      sim.heapBlocks.forEach((block, index) => {
        if (index % 2 === 0 && sim.k.HeapFree(heap, 0, block)) freed++;
        else kept.push(block);
      });
      sim.heapBlocks = kept;
      sim.record(`HeapFree(0x${heap.toString(16)}, 0, …) ×${freed}`, 'TRUE');
    },
  },
  {
    id: 'large-block',
    label: 'HeapAlloc 2 MiB (large block)',
    run(sim) {
      const block = sim.call('HeapAlloc', sim.k.GetProcessHeap(), 0, 2 * MIB);
      if (block !== 0) sim.heapBlocks.push(block);
    },
  },
  {
    id: 'overflow',
    label: 'Overflow a heap block',
    run(sim) {
      const heap = sim.call('HeapCreate', 0, 0, 0);
      if (heap === 0) return;
      const blocks: number[] = [];
      for (let i = 0; i < 4; i++) blocks.push(sim.call('HeapAlloc', heap, 0, 24));
      // the explorer's snapshot before the damage (a corrupted heap refuses HeapWalk afterwards)
      sim.heapWalks.walk(sim.k, heap);
      const victim = blocks[1]!;
      // 24 bytes of data, then 24 more: through the unused tail and into the next block's header
      sim.k.mem.fill(victim, 48, 0x41);
      sim.record(`mem.fill(0x${victim.toString(16)}, 48, 0x41)`, 'wrote 24 bytes past the block');
      sim.call('HeapValidate', heap, 0, undefined);
    },
  },
  {
    id: 'map-view',
    label: 'CreateFileMapping + MapViewOfFile',
    run(sim) {
      const section = sim.call('CreateFileMapping', INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, 256 * KIB, undefined);
      if (section === 0) return;
      const view = sim.call('MapViewOfFile', section, FILE_MAP_ALL_ACCESS, 0, 0, 0);
      if (view === 0) return;
      sim.views.push(view);
      sim.k.mem.setUint32(view, 0xfeedface);
    },
  },
  {
    id: 'awe',
    label: 'AWE window (16 pages, 8 mapped)',
    run(sim) {
      const count = { value: 16 };
      const frames: number[] = [];
      if (!sim.call('AllocateUserPhysicalPages', sim.k.GetCurrentProcess(), count, frames)) return;
      sim.awePages += count.value;
      const window = sim.call('VirtualAlloc', 0, 16 * sim.pageSize, MEM_RESERVE | MEM_PHYSICAL, PAGE_READWRITE);
      if (window === 0) return;
      sim.reservations.push(window);
      if (sim.call('MapUserPhysicalPages', window, 8, frames)) sim.k.mem.setUint32(window, 0xae);
    },
  },
  {
    id: 'global',
    label: 'GlobalAlloc moveable blocks',
    run(sim) {
      const moveable: number[] = [];
      for (let i = 0; i < 3; i++) moveable.push(sim.call('GlobalAlloc', GMEM_MOVEABLE, 1000 * (i + 1)));
      const discardable = sim.call('GlobalAlloc', GMEM_MOVEABLE | GMEM_DISCARDABLE, 4000);
      moveable.push(discardable);
      for (const handle of moveable) if (handle !== 0) sim.globals.push({ handle, moveable: true });
      const fixed = sim.call('GlobalAlloc', GMEM_FIXED, 256);
      if (fixed !== 0) sim.globals.push({ handle: fixed, moveable: false });
      if (moveable[0]) sim.call('GlobalLock', moveable[0]);
      if (discardable !== 0) sim.call('GlobalDiscard', discardable);
    },
  },
  {
    id: 'release',
    label: 'VirtualFree the reservations',
    run(sim) {
      for (const base of sim.reservations.splice(0)) sim.call('VirtualFree', base, 0, MEM_RELEASE);
    },
  },
];

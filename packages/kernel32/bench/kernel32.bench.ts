// Benchmark of @mem/kernel32: the cost of going through a Kernel32 (bound door functions) against
// calling the @mem/pages door directly, for Win32 calls and for k.mem loads and stores, plus process
// creation (binding every door, creating the process heap).
// Run: pnpm --filter @mem/kernel32 bench
import { MEM_COMMIT, MEM_RELEASE, MEM_RESERVE, PAGE_READWRITE, createSystem } from '../src/index';
import { VirtualAlloc, VirtualFree, VirtualQuery } from '@mem/pages/win32';
import { Bench } from 'tinybench';

const system = createSystem({ geometry: 'x64' });
const k = system.createProcess();
const process = k.process;
const buffer = k.VirtualAlloc(0, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
const mbi = {};
let sink = 0;

const bench = new Bench({ time: 300 });
bench
  .add('k.VirtualAlloc + k.VirtualFree (64 KiB, commit)', () => {
    const p = k.VirtualAlloc(0, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    k.VirtualFree(p, 0, MEM_RELEASE);
  })
  .add('door VirtualAlloc + VirtualFree (same, unbound)', () => {
    const p = VirtualAlloc(process, 0, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    VirtualFree(process, p, 0, MEM_RELEASE);
  })
  .add('k.VirtualQuery', () => {
    sink += k.VirtualQuery(buffer + 0x2000, mbi);
  })
  .add('door VirtualQuery', () => {
    sink += VirtualQuery(process, buffer + 0x2000, mbi);
  })
  .add('k.mem.getUint32 / setUint32 x 1024', () => {
    const mem = k.mem;
    for (let i = 0; i < 4096; i += 4) mem.setUint32(buffer + i, i);
    for (let i = 0; i < 4096; i += 4) sink += mem.getUint32(buffer + i);
  })
  .add('system.createProcess (bind doors, process heap)', () => {
    const created = system.createProcess();
    created.process.terminate();
  });

await bench.run();
console.table(bench.table());
if (sink === -1) console.log(sink);

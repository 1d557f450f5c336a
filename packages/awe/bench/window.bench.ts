// Benchmark of @mem/awe: paging a data set through a small AWE window — one remap of a window page
// (the AWE "page turn"), a remap plus a 4-byte read, and for scale a plain k.mem read of a mapped page
// and the copy-based alternative (write the page's 4 KiB into an ordinary committed page).
// Run: pnpm --filter @mem/awe bench
import { createMachine } from '@mem/pages';
import { Bench } from 'tinybench';
import { createAweWindow } from '../src/index';

const machine = createMachine({ physicalMemory: 256 << 20 });
const process = machine.createProcess({ privileges: ['SeLockMemoryPrivilege'] });
const POOL = 4096;
const window = createAweWindow(process, { windowPages: 8, poolPages: POOL });
for (let pool = 0; pool < POOL; pool++) {
  const address = window.map(pool % 8, pool);
  process.mem.setUint32(address, pool);
}
const ordinary = process.addressSpace.allocate(0, 0x1000);
const page = new Uint8Array(0x1000);

let next = 0;
let sink = 0;
const bench = new Bench({ time: 500 });
bench
  .add('AweWindow.map (one page turn)', () => {
    window.map(next & 7, next % POOL);
    next++;
  })
  .add('map + getUint32', () => {
    const address = window.map(next & 7, next % POOL);
    sink += process.mem.getUint32(address);
    next++;
  })
  .add('k.mem.getUint32 of a mapped page', () => {
    sink += process.mem.getUint32(window.base);
  })
  .add('copy a 4 KiB page into ordinary memory (the non-AWE way)', () => {
    process.mem.write(ordinary, page);
  });
await bench.run();
console.table(bench.table());
if (sink === -1) console.log(sink);

// Benchmark of @mem/mapping: the costs users see — mapping and unmapping a 1 MiB view, the first touch
// of a view page (the section's frame resolved and shared), a load through a warm view against a load
// of private memory, and a store seen by a second process.
// Run: pnpm --filter @mem/mapping bench
import { createMachine } from '@mem/pages';
import { Bench } from 'tinybench';
import { createSection } from '../src/index';

const machine = createMachine({ physicalMemory: 512 << 20 });
const writer = machine.createProcess();
const reader = machine.createProcess();
const section = createSection(writer, { size: 1 << 20, name: 'bench' });
const warm = section.map(writer);
const remote = section.map(reader);
for (let offset = 0; offset < 1 << 20; offset += 0x1000) writer.mem.setUint32(warm.address + offset, offset);
const privateBase = writer.addressSpace.allocate(0, 1 << 20);
for (let offset = 0; offset < 1 << 20; offset += 0x1000) writer.mem.setUint32(privateBase + offset, offset);

let cursor = 0;
let sink = 0;
const bench = new Bench({ time: 500 });
bench
  .add('map + unmap a 1 MiB view', () => {
    section.map(writer).unmap();
  })
  .add('map, first-touch 16 pages, unmap', () => {
    const view = section.map(writer, { size: 0x10000 });
    for (let page = 0; page < 16; page++) sink += writer.mem.getUint8(view.address + page * 0x1000);
    view.unmap();
  })
  .add('getUint32 through a warm view', () => {
    sink += writer.mem.getUint32(warm.address + (cursor & 0xffffc));
    cursor += 4100;
  })
  .add('getUint32 of private memory', () => {
    sink += writer.mem.getUint32(privateBase + (cursor & 0xffffc));
    cursor += 4100;
  })
  .add('store in one process, load in the other', () => {
    const offset = cursor & 0xffffc;
    writer.mem.setUint32(warm.address + offset, cursor);
    sink += reader.mem.getUint32(remote.address + offset);
    cursor += 4100;
  });

await bench.run();
console.table(bench.table());
if (sink === -1) console.log(sink);

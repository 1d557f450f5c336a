// Benchmark of @mem/pages (the "done when"): host memory for a 64 TiB reservation and for
// 1 GiB committed and touched, and k.mem.getUint32 against DataView.getUint32 on a plain buffer.
// Run: pnpm --filter @mem/pages bench   (node flag --expose-gc makes the memory figures exact)
import { Bench } from 'tinybench';
import { createMachine } from '../src/index';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) {
    collect();
    collect();
  }
}

function hostBytes(): number {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(2)} MiB`;
}

// ---- 1. k.mem.getUint32 vs DataView.getUint32 (first, while the JIT has seen only steady-state
// accesses: after the 1 GiB first-touch pass below, which runs every access through the miss and
// slow paths, the same loop measures 4-5x)
{
  const machine = createMachine({ geometry: 'x64' });
  const target = machine.createProcess();
  const size = 64 * 1024;
  const base = target.addressSpace.allocate(0, size);
  const high = target.addressSpace.allocate(0, size, 4, { topDown: true });
  for (let offset = 0; offset < size; offset += 4) target.mem.setUint32(base + offset, offset);
  const buffer = new ArrayBuffer(size);
  const view = new DataView(buffer);
  for (let offset = 0; offset < size; offset += 4) view.setUint32(offset, offset, true);
  const mem = target.mem;
  // what an accessor object over one buffer costs (no page lookup): the floor for any checked accessor
  class FlatAccessor {
    declare readonly view: DataView;
    constructor(view: DataView) {
      this.view = view;
    }
    getUint32(address: number): number {
      return this.view.getUint32(address, true);
    }
  }
  const flat = new FlatAccessor(view);
  let sink = 0;
  const bench = new Bench({ time: 1000, warmup: true });
  bench
    .add('DataView.getUint32 (plain ArrayBuffer, 16 K loads)', () => {
      let sum = 0;
      for (let offset = 0; offset < size; offset += 4) sum += view.getUint32(offset, true);
      sink += sum;
    })
    .add('DataView behind an accessor method (flat-buffer HeapMemory style, 16 K loads)', () => {
      let sum = 0;
      for (let offset = 0; offset < size; offset += 4) sum += flat.getUint32(offset);
      sink += sum;
    })
    .add('k.mem.getUint32 (committed pages, 16 K loads)', () => {
      let sum = 0;
      for (let offset = 0; offset < size; offset += 4) sum += mem.getUint32(base + offset);
      sink += sum;
    })
    .add('k.mem.setUint32 (committed pages, 16 K stores)', () => {
      for (let offset = 0; offset < size; offset += 4) mem.setUint32(base + offset, offset);
    });
  await bench.run();
  console.table(bench.table());
  const stats = bench.tasks.map((task) => {
    const result = task.result as { latency?: { mean: number; p50?: number } } | undefined;
    return { mean: result?.latency?.mean ?? Number.NaN, median: result?.latency?.p50 ?? Number.NaN };
  });
  const plain = stats[0] as { mean: number; median: number };
  const accessor = stats[1] as { mean: number; median: number };
  const simulated = stats[2] as { mean: number; median: number };
  console.log(`k.mem.getUint32 / DataView accessor method: ${(simulated.median / accessor.median).toFixed(2)}x by median`);
  console.log(
    `k.mem.getUint32 / DataView.getUint32: ${(simulated.median / plain.median).toFixed(2)}x by median, ` +
      `${(simulated.mean / plain.mean).toFixed(2)}x by mean; per load ${((simulated.median * 1e6) / 16384).toFixed(2)} ns vs ` +
      `${((plain.median * 1e6) / 16384).toFixed(2)} ns (sink ${sink > 0})`,
  );
  // Then addresses above 2^30 (here a top-down page near the x64 top): once one is cached, V8 keeps
  // the translation-cache fields of every MemoryAccess as doubles, so this runs in its own Bench after.
  const highBench = new Bench({ time: 1000, warmup: true });
  highBench
    .add('DataView.getUint32 (plain ArrayBuffer, 16 K loads)', () => {
      let sum = 0;
      for (let offset = 0; offset < size; offset += 4) sum += view.getUint32(offset, true);
      sink += sum;
    })
    .add('k.mem.getUint32 (committed pages at 0x7FFFFFFE0000, 16 K loads)', () => {
      let sum = 0;
      for (let offset = 0; offset < size; offset += 4) sum += mem.getUint32(high + offset);
      sink += sum;
    });
  await highBench.run();
  const [highPlain, highLoads] = highBench.tasks.map((task) => (task.result as { latency?: { p50?: number } } | undefined)?.latency?.p50 ?? Number.NaN);
  console.log(`k.mem.getUint32 above 2^30 / DataView.getUint32: ${((highLoads as number) / (highPlain as number)).toFixed(2)}x by median`);
}
// ---- 2. reserving 64 TiB on x64
{
  const machine = createMachine({ geometry: 'x64' });
  const target = machine.createProcess();
  const before = hostBytes();
  const started = performance.now();
  const base = target.addressSpace.reserve(0, 64 * 2 ** 40);
  const elapsed = performance.now() - started;
  const after = hostBytes();
  const queryStart = performance.now();
  const region = target.addressSpace.query(base + 2 ** 44);
  const queryElapsed = performance.now() - queryStart;
  console.log(`reserve 64 TiB (x64): ${elapsed.toFixed(3)} ms, host memory +${mib(after - before)}, query inside it ${queryElapsed.toFixed(3)} ms (region ${region.regionSize / 2 ** 40} TiB)`);
}

// ---- 3. committing and touching 1 GiB
{
  const machine = createMachine({ geometry: 'x64', physicalMemory: 2 * GiB, pagingFile: GiB });
  const target = machine.createProcess();
  const before = hostBytes();
  const started = performance.now();
  const base = target.addressSpace.allocate(0, GiB);
  const committed = performance.now();
  for (let address = base; address < base + GiB; address += 4096) target.mem.setUint32(address, address / 4096);
  const touched = performance.now();
  const after = hostBytes();
  const cost = after - before;
  console.log(
    `commit 1 GiB: ${(committed - started).toFixed(1)} ms; touch 262144 pages: ${(touched - committed).toFixed(1)} ms; ` +
      `host memory +${mib(cost)} (${(cost / GiB).toFixed(3)} GiB per GiB touched; page table ${mib(target.addressSpace.pageTable.hostBytes)})`,
  );
  let sum = 0;
  for (let address = base; address < base + GiB; address += 4096) sum += target.mem.getUint32(address);
  if (sum !== (262144 * 262143) / 2 + 262144 * (base / 4096)) throw new Error('touched memory reads back wrong');
}

console.log(`node ${process.version}, ${new Date().toISOString()}, gc ${typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'exposed' : 'not exposed'}`);

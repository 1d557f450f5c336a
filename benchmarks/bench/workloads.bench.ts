// tinybench suites: one per synthetic workload, one task per strategy (and the peer), each task a
// whole replay of the workload on a fresh x64 buffer allocator, with one byte written per block.
// Run: pnpm --filter @mem/benchmarks bench  (BENCH_EVENTS=… to change the workload size)
import { Bench } from 'tinybench';
import { createBenchAllocator, replay, strategyNames, workloads } from '../src/index';

const events = Number(process.env.BENCH_EVENTS ?? 20_000);

for (const workload of workloads) {
  const trace = workload.generate({ events });
  const bench = new Bench({ name: `${workload.name} (${trace.events} events): ${workload.stresses}`, time: 300, iterations: 3 });
  for (const strategy of strategyNames()) {
    bench.add(strategy, () => {
      const allocator = createBenchAllocator({ strategy, geometry: 'x64', backend: 'buffer', memoryBytes: 256 * 2 ** 20 });
      const result = replay(trace, allocator, { check: 'touch', budgetSeconds: 5 });
      if (result.errorCount > 0) throw new Error(`${strategy}: ${result.errors[0]?.message}`);
    });
  }
  await bench.run();
  console.log(bench.name);
  console.table(
    bench.tasks.map((task) => {
      if (task.result.state !== 'completed') {
        const reason = task.result.state === 'errored' ? task.result.error.message : task.result.state;
        return { strategy: task.name, 'ms per replay': '-', 'ns per event': reason };
      }
      const latency = task.result.latency.mean;
      return { strategy: task.name, 'ms per replay': latency.toFixed(2), 'ns per event': ((latency * 1e6) / trace.events).toFixed(1) };
    }),
  );
}

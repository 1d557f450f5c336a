// The command line of mem-bench (commander): `replay` and `compare` (the default).
import { Command, CommanderError, Option } from 'commander';
import type { Geometry } from '@mem/benchmarks';
import { compareCommand } from './compareCommand';
import { type AppIO, processIO } from './io';
import {
  parseBackend,
  parseCheck,
  parseGeometry,
  parseGeometryList,
  parseList,
  parseMebibytes,
  parsePositiveInteger,
  parseSeconds,
} from './options';
import { defaultReportDir, defaultTracesDir } from './paths';
import { replayCommand } from './replayCommand';

/** Runs mem-bench with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], io: AppIO = processIO): Promise<number> {
  let exitCode = 0;
  const program = new Command('mem-bench')
    .description('Compare mem allocators on real traces and synthetic workloads under x86 and x64 geometries')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) });

  program
    .command('replay')
    .description('replay one trace (a file, a name in the traces folder, or a synthetic workload) with one strategy')
    .argument('<trace>', 'trace file, trace name (sqlite3, ...) or workload name (cfrac, ...)')
    .requiredOption('-s, --strategy <name>', 'a registered strategy, or thi.ng/malloc')
    .addOption(new Option('-g, --geometry <geometry>', 'x86, x64 or ia64').default('x64').argParser(parseGeometry))
    .addOption(new Option('-b, --backend <backend>', 'buffer (ArrayBuffer) or process (Heap* API)').default('buffer').argParser(parseBackend))
    .addOption(new Option('-r, --runs <count>', 'runs: the first checks contents, ns per event is the median of the others').default(3).argParser(parsePositiveInteger))
    .addOption(new Option('--budget <seconds>', 'stop each run after this long and report it incomplete').default(30).argParser(parseSeconds))
    .addOption(new Option('--check <mode>', 'content checks of the checked run: none, touch, prefix, full').default('prefix').argParser(parseCheck))
    .addOption(new Option('--limit <events>', 'replay only the first events of a trace file').argParser(parsePositiveInteger))
    .addOption(new Option('--events <count>', 'events of a synthetic workload').default(200_000).argParser(parsePositiveInteger))
    .addOption(new Option('--memory <MiB>', 'buffer size in MiB (default: 16 x peak live, 256-1024 MiB)').argParser(parseMebibytes))
    .option('--traces <dir>', 'folder of trace files', defaultTracesDir)
    .option('--json', 'print exactly one JSON object', false)
    .action(async (trace: string, options) => {
      exitCode = await replayCommand(trace, options, io);
    });

  program
    .command('compare', { isDefault: true })
    .description('every strategy and the peer on every trace and workload, x86 and x64; writes a report')
    .option('--quick', 'trace prefixes, fewer runs: under a minute', false)
    .option('--traces <dir>', 'folder of trace files', defaultTracesDir)
    .option('-o, --out <dir>', 'report folder', defaultReportDir)
    .addOption(new Option('-r, --runs <count>', 'runs per figure: a checked one, then timed ones (default 2, --quick 1)').argParser(parsePositiveInteger))
    .addOption(new Option('--budget <seconds>', 'seconds per run of a strategy').argParser(parseSeconds))
    .addOption(new Option('--time-limit <seconds>', 'aim to finish within this (default 270, --quick 50)').argParser(parseSeconds))
    .addOption(new Option('--peer-budget <seconds>', 'seconds per run of thi.ng/malloc').argParser(parseSeconds))
    .addOption(new Option('--limit <events>', 'replay only the first events of each trace file').argParser(parsePositiveInteger))
    .addOption(new Option('--events <count>', 'events per synthetic workload').argParser(parsePositiveInteger))
    .addOption(new Option('--geometries <list>', 'comma-separated geometries').default(['x86', 'x64'] as Geometry[]).argParser(parseGeometryList))
    .addOption(new Option('--strategies <list>', 'comma-separated strategies (default: all and the peer)').argParser(parseList))
    .option('--no-synthetic', 'skip the synthetic workloads')
    .addOption(new Option('--check <mode>', 'content checks of the checked run').default('prefix').argParser(parseCheck))
    .action(async (options) => {
      const results = await compareCommand(options, io);
      exitCode = results.results.some((m) => m.errorCount > 0) ? 2 : 0;
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    io.stderr(`mem-bench: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  return exitCode;
}

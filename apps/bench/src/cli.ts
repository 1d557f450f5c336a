// Entry point of the mem-bench binary.
import { main } from './program';

process.exitCode = await main(process.argv.slice(2));

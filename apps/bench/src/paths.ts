// Where the app finds the repository's traces and writes its report, from its own location
// (apps/bench/src or apps/bench/dist: both three levels below the repository root).
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const defaultTracesDir = fileURLToPath(new URL('../../../benchmarks/traces/', import.meta.url));
export const defaultReportDir = fileURLToPath(new URL('../../../report/', import.meta.url));

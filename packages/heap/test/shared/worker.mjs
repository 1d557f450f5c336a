// Entry of the shared-heap test workers: Node 20 ignores a loader given to a worker in execArgv, so
// the worker loads tsx's API itself and imports the TypeScript worker through it (no build needed).
import { tsImport } from 'tsx/esm/api';

await tsImport('./worker.ts', import.meta.url);

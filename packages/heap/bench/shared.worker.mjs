// Entry of the shared-heap benchmark workers: Node 20 ignores a loader given to a worker, so the
// worker imports its TypeScript through tsx's API.
import { tsImport } from 'tsx/esm/api';

await tsImport('./shared.worker.ts', import.meta.url);

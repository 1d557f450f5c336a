// Starting the shared-heap test workers without a build: worker.mjs imports worker.ts through tsx,
// with the @mem/source condition (workspace packages resolve to their TypeScript sources), as in vitest.
import { Worker } from 'node:worker_threads';

/** Workers started and not yet reaped by terminateWorkers. */
const started: Worker[] = [];

export function spawnWorker(workerData: unknown): Worker {
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
    workerData,
    execArgv: ['--conditions=@mem/source'],
  });
  started.push(worker);
  return worker;
}

/** Ends every worker still running (one stuck waiting after a failed expectation must not keep the run alive). */
export async function terminateWorkers(): Promise<void> {
  await Promise.all(started.splice(0).map((worker) => worker.terminate()));
}

/** The worker's one message (its result), or its error. */
export function resultOf<T>(worker: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    worker.once('message', (message: T) => resolve(message));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with ${code}`));
    });
  });
}

/** Polls `condition` until it holds; fails (never passes) when it does not within `patienceMs`. */
export async function eventually(condition: () => boolean, what: string, patienceMs = 15_000): Promise<void> {
  const deadline = Date.now() + patienceMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** A growable SharedArrayBuffer (ES2024; the project's TypeScript lib predates its options argument). */
export function growableBuffer(byteLength: number, maxByteLength: number): SharedArrayBuffer {
  const Growable = SharedArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => SharedArrayBuffer;
  return new Growable(byteLength, { maxByteLength });
}

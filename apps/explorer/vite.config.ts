// Vite config of the explorer: workspace packages resolve to their TypeScript sources, and the real
// allocation traces of benchmarks/traces are served (dev, preview) and copied (build) under /traces/.
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const tracesDir = fileURLToPath(new URL('../../benchmarks/traces/', import.meta.url));

function traceFile(url: string | undefined): string | undefined {
  const match = /^\/traces\/([a-z0-9-]+)\.mtrace\.gz$/.exec((url ?? '').split('?')[0] ?? '');
  const name = match?.[1];
  if (name === undefined) return undefined;
  const file = `${tracesDir}${name}.mtrace.gz`;
  return existsSync(file) ? file : undefined;
}

/** Serves /traces/<name>.mtrace.gz as raw bytes (no Content-Encoding: the page gunzips them itself). */
function serveTraces(request: IncomingMessage, response: ServerResponse, next: () => void): void {
  const file = traceFile(request.url);
  if (file === undefined) {
    next();
    return;
  }
  response.setHeader('Content-Type', 'application/octet-stream');
  createReadStream(file).pipe(response);
}

function traces(): Plugin {
  return {
    name: 'mem-explorer-traces',
    configureServer(server) {
      server.middlewares.use(serveTraces);
    },
    configurePreviewServer(server) {
      server.middlewares.use(serveTraces);
    },
    generateBundle() {
      for (const name of readdirSync(tracesDir)) {
        if (name.endsWith('.mtrace.gz')) this.emitFile({ type: 'asset', fileName: `traces/${name}`, source: readFileSync(`${tracesDir}${name}`) });
      }
    },
  };
}

export default defineConfig({
  base: './',
  resolve: { conditions: ['@mem/source', 'module', 'browser', 'development|production'] },
  plugins: [traces()],
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
});

// End to end: builds the page with Vite into a temporary directory, serves it over node:http, and
// drives it in Debian's Chromium with playwright-core — scenarios, the region table and map against
// the VirtualQuery walk the page reports, a corrupted heap, a screenshot, and the sqlite3 replay with
// the longest page update the page itself measured.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExplorerApi } from '../src/main';
import { KIND_COLOURS } from '../src/region-kinds';

declare global {
  interface Window {
    __explorer: ExplorerApi;
  }
}

const CHROMIUM = '/usr/bin/chromium';
const appDir = fileURLToPath(new URL('..', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'mem-explorer-e2e-'));
const distDir = join(workDir, 'dist');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.gz': 'application/octet-stream', '.png': 'image/png' };

interface Region {
  BaseAddress: number;
  RegionSize: number;
  State: number;
  Type: number;
  AllocationBase: number;
}

let server: Server;
let browser: Browser;
let page: Page;
let origin = '';

function serve(root: string): Promise<Server> {
  const httpServer = createServer((request, response) => {
    const path = normalize(decodeURIComponent((request.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, '');
    let file = join(root, path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file.startsWith(root) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  return new Promise((resolve) => httpServer.listen(0, '127.0.0.1', () => resolve(httpServer)));
}

/** Set when the page could not be built, served or opened: every test then fails with it (none is skipped). */
let setupError: Error | undefined;

function ready(): void {
  if (setupError !== undefined) throw setupError;
}

async function setUp(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with "apt-get update && apt-get install -y --no-install-recommends chromium"`);
  }
  const viteBin = join(appDir, 'node_modules', 'vite', 'bin', 'vite.js');
  const built = spawnSync(process.execPath, [viteBin, 'build', '--outDir', distDir, '--emptyOutDir', '--logLevel', 'error'], { cwd: appDir, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`vite build failed:\n${built.stdout}\n${built.stderr}`);
  server = await serve(distDir);
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 2200 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${origin}/index.html`);
  await page.waitForFunction(() => window.__explorer !== undefined);
  if (errors.length > 0) throw new Error(`the page raised: ${errors.join('; ')}`);
}

beforeAll(async () => {
  try {
    await setUp();
  } catch (error) {
    setupError = error instanceof Error ? error : new Error(String(error));
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  rmSync(distDir, { recursive: true, force: true });
});

const regions = () => page.evaluate(() => window.__explorer.regions() as Region[]);
const tableRows = () =>
  page.$$eval('[data-testid="region-row"]', (rows) =>
    rows.map((row) => {
      const d = (row as HTMLElement).dataset;
      return { base: Number(d.base), size: Number(d.size), state: d.state!, kind: d.kind! };
    }),
  );

/** The canvas pixel (CSS coordinates) of the linear map, as #rrggbb. */
async function mapPixel(x: number, y: number): Promise<string> {
  return page.evaluate(
    ([px, py]) => {
      const canvas = document.querySelector('[data-testid="address-map"]') as HTMLCanvasElement;
      const ratio = canvas.width / canvas.clientWidth;
      const [r, g, b] = canvas.getContext('2d')!.getImageData(Math.floor(px! * ratio), Math.floor(py! * ratio), 1, 1).data;
      return `#${[r, g, b].map((v) => v!.toString(16).padStart(2, '0')).join('')}`;
    },
    [x, y],
  );
}

describe('explorer page in Chromium', () => {
  it('shows in its table and map exactly the regions VirtualQuery reports', async () => {
    ready();
    for (const id of ['reserve', 'commit', 'protect', 'small-allocs', 'heap-allocs', 'map-view', 'awe', 'global', 'large-block']) {
      await page.click(`[data-testid="scenario-${id}"]`);
    }
    const walk = await regions();
    const rows = await tableRows();
    // every allocated region is one row with the same base, size and state
    const allocated = walk.filter((r) => r.State !== 0x10000);
    const allocatedRows = rows.filter((r) => r.state !== 'free');
    const stateName = (state: number) => (state === 0x1000 ? 'commit' : 'reserve');
    expect(allocatedRows.map((r) => [r.base, r.size, r.state])).toEqual(allocated.map((r) => [r.BaseAddress, r.RegionSize, stateName(r.State)]));
    // free regions are covered exactly by Free and Unusable rows, and the rows tile the user range
    let end = 0;
    for (const row of rows) {
      expect(row.base).toBe(end);
      end = row.base + row.size;
    }
    const last = walk.at(-1)!;
    expect(end).toBe(last.BaseAddress + last.RegionSize);
    // one header row per allocation, with the allocation's whole size
    const allocations = await page.$$eval('[data-testid="allocation-row"]', (els) => els.map((e) => [Number((e as HTMLElement).dataset.base), Number((e as HTMLElement).dataset.size)]));
    const expectedAllocations = new Map<number, number>();
    for (const r of allocated) expectedAllocations.set(r.AllocationBase, (expectedAllocations.get(r.AllocationBase) ?? 0) + r.RegionSize);
    expect(allocations).toEqual([...expectedAllocations]);
    // the 1 MiB + 4 KiB reservation leaves 60 KiB of unusable slack
    expect(rows.some((r) => r.kind === 'unusable' && r.size === 0xf000)).toBe(true);
    // who made what: heap, view (page-file backed: Shareable), AWE window
    const kinds = new Set(rows.map((r) => r.kind));
    for (const kind of ['heap', 'shareable', 'awe', 'private', 'unusable', 'free']) expect(kinds).toContain(kind);

    // the map: zoom onto the first reservation and check what it drew, and the pixels
    const reservation = allocated.find((r) => r.Type === 0x20000 && r.State === 0x1000 && r.RegionSize === 0x10000 && rows.find((row) => row.base === r.BaseAddress)?.kind === 'private')!;
    await page.evaluate(([start, finish]) => window.__explorer.focus(start, finish), [reservation.AllocationBase, reservation.AllocationBase + 0x110000] as const);
    const segments = await page.evaluate(() => window.__explorer.mapSegments());
    const view = await page.evaluate(() => window.__explorer.mapView());
    const expected = rows.filter((r) => r.base < view.end && r.base + r.size > view.start);
    expect(segments.map((s) => [s.start, s.end, s.kind, s.state])).toEqual(
      expected.map((r) => [Math.max(r.base, view.start), Math.min(r.base + r.size, view.end), r.kind, r.state]),
    );
    const committed = segments.find((s) => s.start === reservation.BaseAddress)!;
    expect(committed.kind).toBe('private');
    expect(await mapPixel((committed.x0 + committed.x1) / 2, 20)).toBe(KIND_COLOURS.private);
    const slack = segments.find((s) => s.kind === 'unusable')!;
    expect(await mapPixel((slack.x0 + slack.x1) / 2, 20)).toBe(KIND_COLOURS.unusable);
  });

  it('shows the block a heap overflow corrupted, as HeapValidate refuses it', async () => {
    ready();
    await page.click('[data-testid="scenario-overflow"]');
    const invalid = page.locator('[data-testid="heap"]:has([data-valid="false"])');
    await expect(invalid.count()).resolves.toBe(1);
    const corrupt = await invalid.locator('[data-testid="corrupt-block"]').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.address)));
    expect(corrupt.length).toBeGreaterThan(0);
    const handle = Number(await invalid.getAttribute('data-handle'));
    const verdicts = await page.evaluate(
      ([h, blocks]) => (blocks as number[]).map((b) => window.__explorer.kernel().HeapValidate(h, 0, b) as boolean),
      [handle, corrupt] as const,
    );
    expect(verdicts.every((v) => v === false)).toBe(true);
    const screenshot = join(workDir, 'explorer.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    console.log(`screenshot: ${screenshot}`);
  });

  it('replays the sqlite3 trace in the page with every update under 100 ms', async () => {
    ready();
    const started = Date.now();
    await page.click('[data-testid="replay-sqlite3"]');
    await page.waitForFunction(() => window.__explorer.replayStats()?.running === false, undefined, { timeout: 100_000, polling: 250 });
    const stats = (await page.evaluate(() => window.__explorer.replayStats()))!;
    console.log(`sqlite3 replay in Chromium: ${stats.events} events in ${Date.now() - started} ms, ${stats.updates} updates, longest ${stats.maxUpdateMs.toFixed(1)} ms (heavy redraws up to ${stats.maxFullRefreshMs.toFixed(1)} ms, parses up to ${stats.maxParseMs.toFixed(1)} ms; longest stretches ${JSON.stringify(stats.longest.map((l) => [l.kind, Math.round(l.ms), l.events]))})`);
    expect(stats.error).toBe('');
    expect(stats.done).toBe(true);
    expect(stats.events).toBe(1_575_042);
    expect(stats.failures).toBe(0);
    expect(stats.updates).toBeGreaterThan(10);
    expect(stats.maxUpdateMs).toBeLessThan(100);
    // the page ends in step with the process
    const status = await page.evaluate(() => window.__explorer.memoryStatus());
    const shown = Number(await page.getAttribute('[data-testid="summary-availableVirtual"]', 'data-value'));
    expect(shown).toBe(status.ullAvailVirtual);
    await page.screenshot({ path: join(workDir, 'after-replay.png'), fullPage: true });
  });

  it('starts an x86 process on request and shows its 2 GiB address space', async () => {
    ready();
    await page.selectOption('[data-testid="geometry"]', 'x86');
    await page.click('[data-testid="reset"]');
    for (const id of ['small-allocs', 'heap-allocs', 'map-view']) await page.click(`[data-testid="scenario-${id}"]`);
    const walk = await regions();
    const rows = await tableRows();
    expect(rows.at(-1)!.base + rows.at(-1)!.size).toBe(0x7fff0000);
    expect(rows.filter((r) => r.state !== 'free').map((r) => [r.base, r.size])).toEqual(walk.filter((r) => r.State !== 0x10000).map((r) => [r.BaseAddress, r.RegionSize]));
    expect(rows.filter((r) => r.kind === 'unusable' && r.size === 0xf000)).toHaveLength(4);
    expect(await page.textContent('[data-testid="map-range"]')).toContain('0x00000000 – 0x7FFF0000');
    // a snapshot, then 64 KiB committed: the type table shows what grew
    await page.click('[data-testid="snapshot"]');
    await page.click('[data-testid="scenario-reserve"]');
    await page.click('[data-testid="scenario-commit"]');
    expect(await page.getAttribute('[data-testid="kind-row"][data-kind="private"] [data-testid="kind-delta"]', 'data-value')).toBe(String(0x10000));
  });
});

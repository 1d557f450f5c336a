// The mem-bench command line through main(): replay's single JSON object, its fields and relations,
// incomplete runs under a tiny budget, argument errors, and a small compare writing the report.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTraceHeader } from '@mem/benchmarks';
import { describe, expect, it } from 'vitest';
import type { AppIO } from '../src/io';
import { main } from '../src/program';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

function capture(): AppIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    interactive: false,
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
  };
  return io;
}

/** Runs a replay with --json; checks stdout is exactly one JSON object and returns it. */
async function replayJson(args: string[]): Promise<{ code: number; report: Record<string, unknown> }> {
  const io = capture();
  const code = await main(['replay', ...args, '--json'], io);
  const text = io.out.trim();
  expect(text.startsWith('{')).toBe(true);
  expect(text.split('\n')).toHaveLength(1);
  return { code, report: JSON.parse(text) as Record<string, unknown> };
}

describe('mem-bench replay --json', () => {
  it('prints one object with the figures, footprint = peak committed / peak live', async () => {
    const header = await readTraceHeader(join(fixtures, 'small.mtrace.gz'));
    const { code, report } = await replayJson([join(fixtures, 'small.mtrace.gz'), '--strategy', 'tlsf', '--geometry', 'x86', '--runs', '2']);
    expect(code).toBe(0);
    expect(report).toMatchObject({
      trace: 'small',
      strategy: 'tlsf',
      geometry: 'x86',
      backend: 'buffer',
      events: header.events,
      completedEvents: header.events,
      complete: true,
      errorCount: 0,
      stopReason: null,
    });
    expect(report.peakLiveBytes).toBe(header.peakLiveBytes);
    expect(report.footprint).toBeCloseTo((report.peakCommittedBytes as number) / (report.peakLiveBytes as number), 12);
    expect(report.peakCommittedBytes as number).toBeGreaterThanOrEqual(report.peakLiveBytes as number);
    const runs = report.nsPerEventRuns as number[];
    expect(runs).toHaveLength(2);
    expect(report.nsPerEvent).toBe(runs[1]); // the timed run; the first is the checked one
  });

  it('accepts every registered strategy and the thi.ng/malloc peer', async () => {
    for (const strategy of ['segregated', 'lfh', 'tlsf', 'bump', 'thi.ng/malloc']) {
      const { report } = await replayJson(['cfrac', '--events', '3000', '--strategy', strategy, '--runs', '1']);
      expect(report.strategy).toBe(strategy);
      expect(report.complete).toBe(true);
      expect(report.errorCount).toBe(0);
    }
  });

  it('marks a run stopped by the budget as incomplete, with the figures of the events done', async () => {
    const { report } = await replayJson(['realloc-growth', '--events', '60000', '--strategy', 'thi.ng/malloc', '--budget', '0.05', '--runs', '1']);
    expect(report.complete).toBe(false);
    expect(report.stopReason).toBe('budget');
    expect(report.completedEvents as number).toBeLessThan(report.events as number);
    expect(report.completedEvents as number).toBeGreaterThan(0);
    expect(report.footprint).toBeCloseTo((report.peakCommittedBytes as number) / (report.peakLiveBytes as number), 12);
  });

  it('replays a prefix of a shared trace with --limit', async () => {
    const { report } = await replayJson(['sqlite3', '--limit', '5000', '--strategy', 'lfh', '--runs', '1', '--geometry', 'ia64']);
    expect(report.events).toBe(5000);
    expect(report.complete).toBe(true);
    expect(report.geometry).toBe('ia64');
  });

  it('replays through the Heap* API of a simulated process', async () => {
    const { report } = await replayJson(['cfrac', '--events', '3000', '--strategy', 'lfh', '--backend', 'process', '--runs', '1']);
    expect(report.backend).toBe('process');
    expect(report.complete).toBe(true);
    expect(report.errorCount).toBe(0);
    expect(report.peakCommittedBytes as number).toBeGreaterThan(0);
  });
});

describe('mem-bench argument errors', () => {
  it('refuses an unknown strategy, geometry or trace with a message and a failure code', async () => {
    for (const args of [
      ['replay', 'cfrac', '--strategy', 'nope'],
      ['replay', 'cfrac', '--strategy', 'lfh', '--geometry', 'arm'],
      ['replay', 'no-such-trace', '--strategy', 'lfh'],
    ]) {
      const io = capture();
      const code = await main(args, io);
      expect(code).not.toBe(0);
      expect(io.err).toMatch(/nope|arm|no-such-trace/);
      expect(io.out).toBe('');
    }
  });

  it('names the file and line of a malformed trace', async () => {
    const io = capture();
    const code = await main(['replay', join(fixtures, 'bad', 'broken.mtrace'), '--strategy', 'lfh'], io);
    expect(code).toBe(1);
    expect(io.err).toContain('broken.mtrace:4:');
  });
});

describe('mem-bench compare', () => {
  it('runs every strategy on every trace and workload for x86 and x64 and writes the report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mem-report-'));
    const io = capture();
    const code = await main(
      ['compare', '--traces', fixtures, '--out', out, '--events', '1500', '--runs', '1', '--peer-budget', '0.2'],
      io,
    );
    expect(code).toBe(0);
    for (const file of ['index.html', 'results.json', 'results.md']) expect(existsSync(join(out, file))).toBe(true);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.machine.node).toBe(process.version);
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(typeof results.machine.cpuModel).toBe('string');
    expect(results.settings.geometries).toEqual(['x86', 'x64']);
    const strategies = ['segregated', 'lfh', 'tlsf', 'bump', 'thi.ng/malloc'];
    expect(results.settings.strategies).toEqual(strategies);
    const traceNames = results.traces.map((t: { name: string }) => t.name);
    expect(traceNames).toEqual(['small', 'cfrac', 'larson', 'xmalloc', 'espresso', 'glibc-simple', 'realloc-growth']);
    expect(results.results).toHaveLength(traceNames.length * 2 * strategies.length);
    for (const m of results.results) {
      expect(m.footprint).toBeCloseTo(m.peakCommittedBytes / m.peakLiveBytes, 12);
      expect(m.samples.event.length).toBeGreaterThan(1);
    }
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('new Chart(');
    expect(html).not.toMatch(/<script[^>]+src=/); // everything inline: works offline
    expect(html.length).toBeGreaterThan(150_000); // Chart.js inlined
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toContain('| small | segregated |');
    expect(io.out).toContain('ns/event x86');
  }, 120_000);
});

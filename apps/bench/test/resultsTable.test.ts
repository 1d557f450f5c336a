// The comparison tables: x86 beside x64, marks for early stops and errors, natives beside mem.
import type { Measurement } from '@mem/benchmarks';
import { describe, expect, it } from 'vitest';
import type { CompareResults } from '../src/compareResults';
import { machineInfo } from '../src/machineInfo';
import { renderMarkdown } from '../src/reportMarkdown';
import { renderTerminal, resultsTable, sideBySideTable } from '../src/resultsTable';

function measurement(strategy: string, geometry: 'x86' | 'x64', overrides: Partial<Measurement> = {}): Measurement {
  return {
    trace: 'sqlite3',
    strategy,
    geometry,
    backend: 'buffer',
    events: 1000,
    completedEvents: 1000,
    complete: true,
    stopReason: undefined,
    stopMessage: undefined,
    nsPerEvent: geometry === 'x86' ? 123.4 : 56.78,
    nsPerEventRuns: [],
    peakLiveBytes: 1000,
    peakCommittedBytes: 1234,
    footprint: 1.234,
    check: 'prefix',
    errorCount: 0,
    errors: [],
    samples: undefined,
    ...overrides,
  };
}

const results: CompareResults = {
  tool: 'mem-bench compare',
  machine: machineInfo(),
  settings: {
    quick: false,
    runs: 1,
    check: 'prefix',
    budgetSeconds: 30,
    timeLimitSeconds: 270,
    peerBudgetSeconds: 2,
    traceLimit: undefined,
    syntheticEvents: 1000,
    geometries: ['x86', 'x64'],
    strategies: ['tlsf', 'thi.ng/malloc'],
    tracesDir: '.',
  },
  durationMs: 1000,
  traces: [{ name: 'sqlite3', kind: 'file', program: 'sqlite3', events: 1000, fileEvents: 1000, peakLiveBytes: 1000, description: '' }],
  results: [
    measurement('tlsf', 'x86'),
    measurement('tlsf', 'x64', { errorCount: 2 }),
    measurement('thi.ng/malloc', 'x86', { complete: false, completedEvents: 250, stopReason: 'budget', nsPerEvent: 54321 }),
    measurement('thi.ng/malloc', 'x64', { complete: false, completedEvents: 500, stopReason: 'budget' }),
  ],
};

describe('results tables', () => {
  it('puts x86 beside x64 and marks early stops (*) and errors (!)', () => {
    const table = resultsTable(results);
    expect(table.header).toEqual(['trace', 'strategy', 'ns/event x86', 'ns/event x64', 'footprint x86', 'footprint x64', 'events done']);
    expect(table.rows).toEqual([
      ['sqlite3', 'tlsf', '123', '56.8!', '1.234', '1.234!', 'all'],
      ['sqlite3', 'thi.ng/malloc', '54k*', '56.8*', '1.234*', '1.234*', '25.0% / 50.0%'],
    ]);
  });

  it('sets the native allocators beside the x64 figures of the shared traces', () => {
    const table = sideBySideTable(results);
    expect(table.header.slice(-4)).toEqual(['glibc', 'mimalloc', 'jemalloc', 'tcmalloc']);
    expect(table.rows[0]).toEqual(['sqlite3', 'footprint / live', '1.234!', '1.234*', '1.011', '1.213', '1.320', '1.373']);
    expect(table.rows[1]).toEqual(['sqlite3', 'ns per event', '56.8!', '56.8*', '4.8', '88.1', '116', '3.9']);
  });

  it('renders aligned text and Markdown', () => {
    const text = renderTerminal(resultsTable(results)).split('\n');
    expect(new Set(text.map((line) => line.length)).size).toBe(1);
    const markdown = renderMarkdown(results);
    expect(markdown).toContain('| sqlite3 | thi.ng/malloc | 54k* | 56.8* | 1.234* | 1.234* | 25.0% / 50.0% |');
    expect(markdown).toContain(`Node ${process.version}`);
  });
});

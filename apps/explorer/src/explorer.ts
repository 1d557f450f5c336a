// The page's controller: one Simulation, the views built from it, and the refresh that keeps them in
// step with the process after every scenario, script run and replay slice.
import * as kernel32 from '@mem/kernel32';
import { groupDigits } from './format';
import { describeHeaps, type HeapView } from './heap-view';
import { type ExplorerRegion, type KindSummary, type MemoryBasicInformation, classifyRegions, diffKinds, queryRegions, summarizeKinds } from './regions';
import type { RegionKind } from './region-kinds';
import { AddressMap } from './render/address-map';
import { el } from './render/dom';
import { renderHeaps } from './render/heap-panel';
import { renderHandles, renderKindSummary, renderLog, renderRegionTable, renderSummary } from './render/tables';
import { Timeline } from './render/timeline';
import { type ReplayProgress, replayInSlices } from './replay-driver';
import { type GeometryChoice, SCENARIOS, Simulation } from './simulation';
import { type MemoryStatusEx, memoryStatus, memorySummary } from './summary';
import { traceBytes } from './trace';

/** Resolves in a fresh task (after the browser has had a chance to paint and handle input). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export const TRACE_NAMES = ['sqlite3', 'jq-transform', 'python3-json'] as const;

/** How often the heavy views redraw while a trace replays: map and tables, and heaps (walked and validated). */
const REPLAY_REGIONS_REFRESH_MS = 300;
const REPLAY_HEAPS_REFRESH_MS = 1500;

export interface ReplayState {
  trace: string;
  running: boolean;
  done: boolean;
  events: number;
  totalEvents: number;
  failures: number;
  updates: number;
  /** Longest synchronous stretch of the replay (replay slice + page update), ms. */
  maxUpdateMs: number;
  /** Longest heavy redraw (map and tables, or heaps) during the replay, ms: an update of its own. */
  maxFullRefreshMs: number;
  /** Longest parse of one decompressed chunk, ms: part of some update. */
  maxParseMs: number;
  /** The driver's five longest stretches (for diagnosis). */
  longest: { kind: string; ms: number; events: number; updateMs: number }[];
  error: string;
}

export class Explorer {
  sim: Simulation;
  regions: ExplorerRegion[] = [];
  heaps: HeapView[] = [];
  replay: ReplayState | undefined;
  readonly map: AddressMap;
  readonly timeline = new Timeline();
  private readonly summaryBox = el('div', { 'data-testid': 'summary' });
  private readonly kindBody = el('tbody', { 'data-testid': 'type-summary' });
  private readonly regionBody = el('tbody', { 'data-testid': 'region-table' });
  private readonly heapBox = el('div', { 'data-testid': 'heaps' });
  private readonly handleBody = el('tbody', { 'data-testid': 'handles' });
  private readonly logList = el('ol', { 'data-testid': 'log', class: 'log' });
  private readonly replayStatus = el('div', { 'data-testid': 'replay-status', class: 'replay-status' });
  private readonly geometrySelect = el('select', { 'data-testid': 'geometry' }, el('option', { value: 'x64' }, 'x64 (128 TiB)'), el('option', { value: 'x86' }, 'x86 (2 GiB)'));
  private readonly scriptBox = el('textarea', { 'data-testid': 'script', rows: '6', spellcheck: 'false' });
  private cancelReplay = false;
  /** The summary by type when "Take snapshot" was pressed: the type table shows the change since. */
  private snapshot: Map<RegionKind, KindSummary> | undefined;

  constructor(readonly root: HTMLElement) {
    this.sim = new Simulation('x64');
    const system: { lpMinimumApplicationAddress?: number; lpMaximumApplicationAddress?: number } = {};
    this.sim.k.GetSystemInfo(system);
    this.map = new AddressMap(0, (system.lpMaximumApplicationAddress ?? 0) + 1);
    this.map.digits = this.digits;
    this.scriptBox.value = [
      '// k is the process\'s Kernel32 (calls are logged); every constant is in scope.',
      'const p = k.VirtualAlloc(0, 0x30000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);',
      'k.VirtualProtect(p + 0x10000, 0x1000, PAGE_NOACCESS, {});',
    ].join('\n');
    this.build();
    this.refresh();
    this.timeline.draw(); // reads its width from layout now, not during a replay
  }

  get digits(): number {
    return this.sim.geometry === 'x86' ? 8 : 12;
  }

  private build(): void {
    const scenarioButtons = SCENARIOS.map((scenario) => {
      const button = el('button', { type: 'button', 'data-testid': `scenario-${scenario.id}` }, scenario.label);
      button.addEventListener('click', () => this.runScenario(scenario.id));
      return button;
    });
    const replayButtons = TRACE_NAMES.map((name) => {
      const button = el('button', { type: 'button', 'data-testid': `replay-${name}`, class: 'replay' }, `Replay ${name} trace`);
      button.addEventListener('click', () => void this.replayTrace(name));
      return button;
    });
    const stopButton = el('button', { type: 'button', 'data-testid': 'replay-stop' }, 'Stop');
    stopButton.addEventListener('click', () => {
      this.cancelReplay = true;
    });
    const resetButton = el('button', { type: 'button', 'data-testid': 'reset' }, 'New process');
    resetButton.addEventListener('click', () => this.reset(this.geometrySelect.value as GeometryChoice));
    const snapshotButton = el('button', { type: 'button', 'data-testid': 'snapshot' }, 'Take snapshot');
    snapshotButton.addEventListener('click', () => {
      this.snapshot = summarizeKinds(this.regions);
      this.refreshRegions();
    });
    const runScript = el('button', { type: 'button', 'data-testid': 'run-script' }, 'Run script');
    runScript.addEventListener('click', () => this.runScript(this.scriptBox.value));
    const table = (head: string[], body: HTMLElement, testId: string) =>
      el('table', { class: 'grid', 'data-testid': testId }, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))), body);
    this.root.replaceChildren(
      el('header', {}, el('h1', {}, 'mem explorer'), el('span', { class: 'subtitle' }, 'a simulated Windows process\'s memory, as VMMap shows it'), this.geometrySelect, resetButton),
      el('section', { class: 'panel' }, el('h2', {}, 'Scenarios'), el('div', { class: 'buttons' }, ...scenarioButtons), el('div', { class: 'buttons' }, ...replayButtons, stopButton), this.replayStatus),
      el('section', { class: 'panel' }, el('h2', {}, 'GlobalMemoryStatusEx and the process\'s counters'), this.summaryBox),
      this.map.element,
      el(
        'div',
        { class: 'columns' },
        el('section', { class: 'panel' }, el('h2', {}, 'Summary by type'), table(['Type', 'Size', 'Committed', 'Blocks', 'Largest', 'Δ committed'], this.kindBody, 'type-table'), snapshotButton),
        el('section', { class: 'panel' }, el('h2', {}, 'Replay timeline'), this.timeline.element),
      ),
      el('section', { class: 'panel' }, el('h2', {}, 'Regions (VirtualQuery), by allocation'), el('div', { class: 'scroll' }, table(['Type', 'Address', 'Size', 'State', 'Protection', 'Allocation base / regions', 'Details'], this.regionBody, 'regions'))),
      el('section', { class: 'panel' }, el('h2', {}, 'Heaps (GetProcessHeaps, HeapWalk, HeapValidate)'), this.heapBox),
      el(
        'div',
        { class: 'columns' },
        el('section', { class: 'panel' }, el('h2', {}, 'Moveable memory (Global*)'), table(['Handle', 'Kind', 'Size', 'Locks', 'State', 'GlobalFlags'], this.handleBody, 'handle-table')),
        el('section', { class: 'panel' }, el('h2', {}, 'Script'), this.scriptBox, el('div', {}, runScript)),
      ),
      el('section', { class: 'panel' }, el('h2', {}, 'Operations (newest first)'), this.logList),
    );
    this.regionBody.addEventListener('click', (event) => {
      const row = (event.target as HTMLElement).closest('tr');
      const base = Number(row?.dataset.base);
      const size = Number(row?.dataset.size);
      if (Number.isFinite(base) && Number.isFinite(size)) this.map.focus(base, base + size);
    });
  }

  reset(geometry: GeometryChoice): void {
    this.cancelReplay = true;
    this.sim = new Simulation(geometry);
    const system: { lpMaximumApplicationAddress?: number } = {};
    this.sim.k.GetSystemInfo(system);
    const high = (system.lpMaximumApplicationAddress ?? 0) + 1;
    this.map.view.setRange(0, high);
    this.map.digits = this.digits;
    this.timeline.reset(0);
    this.replay = undefined;
    this.snapshot = undefined;
    this.refresh();
  }

  runScenario(id: string): void {
    const scenario = SCENARIOS.find((s) => s.id === id);
    if (scenario === undefined) throw new Error(`no scenario ${id}`);
    try {
      scenario.run(this.sim);
    } catch (error) {
      this.sim.record(scenario.label, `raised ${error instanceof Error ? error.message : String(error)}`, true);
    }
    this.refresh();
  }

  runScript(code: string): void {
    const sim = this.sim;
    const logged = new Proxy(sim.k, {
      get(target, name) {
        const value = Reflect.get(target, name);
        if (typeof name === 'string' && /^[A-Z]/.test(name) && typeof value === 'function') {
          return (...args: unknown[]) => (sim.call as (n: string, ...a: unknown[]) => unknown)(name, ...args);
        }
        return value;
      },
    });
    try {
      const constants = Object.fromEntries(Object.entries(kernel32).filter(([name, value]) => /^[A-Z0-9_]+$/.test(name) && typeof value === 'number'));
      new Function('k', ...Object.keys(constants), code)(logged, ...Object.values(constants));
    } catch (error) {
      sim.record('script', `raised ${error instanceof Error ? error.message : String(error)}`, true);
    }
    this.refresh();
  }

  /** Recomputes every view from the process. */
  refresh(): void {
    this.refreshRegions();
    this.refreshHeaps(true);
    renderHandles(this.handleBody, this.sim);
    renderLog(this.logList, this.sim);
    this.renderReplayStatus();
  }

  /** The VirtualQuery walk and what is drawn from it: header, type summary, region table, map. */
  refreshRegions(): void {
    const k = this.sim.k;
    this.regions = classifyRegions(k);
    const kinds = summarizeKinds(this.regions);
    renderSummary(this.summaryBox, memorySummary(k), kinds);
    renderKindSummary(this.kindBody, kinds, this.snapshot === undefined ? undefined : diffKinds(this.snapshot, kinds));
    renderRegionTable(this.regionBody, this.regions, this.digits);
    this.map.update(this.regions);
  }

  /** Every heap walked and validated. `validateBlocks`: on an invalid heap, HeapValidate each block. */
  refreshHeaps(validateBlocks: boolean): void {
    this.heaps = describeHeaps(this.sim.k, this.sim.heapWalks, validateBlocks);
    renderHeaps(this.heapBox, this.heaps, this.digits);
  }

  /** What changes every replay slice: the header figures, the timeline and the status line. */
  private refreshLight(): void {
    const k = this.sim.k;
    renderSummary(this.summaryBox, memorySummary(k), summarizeKinds(this.regions));
    this.timeline.draw();
    this.renderReplayStatus();
  }

  private renderReplayStatus(): void {
    const r = this.replay;
    if (r === undefined) {
      this.replayStatus.textContent = '';
      return;
    }
    this.replayStatus.dataset.running = String(r.running);
    this.replayStatus.dataset.done = String(r.done);
    this.replayStatus.textContent =
      `${r.trace}: ${groupDigits(r.events)} / ${groupDigits(r.totalEvents)} events` +
      `${r.done ? ' — done' : r.running ? ' — replaying' : ' — stopped'}; failures ${r.failures}; ` +
      `longest page update ${r.maxUpdateMs.toFixed(1)} ms over ${r.updates} updates${r.error ? `; error: ${r.error}` : ''}`;
  }

  /** Fetches /traces/<name>.mtrace.gz, gunzips it in the page and replays it into the process heap in slices. */
  async replayTrace(name: string): Promise<ReplayState> {
    const state: ReplayState = { trace: name, running: true, done: false, events: 0, totalEvents: 0, failures: 0, updates: 0, maxUpdateMs: 0, maxFullRefreshMs: 0, maxParseMs: 0, longest: [], error: '' };
    this.replay = state;
    this.cancelReplay = false;
    this.timeline.reset(0);
    const sim = this.sim;
    sim.record(`replay ${name}`, 'started');
    let lastRegions = performance.now();
    let lastHeaps = lastRegions;
    let maxRefreshMs = 0;
    // The heavy redraws run in tasks of their own between slices, timed here (the driver times the slices).
    const timed = (redraw: () => void) => {
      const started = performance.now();
      redraw();
      maxRefreshMs = Math.max(maxRefreshMs, performance.now() - started);
      state.maxFullRefreshMs = maxRefreshMs;
      state.maxUpdateMs = Math.max(state.maxUpdateMs, maxRefreshMs);
    };
    const yieldToPage = async () => {
      await nextTask();
      if (this.sim !== sim) return;
      const now = performance.now();
      if (now - lastRegions >= REPLAY_REGIONS_REFRESH_MS) {
        lastRegions = now;
        timed(() => this.refreshRegions());
        await nextTask();
      }
      if (now - lastHeaps >= REPLAY_HEAPS_REFRESH_MS) {
        lastHeaps = now;
        timed(() => this.refreshHeaps(false));
        await nextTask();
      }
    };
    try {
      const response = await fetch(`./traces/${name}.mtrace.gz`);
      if (!response.ok || response.body === null) throw new Error(`fetching the trace: HTTP ${response.status}`);
      const progress: ReplayProgress = await replayInSlices(sim.k, traceBytes(response.body), {
        sliceMs: 8,
        yieldToPage,
        cancelled: () => this.cancelReplay || this.sim !== sim,
        onUpdate: (p) => {
          state.events = p.events;
          state.totalEvents = p.header.events ?? p.events;
          state.failures = p.failures;
          if (this.timeline.samples.length === 0) this.timeline.reset(state.totalEvents);
          this.timeline.add({ events: p.events, committed: sim.k.process.addressSpace.committedBytes, live: p.liveBytes });
          state.updates = p.updates;
          state.maxUpdateMs = Math.max(maxRefreshMs, p.maxUpdateMs);
          state.maxParseMs = p.maxParseMs;
          state.longest = p.longest;
          this.refreshLight();
        },
      });
      state.updates = progress.updates;
      state.maxUpdateMs = Math.max(maxRefreshMs, progress.maxUpdateMs);
      state.maxParseMs = progress.maxParseMs;
      state.done = progress.events === state.totalEvents;
      sim.record(`replay ${name}`, `${progress.events} events, ${progress.failures} failures, longest update ${progress.maxUpdateMs.toFixed(1)} ms`);
    } catch (error) {
      state.error = error instanceof Error ? error.message : String(error);
      sim.record(`replay ${name}`, `failed: ${state.error}`, true);
    }
    state.running = false;
    if (this.sim === sim) this.refresh();
    return state;
  }

  /** For tests: the raw VirtualQuery walk, as the page sees it now. */
  queryRegions(): MemoryBasicInformation[] {
    return queryRegions(this.sim.k);
  }

  memoryStatus(): MemoryStatusEx {
    return memoryStatus(this.sim.k);
  }
}

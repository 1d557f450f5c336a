// Entry point: builds the explorer in #app and exposes a small API on window.__explorer for tests
// and for poking at the process from the browser console.
import './style.css';
import { Explorer } from './explorer';

const root = document.getElementById('app');
if (root === null) throw new Error('#app is missing');
const explorer = new Explorer(root);

const api = {
  explorer,
  /** The process's Kernel32 (changes when "New process" is pressed). */
  kernel: () => explorer.sim.k,
  /** VirtualQuery walked over the whole user range now. */
  regions: () => explorer.queryRegions(),
  /** The classified rows the table and map show. */
  rows: () => explorer.regions,
  /** Segments the linear map drew last, with their pixel columns. */
  mapSegments: () => explorer.map.lastSegments,
  mapView: () => ({ start: explorer.map.view.start, end: explorer.map.view.end }),
  focus: (start: number, end: number) => explorer.map.focus(start, end),
  memoryStatus: () => explorer.memoryStatus(),
  heaps: () => explorer.heaps.map((heap) => ({ handle: heap.handle, valid: heap.valid, corruptBlocks: heap.corruptBlocks, figures: heap.figures })),
  replayStats: () => explorer.replay,
  runScenario: (id: string) => explorer.runScenario(id),
};
export type ExplorerApi = typeof api;
(window as unknown as { __explorer: ExplorerApi }).__explorer = api;

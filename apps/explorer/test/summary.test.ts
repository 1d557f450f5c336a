// The header figures: GlobalMemoryStatusEx's numbers as the process reports them, and the process's
// counters consistent with its VirtualQuery walk.
import { describe, expect, it } from 'vitest';
import { queryRegions } from '../src/regions';
import { SCENARIOS, Simulation } from '../src/simulation';
import { memoryStatus, memorySummary } from '../src/summary';

describe('memorySummary', () => {
  for (const geometry of ['x64', 'x86'] as const) {
    it(`equals GlobalMemoryStatusEx and the VirtualQuery walk after every scenario (${geometry})`, () => {
      const sim = new Simulation(geometry);
      for (const scenario of SCENARIOS) {
        scenario.run(sim);
        const status = memoryStatus(sim.k);
        const summary = memorySummary(sim.k);
        expect(summary.commitLimit).toBe(status.ullTotalPageFile);
        expect(summary.availableCommit).toBe(status.ullAvailPageFile);
        expect(summary.commitCharge).toBe(status.ullTotalPageFile - status.ullAvailPageFile);
        expect(summary.totalPhysical).toBe(status.ullTotalPhys);
        expect(summary.availablePhysical).toBe(status.ullAvailPhys);
        expect(summary.totalVirtual).toBe(status.ullTotalVirtual);
        expect(summary.availableVirtual).toBe(status.ullAvailVirtual);
        expect(summary.memoryLoad).toBe(status.dwMemoryLoad);
        const walk = queryRegions(sim.k);
        const committed = walk.filter((r) => r.State === 0x1000).reduce((sum, r) => sum + r.RegionSize, 0);
        const taken = walk.filter((r) => r.State !== 0x10000).reduce((sum, r) => sum + r.RegionSize, 0);
        expect(summary.committed).toBe(committed);
        expect(summary.reserved).toBe(taken);
        // one process on the machine: the system's charge is its private bytes, plus the page-file-backed
        // section (charged whole when created) and the AWE pages it allocated
        const sections = sim.views.length * 256 * 1024;
        const awePages = sim.awePages * sim.pageSize;
        expect(summary.commitCharge).toBe(summary.privateBytes + sections + awePages);
        expect(summary.workingSet).toBeLessThanOrEqual(summary.committed + awePages);
      }
    });
  }
});

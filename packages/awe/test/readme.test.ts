// The README's first example, run as written (console output checked instead of printed).
import { createMachine } from '@mem/pages';
import { expect, it } from 'vitest';
import { createAweWindow } from '../src/index';

it('README: page a data set through a small window', () => {
  const machine = createMachine({ physicalMemory: 64 << 20 });
  const process = machine.createProcess({ privileges: ['SeLockMemoryPrivilege'] });
  const availableBefore = machine.physical.availablePhysical;
  const window = createAweWindow(process, { windowPages: 4, poolPages: 256 });
  for (let first = 0; first < 256; first += 4) {
    window.map(0, [first, first + 1, first + 2, first + 3]);
    for (let i = 0; i < 4; i++) process.mem.setUint32(window.addressOf(i), (first + i) * 10);
  }
  const address = window.map(2, 137);
  expect(process.mem.getUint32(address)).toBe(1370);
  expect([window.poolPageAt(2), window.windowPageOf(137)]).toEqual([137, 2]);
  window.free();
  expect(machine.physical.availablePhysical).toBe(availableBefore);
});

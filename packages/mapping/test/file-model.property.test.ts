// Property test: two sections created separately over one real file, viewed from two processes, take
// random stores, loads and flushes; every load matches the model (one shared copy of the file's bytes),
// after a flush the flushed range is on disk, and once everything is closed the file equals the model.
import * as fs from 'node:fs';
import { FILE_MAP_WRITE, GENERIC_READ, GENERIC_WRITE, OPEN_EXISTING, PAGE_READWRITE } from '@mem/pages';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Kernel, kernel, sectionOf, sibling, tempFile } from './support';

const FILE_SIZE = 0x5000;

type Step = { kind: 'store' | 'load' | 'flush'; who: number; at: number; value: number };

const step: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom('store' as const, 'store' as const, 'load' as const, 'flush' as const),
  who: fc.integer({ min: 0, max: 1 }),
  at: fc.integer({ min: 0, max: FILE_SIZE - 1 }),
  value: fc.integer({ min: 0, max: 255 }),
});

describe('file views against a model', () => {
  it('stores through either section are seen by both and reach the file', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const path = tempFile(FILE_SIZE, (i) => i * 13);
        const model = new Uint8Array(fs.readFileSync(path));
        const a = kernel();
        const b = sibling(a);
        const sides = [a, b].map((k: Kernel) => {
          const file = k.CreateFile(path, GENERIC_READ | GENERIC_WRITE, 3, undefined, OPEN_EXISTING, 0, 0);
          const mapping = k.CreateFileMapping(file, undefined, PAGE_READWRITE, 0, 0, undefined);
          return { k, file, mapping, view: k.MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, 0) };
        });
        for (const s of steps) {
          const side = sides[s.who] as (typeof sides)[number];
          if (s.kind === 'store') {
            side.k.process.mem.setUint8(side.view + s.at, s.value);
            model[s.at] = s.value;
          } else if (s.kind === 'load') {
            expect(side.k.process.mem.getUint8(side.view + s.at)).toBe(model[s.at]);
          } else {
            const start = s.at - (s.at % 0x1000);
            expect(side.k.FlushViewOfFile(side.view + s.at, 1)).toBe(true);
            expect(new Uint8Array(fs.readFileSync(path).subarray(start, start + 0x1000))).toEqual(model.subarray(start, start + 0x1000));
          }
          for (const side of sides) {
            side.k.process.addressSpace.validate();
            sectionOf(side.k, side.mapping).validate();
          }
          a.machine.physical.validate();
        }
        for (const side of sides) {
          expect(side.k.UnmapViewOfFile(side.view)).toBe(true);
          expect(side.k.CloseHandle(side.mapping)).toBe(true);
          expect(side.k.CloseHandle(side.file)).toBe(true);
        }
        expect(new Uint8Array(fs.readFileSync(path))).toEqual(model);
        expect(a.machine.physical.framesInUse).toBe(0);
      }),
      { numRuns: 40 },
    );
  });
});

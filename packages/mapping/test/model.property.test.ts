// Property test: random map / unmap / store / load sequences over one section shared by two processes,
// checked against a simple model (the section's bytes, plus the private pages of copy-on-write views),
// with every structure validated after each step and everything returned at the end.
import { FILE_MAP_COPY, FILE_MAP_READ, FILE_MAP_WRITE, INVALID_HANDLE_VALUE, PAGE_READWRITE, isWin32Exception } from '@mem/pages';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Kernel, kernel, sectionOf, sibling } from './support';

const SECTION_SIZE = 0x20000;
const PAGE = 0x1000;

interface ModelView {
  k: Kernel;
  base: number;
  offset: number;
  size: number;
  access: number;
  privatePages: Map<number, Uint8Array>;
}

type Step =
  | { kind: 'map'; who: number; access: number; offset: number; pages: number }
  | { kind: 'unmap'; pick: number }
  | { kind: 'store'; pick: number; at: number; value: number }
  | { kind: 'load'; pick: number; at: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('map' as const),
    who: fc.integer({ min: 0, max: 1 }),
    access: fc.constantFrom(FILE_MAP_WRITE, FILE_MAP_READ, FILE_MAP_COPY),
    offset: fc.constantFrom(0, 0x10000),
    pages: fc.integer({ min: 0, max: 16 }),
  }),
  fc.record({ kind: fc.constant('unmap' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('store' as const), pick: fc.nat(), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('load' as const), pick: fc.nat(), at: fc.nat() }),
);

describe('views against a model', () => {
  it('loads and stores through random views agree with the model; nothing leaks', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const a = kernel();
        const b = sibling(a);
        const processes = [a, b];
        const handles = processes.map((k) => k.CreateFileMapping(INVALID_HANDLE_VALUE, undefined, PAGE_READWRITE, 0, SECTION_SIZE, 'model'));
        const bytes = new Uint8Array(SECTION_SIZE);
        const views: ModelView[] = [];
        const physical = a.machine.physical;
        for (const s of steps) {
          if (s.kind === 'map') {
            const k = processes[s.who] as Kernel;
            const size = s.pages === 0 ? SECTION_SIZE - s.offset : s.pages * PAGE;
            const base = k.MapViewOfFile(handles[s.who] as number, s.access, 0, s.offset, s.pages * PAGE);
            expect(base).not.toBe(0);
            views.push({ k, base, offset: s.offset, size, access: s.access, privatePages: new Map() });
          } else if (views.length > 0) {
            const index = s.pick % views.length;
            const view = views[index] as ModelView;
            if (s.kind === 'unmap') {
              expect(view.k.UnmapViewOfFile(view.base + (s.pick % view.size))).toBe(true);
              views.splice(index, 1);
            } else {
              const at = s.at % view.size;
              const page = Math.floor(at / PAGE);
              const privatePage = view.privatePages.get(page);
              const expected = privatePage !== undefined ? (privatePage[at % PAGE] as number) : (bytes[view.offset + at] as number);
              if (s.kind === 'load') {
                expect(view.k.process.mem.getUint8(view.base + at)).toBe(expected);
              } else if (view.access === FILE_MAP_READ) {
                let raised: unknown;
                try {
                  view.k.process.mem.setUint8(view.base + at, s.value);
                } catch (error) {
                  raised = error;
                }
                expect(isWin32Exception(raised)).toBe(true);
                expect(view.k.process.mem.getUint8(view.base + at)).toBe(expected);
              } else {
                view.k.process.mem.setUint8(view.base + at, s.value);
                if (view.access === FILE_MAP_WRITE) {
                  bytes[view.offset + at] = s.value;
                } else {
                  let copy = view.privatePages.get(page);
                  if (copy === undefined) {
                    copy = bytes.slice(view.offset + page * PAGE, view.offset + (page + 1) * PAGE);
                    view.privatePages.set(page, copy);
                  }
                  copy[at % PAGE] = s.value;
                }
              }
            }
          }
          for (const k of processes) k.process.addressSpace.validate();
          physical.validate();
          sectionOf(a, handles[0] as number).validate();
          const copyPages = views.filter((v) => v.access === FILE_MAP_COPY).reduce((sum, v) => sum + Math.ceil(v.size / PAGE), 0);
          expect(physical.commitChargePages).toBe(SECTION_SIZE / PAGE + copyPages);
        }
        for (const view of views) expect(view.k.UnmapViewOfFile(view.base)).toBe(true);
        for (const [i, k] of processes.entries()) expect(k.CloseHandle(handles[i] as number)).toBe(true);
        expect(physical.framesInUse).toBe(0);
        expect(physical.commitChargePages).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});

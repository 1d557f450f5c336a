// The README's examples run as written (imports bound to the workspace sources) and print what their
// comments say.
import { readFileSync } from 'node:fs';
import * as heapPackage from '@mem/heap';
import * as pagesPackage from '@mem/pages';
import { describe, expect, it } from 'vitest';
import * as idiomatic from '../src/index';
import * as door from '../src/win32';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');

const modules: Record<string, unknown> = {
  '@mem/heap': heapPackage,
  '@mem/pages': pagesPackage,
  '@mem/global-local': idiomatic,
  '@mem/global-local/win32': door,
};

function run(code: string): unknown[][] {
  const logged: unknown[][] = [];
  const body = code
    .replace(/import\s*\{([^}]*)\}\s*from\s*'([^']+)';/g, (_all, names: string, from: string) => {
      if (!(from in modules)) throw new Error(`README imports ${from}`);
      return `const {${names}} = modules[${JSON.stringify(from)}];`;
    })
    .replace(/\(error as \{ code: number \}\)/g, 'error')
    .replace(/!\./g, '.');
  const console = { log: (...args: unknown[]) => logged.push(args) };
  new Function('modules', 'console', body)(modules, console);
  return logged;
}

describe('README examples', () => {
  it('start the README', () => {
    expect(blocks.length).toBe(3);
    expect(readme.indexOf('```ts')).toBeLessThan(readme.indexOf('## '));
  });

  it('movable memory as objects', () => {
    expect(run(blocks[0]!)).toEqual([['c0ffee'], [true, 0]]);
  });

  it('the Win32 door', () => {
    expect(run(blocks[1]!)).toEqual([[4, 0, true], [1], [false, 0], [false, 158], [true, 6], [true]]);
  });

  it('over any heap', () => {
    const logged = run(blocks[2]!);
    expect(logged[0]).toEqual([8]);
    expect(logged[1]?.[0]).toBe(3);
    expect(typeof logged[1]?.[1]).toBe('number');
  });
});

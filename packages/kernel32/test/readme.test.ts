// The README's examples run as written (imports from '@mem/kernel32' bound to this package's source).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as k32 from '../src/index';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');

function run(code: string): unknown[][] {
  const logged: unknown[][] = [];
  const body = code.replace(/import\s*\{([^}]*)\}\s*from\s*'@mem\/kernel32';/g, (_all, names: string) => `const {${names}} = k32;`);
  const console = { log: (...args: unknown[]) => logged.push(args) };
  new Function('k32', 'console', body)(k32, console);
  return logged;
}

describe('README examples', () => {
  it('has runnable examples first', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(readme.indexOf('```ts')).toBeLessThan(readme.indexOf('## '));
  });

  it.each(blocks.map((code, index) => [index, code] as const))('example %d runs', (index, code) => {
    const logged = run(code);
    if (index === 1) expect(logged[0]).toEqual([true]);
    if (index === 2) expect(logged).toEqual([['c0000005']]);
    if (index === 3) expect(logged).toEqual([[100], [true]]);
    if (index === 4) expect(logged).toEqual([[42]]);
  });
});

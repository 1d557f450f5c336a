// Creates the common files of a workspace package (used once per package; kept for newcomers).
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [dir, name, description, entriesArg, depsArg] = process.argv.slice(2);
const entries = (entriesArg ?? 'index').split(',');
const deps = depsArg ? depsArg.split(',') : [];
const exportsField = {};
for (const entry of entries) {
  const key = entry === 'index' ? '.' : `./${entry}`;
  exportsField[key] = {
    '@mem/source': `./src/${entry}.ts`,
    types: `./dist/${entry}.d.ts`,
    import: `./dist/${entry}.js`,
  };
}
const pkg = {
  name,
  version: '0.1.0',
  description,
  license: 'MIT',
  type: 'module',
  sideEffects: false,
  files: ['dist'],
  exports: exportsField,
  main: './dist/index.js',
  types: './dist/index.d.ts',
  engines: { node: '>=20.11' },
  scripts: {
    build: 'tsup',
    typecheck: 'tsc -p tsconfig.json',
    publint: 'publint --strict',
  },
  dependencies: Object.fromEntries(deps.map((d) => [d, 'workspace:^'])),
};
mkdirSync(join(dir, 'src'), { recursive: true });
mkdirSync(join(dir, 'test'), { recursive: true });
writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(
  join(dir, 'tsconfig.json'),
  `${JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', 'test', '*.ts'] }, null, 2)}\n`,
);
writeFileSync(
  join(dir, 'tsup.config.ts'),
  `import { defineConfig } from 'tsup';\n\nexport default defineConfig({\n  entry: [${entries.map((e) => `'src/${e}.ts'`).join(', ')}],\n  format: ['esm'],\n  dts: true,\n  clean: true,\n  sourcemap: true,\n  target: 'es2022',\n});\n`,
);
writeFileSync(
  join(dir, 'vitest.config.ts'),
  `import { memProject } from '../../vitest.shared';\n\nexport default memProject('${name}');\n`,
);
for (const entry of entries) {
  const file = join(dir, 'src', `${entry}.ts`);
  if (!existsSync(file)) writeFileSync(file, 'export {};\n');
}

import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/win32.ts', 'src/testing.ts', 'src/shared/index.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
});

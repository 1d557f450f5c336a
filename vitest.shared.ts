// Shared vitest settings: resolve workspace packages to their TypeScript sources (no build needed).
import { defineProject } from 'vitest/config';

export const sourceConditions = ['@mem/source'];

export function memProject(name: string, extra: { testTimeout?: number; include?: string[] } = {}) {
  return defineProject({
    resolve: { conditions: [...sourceConditions, 'import', 'module', 'default'] },
    ssr: { resolve: { conditions: [...sourceConditions, 'import', 'module', 'default'] } },
    test: {
      name,
      include: extra.include ?? ['test/**/*.test.ts'],
      testTimeout: extra.testTimeout ?? 20_000,
    },
  });
}

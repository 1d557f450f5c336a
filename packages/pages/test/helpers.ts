// Test helpers shared by the test files of @mem/pages.
import { expect } from 'vitest';
import { isMemError } from '../src/index';

/** Runs `action`, expecting a MemError with `code`. */
export function expectCode(action: () => unknown, code: number): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a MemError').toBeDefined();
  expect(isMemError(thrown), String(thrown)).toBe(true);
  expect((thrown as { code: number }).code).toBe(code);
}

/** Runs `action`, returning what it threw. */
export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

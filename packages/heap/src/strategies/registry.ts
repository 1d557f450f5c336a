// Strategies by name (unstorage's drivers): one factory per name. The four built-in strategies are
// registered when this module loads; users add their own with registerStrategy().
import type { HeapStrategyFactory } from '../api';
import { invalidParameter } from '../errors';
import { createBumpArena } from './bump';
import { createLfhHeap } from './lfh';
import { createSegregatedHeap } from './segregated';
import { createTlsfHeap } from './tlsf';

const factories = new Map<string, HeapStrategyFactory>([
  ['segregated', createSegregatedHeap],
  ['lfh', createLfhHeap],
  ['tlsf', createTlsfHeap],
  ['bump', createBumpArena],
]);

/** Registers (or replaces) the strategy called `name`. */
export function registerStrategy(name: string, factory: HeapStrategyFactory): void {
  if (typeof name !== 'string' || name.length === 0) throw invalidParameter('a strategy needs a name');
  if (typeof factory !== 'function') throw invalidParameter(`strategy ${name}: factory must be a function`);
  factories.set(name, factory);
}

/** The factory registered as `name`; throws MemError(ERROR_INVALID_PARAMETER) for an unknown name. */
export function getStrategy(name: string): HeapStrategyFactory {
  const factory = factories.get(name);
  if (factory === undefined) {
    throw invalidParameter(`unknown heap strategy '${name}' (known: ${[...factories.keys()].join(', ')})`);
  }
  return factory;
}

export function hasStrategy(name: string): boolean {
  return factories.has(name);
}

/** Names of every registered strategy, built-in ones first. */
export function strategyNames(): string[] {
  return [...factories.keys()];
}

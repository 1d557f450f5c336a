// TLSF ('tlsf', Masmano et al. 2004): two-level segregated fit over the same boundary-tag blocks and
// segments as the NT back end (segregated.ts), which runs it as its 'tlsf' size-class policy
// (tlsfClasses.ts). Insertion maps a size down to its class; a request is rounded up to the next class
// boundary, so the head of the first non-empty list at or above it always fits: allocation and free are
// O(1), with no list scanning ("good fit"). The registry's heaps are plain SegregatedHeap objects, so that a
// process running both policies keeps the back end's hot methods monomorphic.
import type { HeapStrategyOptions } from '../api';
import { SegregatedHeap } from './segregated';

export { TLSF_LIST_COUNT, tlsfListIndex, tlsfListLowerBound, tlsfSearchIndex } from './tlsfClasses';

/** A TLSF heap as a class of its own (for `instanceof` and subclassing); createTlsfHeap is what the registry uses. */
export class TlsfHeap extends SegregatedHeap {
  constructor(options: HeapStrategyOptions) {
    super({ ...options, sizeClasses: 'tlsf' });
  }
}

export function createTlsfHeap(options: HeapStrategyOptions): SegregatedHeap {
  return new SegregatedHeap({ ...options, sizeClasses: 'tlsf' });
}

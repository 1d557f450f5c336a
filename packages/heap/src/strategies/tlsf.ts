// TLSF ('tlsf', Masmano et al. 2004): two-level segregated fit over the same boundary-tag blocks and
// segments as the NT back end (segregated.ts). First level: the power of two of the size in granules;
// second level: 16 linear classes inside it. Insertion maps a size down to its class; a request is
// rounded up to the next class boundary, so the head of the first non-empty list at or above it always
// fits: allocation and free are O(1), with no list scanning ("good fit").
import type { HeapStrategyOptions } from '../api';
import { SegregatedHeap } from './segregated';

/** log2 of the number of second-level classes per first-level class. */
const SECOND_LEVEL_BITS = 4;
const SECOND_LEVEL_COUNT = 1 << SECOND_LEVEL_BITS;
/** Sizes below SECOND_LEVEL_COUNT granules each get their own list; then 16 classes per power of two up to 2^25. */
const TLSF_LIST_COUNT = SECOND_LEVEL_COUNT + (25 - SECOND_LEVEL_BITS) * SECOND_LEVEL_COUNT;

/** First level: the power of two; second level: 16 linear classes in it (sizes in granules). */
export function tlsfListIndex(granules: number): number {
  if (granules < SECOND_LEVEL_COUNT) return granules;
  const firstLevel = 31 - Math.clz32(granules);
  const secondLevel = (granules >>> (firstLevel - SECOND_LEVEL_BITS)) - SECOND_LEVEL_COUNT;
  return SECOND_LEVEL_COUNT + (firstLevel - SECOND_LEVEL_BITS) * SECOND_LEVEL_COUNT + secondLevel;
}

/** The first list whose every block holds `granules`: the request rounded up to its class boundary. */
export function tlsfSearchIndex(granules: number): number {
  if (granules < SECOND_LEVEL_COUNT) return granules;
  const firstLevel = 31 - Math.clz32(granules);
  return tlsfListIndex(granules + (1 << (firstLevel - SECOND_LEVEL_BITS)) - 1);
}

/** The smallest size (in granules) a block in TLSF list `index` can have. */
export function tlsfListLowerBound(index: number): number {
  if (index < SECOND_LEVEL_COUNT) return index;
  const firstLevel = SECOND_LEVEL_BITS + Math.floor((index - SECOND_LEVEL_COUNT) / SECOND_LEVEL_COUNT);
  const secondLevel = (index - SECOND_LEVEL_COUNT) % SECOND_LEVEL_COUNT;
  return 2 ** firstLevel + secondLevel * 2 ** (firstLevel - SECOND_LEVEL_BITS);
}

export class TlsfHeap extends SegregatedHeap {
  override readonly name: string = 'tlsf';

  constructor(options: HeapStrategyOptions) {
    super({ ...options, listCount: TLSF_LIST_COUNT });
  }

  protected override listIndex(granules: number): number {
    return tlsfListIndex(granules);
  }

  protected override findFit(granules: number): number {
    const index = this.nextNonEmpty(tlsfSearchIndex(granules));
    return index < 0 ? 0 : this.listHead(index);
  }
}

export function createTlsfHeap(options: HeapStrategyOptions): TlsfHeap {
  return new TlsfHeap(options);
}

// TLSF's size classes (Masmano et al. 2004): first level, the power of two of a size in granules; second
// level, 16 linear classes inside it. The segregated back end indexes its free lists with these when it
// runs the 'tlsf' policy (tlsf.ts).

/** log2 of the number of second-level classes per first-level class. */
const SECOND_LEVEL_BITS = 4;
const SECOND_LEVEL_COUNT = 1 << SECOND_LEVEL_BITS;
/** Sizes below SECOND_LEVEL_COUNT granules each get their own list; then 16 classes per power of two up to 2^25. */
export const TLSF_LIST_COUNT = SECOND_LEVEL_COUNT + (25 - SECOND_LEVEL_BITS) * SECOND_LEVEL_COUNT;

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

// Words shared between the shared-heap tests and their workers: the control flags of the lock tests
// and the layout of the stress test's rings (one single-producer single-consumer ring per ordered pair
// of workers: head, tail, then RING_CAPACITY entries of (pointer, size)).

export const CONTROL = {
  /** 1 once the locker holds the heap lock, 2 once it released it. */
  locked: 0,
  /** Set to 1 to make the locker unlock. */
  release: 1,
  /** Set to 1 to make the allocator allocate. */
  go: 2,
  /** 1 right before the allocator calls alloc. */
  allocating: 3,
  /** 1 right after its alloc returned. */
  allocated: 4,
  /** 1 once the allocator attached (and primed its cache). */
  ready: 5,
} as const;
export const CONTROL_WORDS = 8;

export const RING_CAPACITY = 64;
const RING_WORDS = 2 + 2 * RING_CAPACITY;

/** Word index of the ring carrying blocks from worker `from` to worker `to` (ids 1…workers). */
export function ringIndex(from: number, to: number, workers: number): number {
  return ((from - 1) * workers + (to - 1)) * RING_WORDS;
}

/** Words of all rings; the word at this index counts the workers done sending. */
export function ringWords(workers: number): number {
  return workers * workers * RING_WORDS;
}

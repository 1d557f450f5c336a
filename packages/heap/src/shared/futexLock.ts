// A futex-style mutex on one word of shared memory (Drepper, "Futexes Are Tricky", mutex #2):
// 0 = free, 1 = held, 2 = held and someone may be waiting. Taking a free lock is one CAS; a contended
// taker spins briefly, then sleeps in Atomics.wait until the holder's unlock notifies one waiter.
// Atomics.wait is allowed in Node's main thread and in workers (not in a browser's main thread).

export const LOCK_FREE = 0;
export const LOCK_HELD = 1;
export const LOCK_CONTENDED = 2;

const SPIN_LIMIT = 100;

export function mutexLock(words: Int32Array, index: number): void {
  let state = Atomics.compareExchange(words, index, LOCK_FREE, LOCK_HELD);
  if (state === LOCK_FREE) return;
  for (let spin = 0; spin < SPIN_LIMIT; spin++) {
    if (Atomics.load(words, index) === LOCK_FREE) {
      state = Atomics.compareExchange(words, index, LOCK_FREE, LOCK_HELD);
      if (state === LOCK_FREE) return;
    }
  }
  if (state !== LOCK_CONTENDED) state = Atomics.exchange(words, index, LOCK_CONTENDED);
  while (state !== LOCK_FREE) {
    Atomics.wait(words, index, LOCK_CONTENDED);
    state = Atomics.exchange(words, index, LOCK_CONTENDED);
  }
}

/** True when the lock was free and is now held by the caller. */
export function mutexTryLock(words: Int32Array, index: number): boolean {
  return Atomics.compareExchange(words, index, LOCK_FREE, LOCK_HELD) === LOCK_FREE;
}

export function mutexUnlock(words: Int32Array, index: number): void {
  if (Atomics.sub(words, index, 1) !== LOCK_HELD) {
    Atomics.store(words, index, LOCK_FREE);
    Atomics.notify(words, index, 1);
  }
}

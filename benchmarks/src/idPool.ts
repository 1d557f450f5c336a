// Hands out block ids the way the shared traces were renumbered: the smallest id not in use.
// A binary min-heap of freed ids in a typed array, growing as needed.

export class IdPool {
  private heap = new Uint32Array(256);
  private heapSize = 0;
  private next = 0;

  /** The smallest id not in use. */
  take(): number {
    if (this.heapSize === 0) return this.next++;
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap[--this.heapSize]!;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= this.heapSize) break;
      const right = left + 1;
      const child = right < this.heapSize && heap[right]! < heap[left]! ? right : left;
      if (heap[child]! >= last) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = last;
    return top;
  }

  /** Returns `id` to the pool. */
  give(id: number): void {
    if (this.heapSize === this.heap.length) {
      const grown = new Uint32Array(this.heap.length * 2);
      grown.set(this.heap);
      this.heap = grown;
    }
    const heap = this.heap;
    let index = this.heapSize++;
    while (index > 0) {
      const parent = Math.floor((index - 1) / 2);
      if (heap[parent]! <= id) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = id;
  }
}

// PageMap: one Int32 per page of a section, stored in chunks created on first write, so a 1 TiB
// SEC_RESERVE section costs nothing until its pages are used. Reads of absent chunks give the default.

const CHUNK_PAGES = 4096;

export class PageMap {
  readonly pageCount: number;
  readonly defaultValue: number;
  private readonly chunks: (Int32Array | undefined)[] = [];

  constructor(pageCount: number, defaultValue: number) {
    this.pageCount = pageCount;
    this.defaultValue = defaultValue;
  }

  get(page: number): number {
    const chunk = this.chunks[Math.floor(page / CHUNK_PAGES)];
    return chunk === undefined ? this.defaultValue : (chunk[page % CHUNK_PAGES] ?? this.defaultValue);
  }

  set(page: number, value: number): void {
    const key = Math.floor(page / CHUNK_PAGES);
    let chunk = this.chunks[key];
    if (chunk === undefined) {
      if (value === this.defaultValue) return;
      while (this.chunks.length < key) this.chunks.push(undefined);
      chunk = new Int32Array(CHUNK_PAGES).fill(this.defaultValue);
      this.chunks[key] = chunk;
    }
    chunk[page % CHUNK_PAGES] = value;
  }

  /** Calls `visit(page, value)` for every page in [first, end) whose value is not the default. */
  forEachSet(first: number, end: number, visit: (page: number, value: number) => void): void {
    for (let key = Math.floor(first / CHUNK_PAGES); key * CHUNK_PAGES < end && key < this.chunks.length; key++) {
      const chunk = this.chunks[key];
      if (chunk === undefined) continue;
      const from = Math.max(first, key * CHUNK_PAGES);
      const to = Math.min(end, (key + 1) * CHUNK_PAGES);
      for (let page = from; page < to; page++) {
        const value = chunk[page - key * CHUNK_PAGES] ?? this.defaultValue;
        if (value !== this.defaultValue) visit(page, value);
      }
    }
  }

  /** Number of pages in [first, end) whose value is not the default. */
  countSet(first: number, end: number): number {
    let count = 0;
    this.forEachSet(first, end, () => {
      count++;
    });
    return count;
  }
}

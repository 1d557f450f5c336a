// Whole-heap views of a shared heap, read straight from its words: walk() in address order and
// validate(), which checks every invariant of layout.ts and backEnd.ts — the tiling, headers and
// their checks, the free lists and their bitmap, each slot's caches, the live-block bitmap and the
// counters. Both expect no other thread to be changing the front end's caches meanwhile.
import type { HeapWalkEntry } from '../api';
import { heapCorruption } from '../errors';
import {
  BLOCK_BUSY,
  BLOCK_CACHED,
  BLOCK_FRONT,
  CLASS_COUNT,
  C_BITMAP_START,
  C_FREE_BLOCKS,
  C_FREE_BYTES,
  C_HEAP_START,
  C_LAST_SIZE,
  C_LIMIT,
  C_LIST_BITMAP,
  C_LIST_HEADS,
  C_SHARED_CACHED_BYTES,
  C_SHARED_LIVE_BLOCKS,
  C_SHARED_LIVE_BYTES,
  C_SLOTS_START,
  C_TOP,
  FLAG_MASK,
  GRANULE,
  HEADER_SIZE,
  LIST_COUNT,
  MIN_BLOCK,
  SIZE_MASK,
  SLOT_COUNT,
  SLOT_WORDS,
  S_CACHED_BYTES,
  S_LIVE_BLOCKS,
  S_LIVE_BYTES,
  S_LOCAL_HEADS,
  S_REMOTE_HEADS,
  headerCheck,
  listIndex,
  tagCheck,
  tagClass,
  tagSlot,
} from './layout';

export function walkSharedHeap(w: Int32Array, visit: (entry: HeapWalkEntry) => void): void {
  const heapStart = w[C_HEAP_START]!;
  const top = w[C_TOP]!;
  const limit = w[C_LIMIT]!;
  visit({
    kind: 'region',
    address: heapStart,
    size: limit - heapStart,
    overhead: heapStart,
    regionIndex: 0,
    committedSize: top - heapStart,
    uncommittedSize: limit - top,
    firstBlock: heapStart,
    lastBlock: limit,
  });
  for (let block = heapStart; block < top; ) {
    const word0 = w[block >> 2]!;
    const size = word0 & SIZE_MASK;
    if (size < MIN_BLOCK) throw heapCorruption(block, `block size ${size}`);
    const address = block + HEADER_SIZE;
    const front = (word0 & BLOCK_FRONT) !== 0;
    if ((word0 & BLOCK_BUSY) === 0 || (word0 & BLOCK_CACHED) !== 0) {
      visit({ kind: 'free', address, size: size - HEADER_SIZE, overhead: HEADER_SIZE, regionIndex: 0, frontEnd: front });
    } else {
      const requested = w[(block >> 2) + 2]!;
      visit({ kind: 'busy', address, size: requested, overhead: size - requested, regionIndex: 0, frontEnd: front });
    }
    block += size;
  }
  if (top < limit) visit({ kind: 'uncommitted', address: top, size: limit - top, overhead: 0, regionIndex: 0 });
}

export function validateSharedHeap(w: Int32Array): void {
  const heapStart = w[C_HEAP_START]!;
  const top = w[C_TOP]!;
  const limit = w[C_LIMIT]!;
  const bitmapBase = w[C_BITMAP_START]! >> 2;
  const slotsBase = w[C_SLOTS_START]! >> 2;
  if (top < heapStart || top > limit || top % GRANULE !== 0) throw heapCorruption(top, 'top of the heap out of range');

  // 1. The tiling.
  let previousSize = 0;
  let previousFree = false;
  let liveBlocks = 0;
  let liveBytes = 0;
  let freeBlocks = 0;
  let freeBytes = 0;
  let cachedBlocks = 0;
  let cachedBytes = 0;
  let block = heapStart;
  while (block < top) {
    const at = block >> 2;
    const word0 = w[at]!;
    const size = word0 & SIZE_MASK;
    const flags = word0 & FLAG_MASK;
    if (size < MIN_BLOCK || block + size > top) throw heapCorruption(block, `block size ${size} runs past the top`);
    if (w[at + 1] !== previousSize) throw heapCorruption(block, `previous size ${w[at + 1]} ≠ ${previousSize}`);
    const tag = w[at + 3]!;
    if (tagCheck(tag) !== headerCheck(block, size)) throw heapCorruption(block, 'header check');
    const busy = (flags & BLOCK_BUSY) !== 0;
    const front = (flags & BLOCK_FRONT) !== 0;
    const cached = (flags & BLOCK_CACHED) !== 0;
    let live = false;
    if (!busy) {
      if (flags !== 0) throw heapCorruption(block, `free block with flags ${flags}`);
      if (previousFree) throw heapCorruption(block, 'two free blocks touch');
      freeBlocks++;
      freeBytes += size;
    } else if (front) {
      const sizeClass = tagClass(tag);
      const slot = tagSlot(tag);
      if (sizeClass < 2 || sizeClass >= CLASS_COUNT || size < sizeClass * GRANULE || size >= sizeClass * GRANULE + MIN_BLOCK) {
        throw heapCorruption(block, `front-end class ${sizeClass} for size ${size}`);
      }
      if (slot < 1 || slot > SLOT_COUNT) throw heapCorruption(block, `front-end slot ${slot}`);
      if (cached) {
        cachedBlocks++;
        cachedBytes += size;
      } else live = true;
    } else {
      if (cached) throw heapCorruption(block, 'cached flag on a back-end block');
      live = true;
    }
    if (live) {
      const requested = w[at + 2]!;
      if (requested < 0 || requested + HEADER_SIZE > size) throw heapCorruption(block, `requested size ${requested} in ${size}`);
      liveBlocks++;
      liveBytes += requested;
    }
    const granule = (block + HEADER_SIZE) >>> 4;
    const bit = (w[bitmapBase + (granule >>> 5)]! >>> (granule & 31)) & 1;
    if (bit !== (live ? 1 : 0)) throw heapCorruption(block, `live bit ${bit} on a ${live ? 'live' : 'free'} block`);
    previousFree = !busy;
    previousSize = size;
    block += size;
  }
  if (previousFree) throw heapCorruption(block - previousSize, 'free block touches the top');
  if (w[C_LAST_SIZE] !== previousSize) throw heapCorruption(top, `last size ${w[C_LAST_SIZE]} ≠ ${previousSize}`);

  // 2. The live bitmap has no bit but those of live blocks.
  const limitGranules = Math.ceil(limit / GRANULE);
  let bits = 0;
  for (let word = 0; word < Math.ceil(limitGranules / 32); word++) {
    let value = w[bitmapBase + word]!;
    while (value !== 0) {
      value &= value - 1;
      bits++;
    }
  }
  if (bits !== liveBlocks) throw heapCorruption(heapStart, `${bits} live bits for ${liveBlocks} live blocks`);

  // 3. Free lists: each block free, in its list, links consistent; the bitmap index matches.
  let listed = 0;
  let listedBytes = 0;
  for (let index = 0; index < LIST_COUNT; index++) {
    let previous = 0;
    let b = w[C_LIST_HEADS + index]!;
    const nonEmpty = ((w[C_LIST_BITMAP + (index >>> 5)]! >>> (index & 31)) & 1) === 1;
    if (nonEmpty !== (b !== 0)) throw heapCorruption(b, `list ${index} bitmap bit disagrees`);
    while (b !== 0) {
      if (b < heapStart || b >= top || b % GRANULE !== 0) throw heapCorruption(b, `list ${index} link out of the heap`);
      const word0 = w[b >> 2]!;
      if ((word0 & FLAG_MASK) !== 0) throw heapCorruption(b, `busy block in free list ${index}`);
      if (listIndex(word0 & SIZE_MASK) !== index) throw heapCorruption(b, `size ${word0 & SIZE_MASK} in list ${index}`);
      if (w[(b >> 2) + 5] !== previous) throw heapCorruption(b, 'backward link');
      listed++;
      listedBytes += word0 & SIZE_MASK;
      if (listed > freeBlocks) throw heapCorruption(b, 'free lists hold more blocks than the heap');
      previous = b;
      b = w[(b >> 2) + 4]!;
    }
  }
  if (listed !== freeBlocks || listedBytes !== freeBytes) throw heapCorruption(heapStart, `free lists hold ${listed} blocks, the heap ${freeBlocks}`);
  if (w[C_FREE_BLOCKS] !== freeBlocks || w[C_FREE_BYTES] !== freeBytes) throw heapCorruption(heapStart, 'free counters');

  // 4. Caches: every cached block in exactly one list, of its own slot and class.
  const seen = new Set<number>();
  let slotLiveBytes = Atomics.load(w, C_SHARED_LIVE_BYTES);
  let slotLiveBlocks = Atomics.load(w, C_SHARED_LIVE_BLOCKS);
  let slotCachedBytes = Atomics.load(w, C_SHARED_CACHED_BYTES);
  for (let slot = 1; slot <= SLOT_COUNT; slot++) {
    const base = slotsBase + (slot - 1) * SLOT_WORDS;
    slotLiveBytes += w[base + S_LIVE_BYTES]!;
    slotLiveBlocks += w[base + S_LIVE_BLOCKS]!;
    slotCachedBytes += w[base + S_CACHED_BYTES]!;
    for (let sizeClass = 0; sizeClass < CLASS_COUNT; sizeClass++) {
      for (const headAt of [base + S_LOCAL_HEADS + sizeClass, base + S_REMOTE_HEADS + sizeClass]) {
        for (let p = w[headAt]!; p !== 0; p = w[p >> 2]!) {
          const b = p - HEADER_SIZE;
          if (b < heapStart || b >= top || p % GRANULE !== 0) throw heapCorruption(b, `cache link of slot ${slot} out of the heap`);
          const word0 = w[b >> 2]!;
          const tag = w[(b >> 2) + 3]!;
          if ((word0 & FLAG_MASK) !== (BLOCK_BUSY | BLOCK_FRONT | BLOCK_CACHED)) throw heapCorruption(b, 'cached block not marked cached');
          if (tagSlot(tag) !== slot || tagClass(tag) !== sizeClass) throw heapCorruption(b, `block of slot ${tagSlot(tag)} class ${tagClass(tag)} in slot ${slot} class ${sizeClass}`);
          if (seen.has(b)) throw heapCorruption(b, 'cached block listed twice');
          seen.add(b);
        }
      }
    }
  }
  if (seen.size !== cachedBlocks) throw heapCorruption(heapStart, `caches list ${seen.size} blocks, the heap has ${cachedBlocks}`);

  // 5. Counters.
  if (slotLiveBlocks !== liveBlocks || slotLiveBytes !== liveBytes) {
    throw heapCorruption(heapStart, `counters say ${slotLiveBlocks} live blocks / ${slotLiveBytes} bytes, the heap ${liveBlocks} / ${liveBytes}`);
  }
  if (slotCachedBytes !== cachedBytes) throw heapCorruption(heapStart, `cached counters ${slotCachedBytes} ≠ ${cachedBytes}`);
}

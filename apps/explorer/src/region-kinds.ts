// The memory types the explorer colours regions by: VMMap's types (Image, Mapped File, Shareable,
// Heap, Private Data, Unusable, Free) plus AWE windows, with one fixed colour each as VMMap uses.

export const REGION_KINDS = ['image', 'mapped-file', 'shareable', 'heap', 'awe', 'private', 'unusable', 'free'] as const;
export type RegionKind = (typeof REGION_KINDS)[number];

export const KIND_LABELS: Readonly<Record<RegionKind, string>> = {
  image: 'Image',
  'mapped-file': 'Mapped File',
  shareable: 'Shareable',
  heap: 'Heap',
  awe: 'AWE',
  private: 'Private Data',
  unusable: 'Unusable',
  free: 'Free',
};

/** VMMap's legend colours (committed pages); reserved pages are drawn in a lighter shade. */
export const KIND_COLOURS: Readonly<Record<RegionKind, string>> = {
  image: '#a98ee0',
  'mapped-file': '#6fa8dc',
  shareable: '#e69138',
  heap: '#e06666',
  awe: '#45b5aa',
  private: '#f1c232',
  unusable: '#999999',
  free: '#f3f3f3',
};

/** Lighter shade of a kind's colour, for reserved (not committed) pages. */
export const KIND_RESERVED_COLOURS: Readonly<Record<RegionKind, string>> = {
  image: '#ddd2f4',
  'mapped-file': '#cfe2f3',
  shareable: '#f9cb9c',
  heap: '#f4cccc',
  awe: '#b7e1dd',
  private: '#fff2cc',
  unusable: '#999999',
  free: '#f3f3f3',
};

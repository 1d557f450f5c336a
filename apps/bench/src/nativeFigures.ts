// The native allocators' figures on the shared traces (benchmarks/traces/README.md: a C replayer on
// Linux x86-64, 2 cores), shown beside mem's figures.

export const NATIVE_ALLOCATORS = ['glibc', 'mimalloc', 'jemalloc', 'tcmalloc'] as const;

export interface NativeFigures {
  footprint: readonly [number, number, number, number];
  nsPerEvent: readonly [number, number, number, number];
}

export const nativeFigures: Readonly<Record<string, NativeFigures>> = {
  sqlite3: { footprint: [1.011, 1.213, 1.32, 1.373], nsPerEvent: [4.8, 88.1, 115.9, 3.9] },
  'python3-json': { footprint: [1.394, 1.346, 1.371, 1.35], nsPerEvent: [14.5, 5.6, 20.0, 9.0] },
  'jq-transform': { footprint: [1.245, 1.355, 1.352, 1.33], nsPerEvent: [21.4, 7.0, 33.9, 16.4] },
};

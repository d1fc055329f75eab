// lru-cache options that bound a cache by its number of entries without allocating room for all of
// them up front. With `max`, lru-cache allocates storage for `max` entries when the cache is created
// (its README, "Storage Bounds Safety"): for the replay store's default 500,000 tokens that is ~55 ms
// of the event loop and ~12 MB before the first call, and ~120 ms of the time to ready with the
// production GC flags (measured on a 2-vCPU VM, bench/RESULTS.md, fourteenth pass), whether or not a
// token ever arrives. `maxSize` with every entry counted as 1 holds the same bound and lets storage
// grow as entries arrive, for ~0.3 µs more per get and set (600,000 of each on a 500,000 bound: 1.13
// against 0.85 µs), nothing beside a call's ~500 µs.

/** At most `maxEntries` entries, storage allocated as they arrive (lru-cache's `maxSize`, each entry size 1). */
export function entriesAtMost(maxEntries: number): { maxSize: number; sizeCalculation: () => number } {
  return { maxSize: maxEntries, sizeCalculation: () => 1 };
}

/** A named cache's counters, for the metrics: lookups that found an entry, and that did not. */
export interface CacheStatistics {
  name: string
  hits: number
  misses: number
  size: number
}

/** Named caches, held weakly: a closed application's caches leave with it. */
const namedCaches = new Set<WeakRef<BoundedCache<unknown, unknown>>>()

/** Every live named cache's counters, summed by name. */
export function cacheStatistics(): CacheStatistics[] {
  const byName = new Map<string, CacheStatistics>()
  for (const ref of namedCaches) {
    const cache = ref.deref()
    if (!cache) {
      namedCaches.delete(ref)
      continue
    }
    const name = cache.name as string
    const total = byName.get(name) ?? { name, hits: 0, misses: 0, size: 0 }
    total.hits += cache.hits
    total.misses += cache.misses
    total.size += cache.size
    byName.set(name, total)
  }
  return [...byName.values()]
}

/**
 * A size-bounded map that evicts the least recently used entry. Capacity 0 caches nothing. A
 * named cache counts its hits and misses (two integer increments: nothing on the request path).
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>()
  hits = 0
  misses = 0

  constructor(
    private readonly capacity: number,
    readonly name?: string,
  ) {
    if (name !== undefined) namedCaches.add(new WeakRef(this as BoundedCache<unknown, unknown>))
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key)
    if (value === undefined) this.misses++
    else {
      this.hits++
      // Re-insert to mark as most recently used (Map keeps insertion order).
      this.entries.delete(key)
      this.entries.set(key, value)
    }
    return value
  }

  set(key: K, value: V): void {
    if (this.capacity === 0) return
    this.entries.delete(key)
    this.entries.set(key, value)
    if (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value as K)
    }
  }

  delete(key: K): void {
    this.entries.delete(key)
  }

  clear(): void {
    this.entries.clear()
  }

  get size(): number {
    return this.entries.size
  }
}

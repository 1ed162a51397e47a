import { LRUCache } from 'lru-cache'

/** A named cache's counters, for the metrics: lookups that found an entry, and that did not. */
export interface CacheStatistics {
  name: string
  hits: number
  misses: number
  size: number
}

/** Named caches, held weakly: a closed application's caches leave with it. */
const namedCaches = new Set<WeakRef<BoundedCache<{}, unknown>>>()

/** Stands for a cached null (a known absence): lru-cache holds no null values. */
const NULL = Object.freeze({})

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
 *
 * The recency order is lru-cache's, kept in preallocated index arrays: a hit moves two indexes
 * and allocates nothing. A Map re-inserted on every hit (delete, then set) made V8 rebuild the
 * Map's table again and again, and each table outlived the young generation: about 150 bytes of
 * old-generation garbage per authenticated request, hence mark-compacts under load.
 */
export class BoundedCache<K extends {}, V> {
  private readonly entries: LRUCache<K, {}> | null
  hits = 0
  misses = 0

  constructor(
    capacity: number,
    readonly name?: string,
  ) {
    this.entries = capacity > 0 ? new LRUCache<K, {}>({ max: capacity }) : null
    if (name !== undefined) namedCaches.add(new WeakRef(this as unknown as BoundedCache<{}, unknown>))
  }

  get(key: K): V | undefined {
    const stored = this.entries?.get(key)
    if (stored === undefined) {
      this.misses++
      return undefined
    }
    this.hits++
    return (stored === NULL ? null : stored) as V
  }

  set(key: K, value: V): void {
    this.entries?.set(key, value === null ? NULL : (value as {}))
  }

  delete(key: K): void {
    this.entries?.delete(key)
  }

  clear(): void {
    this.entries?.clear()
  }

  get size(): number {
    return this.entries?.size ?? 0
  }
}

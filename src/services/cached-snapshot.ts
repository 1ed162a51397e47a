import type { ChangeTopic } from '../storage/change-feed.js'
import type { Store } from '../storage/store.js'

/**
 * A value read from the store and kept in memory because every request needs it; dropped whenever
 * the change feed reports a change of its topic (or cannot vouch for the cache), and read again on
 * next use.
 */
export class CachedSnapshot<T> {
  private value: T | null = null
  /** Counts drops, so that a read which raced a change is used once but not kept. */
  private generation = 0

  constructor(
    private readonly store: Store,
    topic: ChangeTopic,
    private readonly load: () => Promise<T>,
  ) {
    store.changes.subscribe((changed) => {
      if (changed !== null && changed !== topic) return
      this.value = null
      this.generation++
    })
  }

  /** The value when it is held and may be trusted, without waiting; else null (then use get). */
  peek(): T | null {
    return this.store.changes.sync() ? this.value : null
  }

  async get(): Promise<T> {
    const trusted = this.store.changes.sync()
    if (trusted && this.value !== null) return this.value
    const generation = this.generation
    const value = await this.load()
    if (trusted && generation === this.generation) this.value = value
    return value
  }
}

import type { ChangeTopic } from '../storage/change-feed.js'
import { FillGuard } from '../storage/fill-guard.js'
import type { Store } from '../storage/store.js'

/**
 * A value read from the store and kept in memory because every request needs it; dropped whenever
 * the change feed reports a change of its topic (or cannot vouch for the cache), and read again on
 * next use.
 */
export class CachedSnapshot<T> {
  private value: T | null = null
  /** A read which raced a change is used once but not kept. */
  private readonly guard: FillGuard

  constructor(
    private readonly store: Store,
    topic: ChangeTopic,
    private readonly load: () => Promise<T>,
  ) {
    store.changes.subscribe((changed) => {
      if (changed === null || changed === topic) this.value = null
    })
    this.guard = new FillGuard(store.changes, [topic])
  }

  /** The value when it is held and may be trusted, without waiting; else null (then use get). */
  peek(): T | null {
    return this.store.changes.sync() ? this.value : null
  }

  async get(): Promise<T> {
    const ticket = this.guard.begin()
    if (ticket !== null && this.value !== null) return this.value
    const value = await this.load()
    if (this.guard.mayKeep(ticket)) this.value = value
    return value
  }
}

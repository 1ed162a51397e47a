import type { ChangeFeed, ChangeTopic } from './change-feed.js'

/**
 * Decides whether a value read from the store may be kept in a cache. A read takes time (an await,
 * or several): a change announced while it runs may concern what it read, so the value is used by
 * the request that read it but not kept. Nor is it kept when the feed could not vouch, at the start
 * or at the end of the read, that no change was missed.
 *
 *   const ticket = guard.begin()
 *   const value = await read()
 *   if (guard.mayKeep(ticket)) cache.set(key, value)
 */
export class FillGuard {
  /** Counts the changes of the watched topics (and the "anything changed" signals). */
  private generation = 0

  constructor(
    private readonly changes: ChangeFeed,
    topics: readonly ChangeTopic[],
  ) {
    changes.subscribe((topic) => {
      if (topic === null || topics.includes(topic)) this.generation++
    })
  }

  /** Call before reading; null when the feed cannot vouch for a cache right now. */
  begin(): number | null {
    return this.changes.sync() ? this.generation : null
  }

  /** Call after reading; sync() first, since it may itself announce changes seen only now. */
  mayKeep(ticket: number | null): boolean {
    return ticket !== null && this.changes.sync() && ticket === this.generation
  }
}

import type { Clock } from '../clock.js'

const WINDOW_MS = 60_000
const FIRST_LOCK_MS = 60_000
const LONGEST_LOCK_MS = 15 * 60_000
/** Bounds memory under a spray of addresses; the oldest entries go first. */
const MOST_ADDRESSES = 100_000

interface Entry {
  failures: number
  windowStart: number
  lockedUntil: number
  /** The length of the next lock: doubles each time the address is locked again. */
  nextLockMs: number
}

/**
 * Counts failed authentications per client address. After `limit` failures within a minute the
 * address is locked out for a minute, then two, four … up to fifteen, so guessing passwords or
 * tokens from one address gets nowhere. It knows only addresses, never accounts, so its answers
 * cannot tell whether an account exists. Kept in memory: each node throttles what it sees.
 */
export class FailureThrottle {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
  ) {}

  /** Milliseconds the address must still wait; 0 when it may try. */
  lockedFor(address: string): number {
    if (this.entries.size === 0) return 0
    const entry = this.entries.get(address)
    if (!entry) return 0
    return Math.max(0, entry.lockedUntil - this.clock())
  }

  fail(address: string): void {
    const now = this.clock()
    let entry = this.entries.get(address)
    if (!entry) {
      if (this.entries.size >= MOST_ADDRESSES) this.forgetOldest()
      entry = { failures: 0, windowStart: now, lockedUntil: 0, nextLockMs: FIRST_LOCK_MS }
      this.entries.set(address, entry)
    } else if (now - entry.windowStart >= WINDOW_MS) {
      // A quiet stretch as long as the longest lock forgives earlier locks too.
      if (now - Math.max(entry.windowStart, entry.lockedUntil) >= LONGEST_LOCK_MS) {
        entry.nextLockMs = FIRST_LOCK_MS
      }
      entry.failures = 0
      entry.windowStart = now
    }
    entry.failures++
    if (entry.failures >= this.limit) {
      entry.lockedUntil = now + entry.nextLockMs
      entry.nextLockMs = Math.min(entry.nextLockMs * 2, LONGEST_LOCK_MS)
      entry.failures = 0
      entry.windowStart = entry.lockedUntil
    }
  }

  private forgetOldest(): void {
    const now = this.clock()
    for (const [address, entry] of this.entries) {
      if (entry.lockedUntil <= now) this.entries.delete(address)
      if (this.entries.size < MOST_ADDRESSES / 2) return
    }
    const first = this.entries.keys().next()
    if (!first.done) this.entries.delete(first.value)
  }
}

/** Seconds for a Retry-After header: whole, at least one. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)))
}

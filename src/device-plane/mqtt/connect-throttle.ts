/** A bucket holds this many seconds' worth of connects: the burst an address may make at once. */
const BURST_SECONDS = 10
/** What a refused connect (bad credentials, unknown device) costs on top of its own token. */
const REFUSAL_COST = 10

/**
 * Slows down floods of CONNECTs from one address: each address has a bucket of ten seconds' worth
 * of tokens refilled at `perSecond`; a connect takes one, a refused one `REFUSAL_COST` more, and
 * an address with an empty bucket is refused (CONNACK 3, server unavailable) until it refills.
 */
export class ConnectThrottle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()
  private readonly capacity: number

  constructor(
    private readonly perSecond: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.capacity = perSecond * BURST_SECONDS
  }

  /** Takes a token for a connect from `address`; false when the address must wait. */
  tryConnect(address: string): boolean {
    return this.take(address, 1)
  }

  /** Charges a refused connect (bad credentials, unknown device). */
  refused(address: string): void {
    this.take(address, REFUSAL_COST)
  }

  private take(address: string, cost: number): boolean {
    const now = this.clock()
    if (this.buckets.size > 10_000) this.sweep(now)
    const bucket = this.buckets.get(address) ?? { tokens: this.capacity, at: now }
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond)
    bucket.at = now
    this.buckets.set(address, bucket)
    if (bucket.tokens < 1) return false
    bucket.tokens = Math.max(0, bucket.tokens - cost)
    return true
  }

  /** Forgets addresses whose bucket has refilled: they would start full anyway. */
  private sweep(now: number): void {
    for (const [address, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond >= this.capacity) this.buckets.delete(address)
    }
  }
}

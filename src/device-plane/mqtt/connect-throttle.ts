/**
 * Slows down floods of CONNECTs from one address: each address has a bucket of `capacity`
 * tokens refilled at `perSecond`; a connect takes one, a refused one `refusalCost` more, and
 * an address with an empty bucket is refused (CONNACK 3, server unavailable) until it refills.
 */
export class ConnectThrottle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly capacity = 200,
    private readonly perSecond = 20,
    private readonly refusalCost = 10,
  ) {}

  /** Takes a token for a connect from `address`; false when the address must wait. */
  tryConnect(address: string): boolean {
    return this.take(address, 1)
  }

  /** Charges a refused connect (bad credentials, unknown device). */
  refused(address: string): void {
    this.take(address, this.refusalCost)
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

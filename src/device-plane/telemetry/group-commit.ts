/**
 * Group commit: callers hand in one item each and wait; items are collected for a few
 * milliseconds (or until a batch is full) and written together, and every caller learns the fate
 * of its batch: resolved once the batch is written, rejected with the batch's error. While
 * batches are being written, new items gather for the next ones, so the busier the store, the
 * larger the batches.
 */
export interface GroupCommitOptions {
  /** Most items in one batch. */
  maxItems: number
  /** How long the first item of a batch waits for others, in ms. */
  maxDelayMs: number
  /** How many batches may be written at once (1 on SQLite, which has one writer). */
  concurrency: number
}

interface Waiting<T> {
  item: T
  resolve: () => void
  reject: (error: unknown) => void
}

export class GroupCommit<T> {
  private pending: Waiting<T>[] = []
  private timer: NodeJS.Timeout | null = null
  private inFlight = 0
  private closed = false
  private readonly idle = new Set<() => void>()

  constructor(
    private readonly write: (items: readonly T[]) => Promise<void>,
    private readonly options: GroupCommitOptions,
  ) {}

  /** Resolves once `item` is written with its batch; rejects when that batch fails. */
  add(item: T): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The telemetry store is closing.'))
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject })
      if (this.pending.length >= this.options.maxItems) this.drain()
      else if (!this.timer && this.inFlight < this.options.concurrency) {
        this.timer = setTimeout(() => {
          this.timer = null
          this.drain()
        }, this.options.maxDelayMs)
      }
    })
  }

  /** Writes what is waiting, then answers once nothing is waiting or being written; refuses new items. */
  async close(): Promise<void> {
    this.closed = true
    this.drain()
    if (this.inFlight === 0 && this.pending.length === 0) return
    await new Promise<void>((resolve) => this.idle.add(resolve))
  }

  private drain(): void {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = null
    }
    while (this.pending.length > 0 && this.inFlight < this.options.concurrency) {
      const batch = this.pending.splice(0, this.options.maxItems)
      this.inFlight++
      this.write(batch.map((w) => w.item)).then(
        () => this.settle(batch, null),
        (error: unknown) => this.settle(batch, error ?? new Error('The telemetry batch failed.')),
      )
    }
  }

  private settle(batch: Waiting<T>[], error: unknown): void {
    this.inFlight--
    for (const waiting of batch) {
      if (error === null) waiting.resolve()
      else waiting.reject(error)
    }
    // What gathered while this batch was written has waited long enough: write it now.
    if (this.pending.length > 0) this.drain()
    else if (this.inFlight === 0) {
      for (const resolve of this.idle) resolve()
      this.idle.clear()
    }
  }
}

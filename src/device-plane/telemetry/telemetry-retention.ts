import type { Clock } from '../../clock.js'
import { telemetrySeriesRepository } from '../../storage/repositories/telemetry-series.repository.js'
import type { Store } from '../../storage/store.js'

export interface RetentionOptions {
  /** 0: keep messages forever */
  retentionDays: number
  /** Time between passes, in ms. */
  intervalMs: number
  /** Rows per delete statement: short statements, so ingestion never waits long behind one. */
  batchSize: number
}

export const DEFAULT_RETENTION: Omit<RetentionOptions, 'retentionDays'> = {
  intervalMs: 60 * 60 * 1000,
  batchSize: 5000,
}

const DAY_MS = 24 * 60 * 60 * 1000

interface Log {
  error(object: unknown, message: string): void
}

/**
 * Prunes telemetry messages older than the retention, on a timer: a pass deletes in short
 * batches and yields between them, so telemetry batches interleave with it. Every node runs it;
 * passes of two nodes only share the work.
 */
export class TelemetryRetention {
  private timer: NodeJS.Timeout | null = null
  private pass: Promise<number> | null = null
  private stopped = false
  private readonly options: RetentionOptions

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    options: Partial<RetentionOptions> & Pick<RetentionOptions, 'retentionDays'>,
  ) {
    this.options = { ...DEFAULT_RETENTION, ...options }
  }

  /** Starts the passes: the first one soon after start, then every interval. */
  start(log?: Log): void {
    if (this.options.retentionDays === 0) return
    this.stopped = false
    const schedule = (delay: number) => {
      if (this.stopped) return
      this.timer = setTimeout(() => {
        this.prune()
          .catch((error: unknown) => log?.error({ err: error }, 'Pruning old telemetry failed; it is tried again later.'))
          .finally(() => schedule(this.options.intervalMs))
      }, delay)
      this.timer.unref()
    }
    schedule(Math.min(this.options.intervalMs, 60_000))
  }

  /** One pass (also for tests and the CLI): answers how many messages it deleted. */
  prune(): Promise<number> {
    if (this.options.retentionDays === 0) return Promise.resolve(0)
    this.pass ??= this.run().finally(() => {
      this.pass = null
    })
    return this.pass
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.pass?.catch(() => undefined)
  }

  private async run(): Promise<number> {
    const before = this.clock() - this.options.retentionDays * DAY_MS
    let total = 0
    for (;;) {
      if (this.stopped) return total
      const deleted = await telemetrySeriesRepository.pruneBefore(
        this.store.db,
        this.store.dialect,
        before,
        this.options.batchSize,
      )
      total += deleted
      if (deleted < this.options.batchSize) return total
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
}

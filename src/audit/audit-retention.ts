import type { Clock } from '../clock.js'
import { Periodic } from '../periodic.js'
import { auditLogRepository } from '../storage/repositories/audit-log.repository.js'
import type { Store } from '../storage/store.js'

const DAY_MS = 86_400_000
/** Records deleted per statement: short transactions, whatever the backlog. */
export const PRUNE_BATCH = 1_000
const PRUNE_INTERVAL_MS = 3_600_000
const FIRST_PRUNE_DELAY_MS = 10_000

interface Log {
  info(details: object, message: string): void
  error(details: object, message: string): void
}

/**
 * Deletes audit records older than the retention, on a timer (ten seconds after start, then
 * hourly), in batches of PRUNE_BATCH. Every node may prune; deleting what another already deleted
 * costs nothing.
 */
export class AuditRetention {
  private readonly timer = new Periodic(() => this.prune(), FIRST_PRUNE_DELAY_MS, PRUNE_INTERVAL_MS)
  private running: Promise<number> | null = null

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly retentionDays: number,
    private readonly log: Log,
  ) {}

  start(): void {
    this.timer.start()
  }

  async stop(): Promise<void> {
    this.timer.stop()
    await this.running?.catch(() => 0)
  }

  /** Deletes every record older than the retention; answers how many. */
  prune(): Promise<number> {
    this.running ??= this.pruneAll().finally(() => {
      this.running = null
    })
    return this.running
  }

  private async pruneAll(): Promise<number> {
    const before = this.clock() - this.retentionDays * DAY_MS
    let total = 0
    try {
      for (;;) {
        const deleted = await auditLogRepository.prune(this.store.db, before, PRUNE_BATCH)
        total += deleted
        if (deleted < PRUNE_BATCH) break
      }
      if (total > 0) this.log.info({ deleted: total, retentionDays: this.retentionDays }, 'pruned the audit log')
    } catch (error) {
      this.log.error({ err: error }, 'could not prune the audit log')
    }
    return total
  }
}

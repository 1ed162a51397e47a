import type { Clock } from '../clock.js'
import type { Store } from '../storage/store.js'

/** A principal's usage is written at most this often. */
export const USAGE_INTERVAL_MS = 60_000
/** How soon after a first use in an interval the batch is written. */
const FLUSH_DELAY_MS = 1_000

type PrincipalType = 'apiToken' | 'user'

interface Use {
  type: PrincipalType
  id: string
  at: number
  address: string
}

interface ErrorLog {
  error(details: object, message: string): void
}

/**
 * Remembers when tokens and users were last used, and from where, without a store write per
 * request: `seen` is a map lookup; a principal's first use in each minute joins a batch that is
 * written a second later, in one transaction, after the answers have gone. So each principal
 * costs the store at most one write a minute on each node, and no request ever waits for one.
 */
export class LastUsedRecorder {
  /** By type, then id: no key is put together on every request. */
  private readonly lastWritten: Record<PrincipalType, Map<string, number>> = { apiToken: new Map(), user: new Map() }
  private batch = new Map<string, Use>()
  private timer: NodeJS.Timeout | null = null
  private flushing: Promise<void> = Promise.resolve()

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: ErrorLog,
  ) {}

  seen(type: PrincipalType, id: string, address: string): void {
    const written = this.lastWritten[type]
    const now = this.clock()
    const last = written.get(id)
    if (last !== undefined && now - last < USAGE_INTERVAL_MS) return
    written.set(id, now)
    this.batch.set(`${type}:${id}`, { type, id, at: now, address })
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS).unref()
    if (written.size > 100_000) this.forgetOld(written, now)
  }

  /** Writes the pending batch (also on close). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const uses = [...this.batch.values()]
    this.batch = new Map()
    if (uses.length > 0) this.flushing = this.flushing.then(() => this.write(uses))
    return this.flushing
  }

  private async write(uses: Use[]): Promise<void> {
    try {
      await this.store.db.transaction().execute(async (trx) => {
        for (const use of uses) {
          const table = use.type === 'apiToken' ? 'api_tokens' : 'users'
          await trx
            .updateTable(table)
            .set({ last_used_at_ms: use.at, last_used_address: use.address })
            .where('id', '=', use.id)
            .execute()
        }
      })
    } catch (error) {
      this.log.error({ err: error }, 'could not record when tokens and users were last used')
    }
  }

  /** Bounds the memory an ever-changing population of principals could take. */
  private forgetOld(written: Map<string, number>, now: number): void {
    for (const [id, at] of written) if (now - at >= USAGE_INTERVAL_MS) written.delete(id)
  }
}

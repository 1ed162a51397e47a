import type { Clock } from '../clock.js'
import { Periodic } from '../periodic.js'
import { EXPIRING_SOON_DAYS, isExpiringSoon } from '../services/api-token.service.js'
import { apiTokenRepository } from '../storage/repositories/api-token.repository.js'
import type { Store } from '../storage/store.js'

const DAY_MS = 86_400_000
const CHECK_INTERVAL_MS = 3_600_000
const FIRST_CHECK_DELAY_MS = 5_000

interface Log {
  warn(details: object, message: string): void
  error(details: object, message: string): void
}

/**
 * Warns in the log about API tokens that expire within EXPIRING_SOON_DAYS: shortly after start,
 * then hourly, each token at most once a day per process (the list's `expiringSoon` and the web
 * application's badge say the same to people).
 */
export class ExpiryWarnings {
  private readonly timer = new Periodic(() => this.check(), FIRST_CHECK_DELAY_MS, CHECK_INTERVAL_MS)
  private readonly warnedAt = new Map<string, number>()
  /** How many tokens expired soon at the last check (the metric reads it); null before the first. */
  expiringSoon: number | null = null

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Log,
  ) {}

  start(): void {
    this.timer.start()
  }

  stop(): void {
    this.timer.stop()
  }

  /** Logs one warning per token expiring soon that was not warned about in the last day. */
  async check(): Promise<string[]> {
    const now = this.clock()
    const warned: string[] = []
    try {
      let expiring = 0
      for (const token of await apiTokenRepository.list(this.store.db)) {
        if (!isExpiringSoon(token.expires_at_ms, now)) continue
        expiring++
        const last = this.warnedAt.get(token.id)
        if (last !== undefined && now - last < DAY_MS) continue
        this.warnedAt.set(token.id, now)
        const days = Math.ceil((token.expires_at_ms - now) / DAY_MS)
        this.log.warn(
          { tokenId: token.id, expiry: new Date(token.expires_at_ms).toISOString() },
          `API token '${token.id}' expires in ${days} day${days === 1 ? '' : 's'} (within ${EXPIRING_SOON_DAYS}); rotate it or create a new one`,
        )
        warned.push(token.id)
      }
      this.expiringSoon = expiring
    } catch (error) {
      this.log.error({ err: error }, 'could not check API token expiries')
    }
    return warned
  }
}

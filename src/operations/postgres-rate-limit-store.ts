import { sql, type Kysely } from 'kysely'
import type { Database } from '../storage/schema.js'

type Callback = (error: Error | null, result: { current: number; ttl: number } | null) => void

const PURGE_INTERVAL_MS = 60_000

/**
 * A `@fastify/rate-limit` store on the PostgreSQL store: one upsert per request, timed by the
 * database's clock, so every node counts against the same window. Used when there is no Redis.
 */
export class PostgresRateLimitStore {
  private readonly timer: NodeJS.Timeout

  constructor(private readonly db: Kysely<Database>) {
    this.timer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS)
    this.timer.unref()
  }

  incr(key: string, callback: Callback, timeWindow: number): void {
    const now = sql<number>`(extract(epoch from now()) * 1000)::bigint`
    sql<{ hits: number; ttl: string }>`
      insert into rate_limit_counters (key, hits, reset_at) values (${key}, 1, ${now} + ${timeWindow})
      on conflict (key) do update set
        hits = case when rate_limit_counters.reset_at <= ${now} then 1 else rate_limit_counters.hits + 1 end,
        reset_at = case when rate_limit_counters.reset_at <= ${now} then excluded.reset_at else rate_limit_counters.reset_at end
      returning hits, reset_at - ${now} as ttl`
      .execute(this.db)
      .then(
        ({ rows }) => {
          const row = rows[0] as { hits: number; ttl: string }
          callback(null, { current: row.hits, ttl: Number(row.ttl) })
        },
        (error: Error) => callback(error, null),
      )
  }

  child(): PostgresRateLimitStore {
    return this
  }

  close(): void {
    clearInterval(this.timer)
  }

  /** Forgets finished windows so the table holds only callers seen lately. */
  private async purge(): Promise<void> {
    await sql`delete from rate_limit_counters where reset_at < (extract(epoch from now()) * 1000)::bigint`
      .execute(this.db)
      .catch(() => {})
  }
}

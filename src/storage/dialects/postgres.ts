import pg from 'pg'
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely'
import type { Database } from '../schema.js'
import type { Store } from '../store.js'
import { PostgresChangeFeed } from './postgres-change-feed.js'

const INT8_OID = 20
/** The advisory lock key of `lockApplication` (any constant no other lock of ours uses). */
const APPLICATION_LOCK = 0x0c3e7a1

/** Our bigint columns hold epoch times, well inside Number's exact range. */
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8_OID) return (value: string) => Number(value)
    return (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format)
  },
}

/** Opens the PostgreSQL store at `connectionString`. */
export async function openPostgresStore(connectionString: string): Promise<Store> {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    connectionTimeoutMillis: 5000,
    types,
  })
  // A client that loses its server must not crash the process, idle (the pool's 'error') or
  // checked out by a query or transaction (its own 'error', which the pool leaves unheard then):
  // the query fails instead, with an error the HTTP layer answers 503, and the pool drops the client.
  pool.on('error', () => {})
  pool.on('connect', (client) => client.on('error', () => {}))
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  const changes = new PostgresChangeFeed(connectionString, pool)
  await changes.start()
  const url = new URL(connectionString)
  return {
    dialect: 'postgres',
    db,
    changes,
    description: `postgres://${url.host}${url.pathname}`,
    // A transaction-scoped advisory lock rather than a row lock: it also holds while the
    // application row does not exist yet (several nodes starting together on an empty database).
    async lockApplication(trx) {
      await sql`SELECT pg_advisory_xact_lock(${APPLICATION_LOCK})`.execute(trx)
    },
    async readRow<Row>(query: CompiledQuery<Row>): Promise<Row | undefined> {
      return (await db.executeQuery(query)).rows[0]
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      await changes.close()
      await db.destroy()
    },
  }
}

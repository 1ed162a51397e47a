import pg from 'pg'
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely'
import {
  ChangeListeners,
  decodeChange,
  encodeChange,
  type ChangeFeed,
  type ChangeTopic,
} from '../change-feed.js'
import type { Database } from '../schema.js'
import type { Store } from '../store.js'

const CHANNEL = 'opencentral_changes'
const INT8_OID = 20

/** Our bigint columns hold epoch times, well inside Number's exact range. */
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8_OID) return (value: string) => Number(value)
    return (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format)
  },
}

/**
 * LISTEN/NOTIFY on a dedicated connection. While that connection is down, `sync()` answers false so
 * caches are bypassed, and on reconnection everything cached is dropped: a missed NOTIFY can never
 * keep a revoked credential alive.
 */
class PostgresChangeFeed implements ChangeFeed {
  private readonly listeners = new ChangeListeners()
  private client: pg.Client | null = null
  private connected = false
  private closed = false
  private retryTimer: NodeJS.Timeout | null = null

  constructor(
    private readonly connectionString: string,
    private readonly pool: pg.Pool,
  ) {}

  async start(): Promise<void> {
    await this.connect().catch(() => this.scheduleReconnect())
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString })
    client.on('error', () => this.lost(client))
    client.on('end', () => this.lost(client))
    client.on('notification', (message) => {
      const { topic, id } = decodeChange(message.payload ?? '')
      this.listeners.emit(topic, id)
    })
    await client.connect()
    await client.query(`LISTEN ${CHANNEL}`)
    if (this.closed) {
      await client.end()
      return
    }
    this.client = client
    this.connected = true
    this.listeners.emit(null, null)
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return
    this.client = null
    this.connected = false
    this.listeners.emit(null, null)
    client.end().catch(() => {})
    this.scheduleReconnect()
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      this.connect().catch(() => this.scheduleReconnect())
    }, 1000)
    this.retryTimer.unref()
  }

  sync(): boolean {
    return this.connected
  }

  async publish(topic: ChangeTopic, id: string): Promise<void> {
    this.listeners.emit(topic, id)
    await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, encodeChange(topic, id)])
  }

  subscribe(listener: Parameters<ChangeFeed['subscribe']>[0]): void {
    this.listeners.add(listener)
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    const client = this.client
    this.client = null
    this.connected = false
    await client?.end().catch(() => {})
  }
}

/** Opens the PostgreSQL store at `connectionString`. */
export async function openPostgresStore(connectionString: string): Promise<Store> {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    connectionTimeoutMillis: 5000,
    types,
  })
  // An idle client that loses its server must not crash the process; the next query fails instead.
  pool.on('error', () => {})
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  const changes = new PostgresChangeFeed(connectionString, pool)
  await changes.start()
  const url = new URL(connectionString)
  return {
    dialect: 'postgres',
    db,
    changes,
    description: `postgres://${url.host}${url.pathname}`,
    async lockApplication(trx) {
      await sql`SELECT id FROM application FOR UPDATE`.execute(trx)
    },
    async read<Row>(query: CompiledQuery<Row>): Promise<Row[]> {
      return (await db.executeQuery(query)).rows
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      await changes.close()
      await db.destroy()
    },
  }
}

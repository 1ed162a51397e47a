import { randomBytes } from 'node:crypto'
import pg from 'pg'
import {
  ChangeListeners,
  decodeChange,
  encodeChange,
  type ChangeFeed,
  type ChangeTopic,
} from '../change-feed.js'
import { PostgresListener } from './postgres-listener.js'

const CHANNEL = 'opencentral_changes'
/** How often the listening connection proves that it still delivers. */
const HEARTBEAT_MS = 200
/** A heartbeat unanswered for this long: caches are bypassed (fail closed within a second). */
const SILENCE_MS = 600
/** Silent for this long: the connection is presumed dead (dropped by a firewall…) and replaced. */
const REPLACE_AFTER_MS = 5000
/** How soon a NOTIFY that failed (its connection just dropped) is sent again. */
const NOTIFY_RETRY_MS = 250

/** The `application_name` of the listening connection, to find it in pg_stat_activity. */
export const CHANGE_FEED_APPLICATION_NAME = 'opencentral-change-feed'

/**
 * LISTEN/NOTIFY on a dedicated connection. `sync()` answers true only while that connection
 * demonstrably delivers: every 200 ms it sends itself a NOTIFY on a channel of its own, and a
 * heartbeat not heard back within 600 ms makes it answer false. PostgreSQL delivers notifications
 * in commit order, so a heartbeat heard means every change committed before it was sent has been
 * heard too. A connection that
 * closes, errs or merely goes silent (a frozen backend, a firewall dropping idle flows) makes
 * caches be bypassed; when it delivers again, everything cached is dropped first: a missed NOTIFY
 * can never keep a revoked credential alive.
 */
export class PostgresChangeFeed implements ChangeFeed {
  private readonly listeners = new ChangeListeners()
  /** This feed's own heartbeat channel: other nodes never hear its heartbeats. */
  private readonly heartbeatChannel = `${CHANNEL}_${randomBytes(8).toString('hex')}`
  private readonly listener: PostgresListener
  private healthy = false
  /** How long the last heartbeat took to come back, in ms; null before the first. */
  private lastRoundTripMs: number | null = null
  /** When the heartbeat awaiting its echo was sent; null when none is awaited. */
  private sentAt: number | null = null
  private closed = false
  private ticker: NodeJS.Timeout | null = null

  constructor(
    connectionString: string,
    private readonly pool: pg.Pool,
  ) {
    this.listener = new PostgresListener({
      connectionString,
      channels: [CHANNEL, this.heartbeatChannel],
      client: { application_name: CHANGE_FEED_APPLICATION_NAME, connectionTimeoutMillis: 5000, keepAlive: true },
      onNotification: (channel, payload) => {
        // Heard only once the connection listens on both channels: its heartbeats are timed from then.
        if (!this.listener.connection) return
        if (channel === this.heartbeatChannel) this.heard()
        else {
          const { topic, id } = decodeChange(payload)
          this.listeners.emit(topic, id)
        }
      },
      onLost: () => {
        this.healthy = false
        this.listeners.emit(null, null)
      },
      onRestored: () => {
        this.sentAt = null
        this.heard()
      },
    })
  }

  async start(): Promise<void> {
    this.ticker = setInterval(() => this.tick(), HEARTBEAT_MS)
    this.ticker.unref()
    await this.listener.start()
  }

  /** The connection delivered: trust it again, dropping whatever was cached while it was doubted. */
  private heard(): void {
    if (this.sentAt !== null) this.lastRoundTripMs = performance.now() - this.sentAt
    this.sentAt = null
    if (this.healthy) return
    this.listeners.emit(null, null)
    this.healthy = true
  }

  private tick(): void {
    const client = this.listener.connection
    if (!client) return
    // One heartbeat at a time: a frozen backend must not pile up queries.
    if (this.sentAt === null) {
      this.sentAt = performance.now()
      client.query(`NOTIFY ${this.heartbeatChannel}`).catch(() => this.listener.replace(client))
      return
    }
    // Judged after the poll phase, so that an echo which arrived while this process was busy is
    // read first: a slow event loop alone does not make the node drop its caches.
    setImmediate(() => {
      if (this.listener.connection !== client || this.sentAt === null) return
      const waited = performance.now() - this.sentAt
      if (waited > SILENCE_MS) this.healthy = false
      if (waited > REPLACE_AFTER_MS) this.listener.replace(client)
    })
  }

  /** The last heartbeat's round trip through the channel: how late a change is heard here. */
  lagMs(): number | null {
    if (!this.healthy) return null
    const waiting = this.sentAt === null ? 0 : performance.now() - this.sentAt
    return Math.max(this.lastRoundTripMs ?? 0, waiting)
  }

  /** Checks the clock too: an echo overdue is distrusted at once, before any timer has run. */
  sync(): boolean {
    return this.healthy && (this.sentAt === null || performance.now() - this.sentAt <= SILENCE_MS)
  }

  /**
   * The change is committed when this is called: if the NOTIFY fails (the connection dropped just
   * then), the write still stands and is answered as done, and the NOTIFY is sent again until it
   * goes through, so that the other nodes hear of it.
   */
  async publish(topic: ChangeTopic, id: string): Promise<void> {
    this.listeners.emit(topic, id)
    await this.notify(encodeChange(topic, id))
  }

  private async notify(payload: string): Promise<void> {
    try {
      await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, payload])
    } catch {
      if (this.closed) return
      setTimeout(() => void this.notify(payload), NOTIFY_RETRY_MS).unref()
    }
  }

  subscribe(listener: Parameters<ChangeFeed['subscribe']>[0]): void {
    this.listeners.add(listener)
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.ticker) clearInterval(this.ticker)
    this.healthy = false
    await this.listener.close()
  }
}

import pg from 'pg'

/** How long after losing its connection the listener tries again, and again while that fails. */
const RECONNECT_MS = 1000

export interface PostgresListenerOptions {
  connectionString: string
  /** The channels listened on, on every connection made. */
  channels: readonly string[]
  /** Client settings besides the connection string (application name, timeouts, keep-alive). */
  client?: Omit<pg.ClientConfig, 'connectionString'>
  /** A notification on the connection listening now, or on the one being made to replace it. */
  onNotification(channel: string, payload: string): void
  /** The connection closed, erred or was replaced: notifications are missed until it is restored. */
  onLost?(): void
  /** A new connection listens on every channel. */
  onRestored?(): void
}

/**
 * LISTEN on a dedicated connection that is made again, a second after it is lost and every second
 * while that fails, listening on the same channels. Its owner hears of the loss and of the return,
 * so that it can fail closed meanwhile: notifications sent in between are missed.
 */
export class PostgresListener {
  private client: pg.Client | null = null
  /** The connection being made, before it listens on every channel. */
  private connecting: pg.Client | null = null
  private closed = false
  private retryTimer: NodeJS.Timeout | null = null

  constructor(private readonly options: PostgresListenerOptions) {}

  /** Connects; a first attempt that fails is retried as a lost connection is. */
  async start(): Promise<void> {
    await this.connect().catch(() => this.scheduleReconnect())
  }

  /** The connection listening now; null while it is lost. */
  get connection(): pg.Client | null {
    return this.client
  }

  /** Gives up on a connection that stopped delivering (it looks alive but is not): it is replaced. */
  replace(client: pg.Client): void {
    this.lost(client)
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    const client = this.client
    this.client = null
    await client?.end().catch(() => {})
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ ...this.options.client, connectionString: this.options.connectionString })
    client.on('error', () => this.lost(client))
    client.on('end', () => this.lost(client))
    client.on('notification', (message) => {
      if (client !== this.client && client !== this.connecting) return
      this.options.onNotification(message.channel, message.payload ?? '')
    })
    this.connecting = client
    try {
      await client.connect()
      await client.query(this.options.channels.map((channel) => `LISTEN ${client.escapeIdentifier(channel)}`).join('; '))
    } catch (error) {
      client.end().catch(() => {})
      throw error
    } finally {
      this.connecting = null
    }
    if (this.closed) {
      await client.end()
      return
    }
    this.client = client
    this.options.onRestored?.()
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return
    this.client = null
    this.options.onLost?.()
    // Not awaited: a frozen or unreachable server may never answer the goodbye.
    client.end().catch(() => {})
    this.scheduleReconnect()
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      this.connect().catch(() => this.scheduleReconnect())
    }, RECONNECT_MS)
    this.retryTimer.unref()
  }
}

import { Redis } from 'ioredis'
import { closeRedis, redisDescription } from '../../redis/redis-connection.js'
import type { ClusterLog } from './cluster-options.js'
import { BusListeners, decodeEnvelope, type BusListener, type BusMessage, type DeviceBus } from './device-bus.js'

/**
 * Redis pub/sub: a channel per node (commands and their answers) and one for all (desired
 * properties, new sessions), under the application's id so that applications sharing a Redis
 * never hear each other. ioredis reconnects and subscribes again by itself; messages sent while
 * a node is cut off are missed, as with PostgreSQL.
 */
export class RedisBus implements DeviceBus {
  readonly kind = 'redis' as const
  private readonly listeners: BusListeners
  private readonly publisher: Redis
  private readonly subscriber: Redis
  private readonly prefix: string

  constructor(
    private readonly nodeId: string,
    applicationId: string,
    private readonly url: string,
    log?: ClusterLog,
  ) {
    this.listeners = new BusListeners(nodeId)
    this.prefix = `opencentral:${applicationId}:devices:`
    const options = { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000 }
    this.publisher = new Redis(url, options)
    this.subscriber = new Redis(url, options)
    let warned = false
    const onError = (error: Error) => {
      // ioredis retries by itself; say so once per outage, without the URL's password.
      if (warned) return
      warned = true
      log?.warn({ redis: redisDescription(url), reason: error.message }, 'The Redis device bus is unreachable; retrying.')
    }
    this.publisher.on('error', onError)
    this.subscriber.on('error', onError)
    this.subscriber.on('ready', () => {
      warned = false
    })
    this.subscriber.on('message', (_channel: string, text: string) => {
      const envelope = decodeEnvelope(text)
      if (envelope) this.listeners.deliver(envelope)
    })
  }

  /** Connects and subscribes; a Redis that cannot be reached stops the start (fail closed). */
  async start(): Promise<void> {
    try {
      await Promise.all([this.publisher.connect(), this.subscriber.connect()])
      await this.subscriber.subscribe(this.channel(null), this.channel(this.nodeId))
    } catch (error) {
      this.publisher.disconnect()
      this.subscriber.disconnect()
      throw new Error(
        `Cannot reach Redis at ${redisDescription(this.url)}: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
  }

  async send(to: string | null, message: BusMessage): Promise<void> {
    await this.publisher.publish(this.channel(to), JSON.stringify({ to, message }))
  }

  subscribe(listener: BusListener): () => void {
    return this.listeners.add(listener)
  }

  async close(): Promise<void> {
    await Promise.all([closeRedis(this.subscriber), closeRedis(this.publisher)])
  }

  private channel(node: string | null): string {
    return node === null ? `${this.prefix}all` : `${this.prefix}node:${node}`
  }
}

import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { PostgresListener } from '../../storage/dialects/postgres-listener.js'
import type { Store } from '../../storage/store.js'
import { BusListeners, decodeEnvelope, type BusListener, type BusMessage, type DeviceBus } from './device-bus.js'

/** The device plane's own channel: the store's change feed keeps `opencentral_changes`. */
export const DEVICE_CHANNEL = 'opencentral_devices'

/** NOTIFY payloads must stay under 8000 bytes; larger messages travel in parts. */
const WHOLE = 7900
const PART = 7800
/** A message whose parts did not all arrive by then is dropped. */
const PARTS_TIMEOUT_MS = 60_000

interface Partial {
  parts: (string | undefined)[]
  missing: number
  timer: NodeJS.Timeout
}

/** JSON with everything outside ASCII escaped: a byte per character, cut anywhere safely. */
const asciiJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

/**
 * PostgreSQL LISTEN/NOTIFY on a dedicated connection, reconnected when lost (messages sent
 * meanwhile are missed: callers time out, or find the device through the store). A message too
 * large for one NOTIFY is sent in parts, all in one transaction, and put together on arrival.
 */
export class PostgresBus implements DeviceBus {
  readonly kind = 'postgres' as const
  private readonly listeners: BusListeners
  private readonly partials = new Map<string, Partial>()
  private readonly listener: PostgresListener

  constructor(
    nodeId: string,
    private readonly store: Store,
    connectionString: string,
  ) {
    this.listeners = new BusListeners(nodeId)
    this.listener = new PostgresListener({
      connectionString,
      channels: [DEVICE_CHANNEL],
      onNotification: (_channel, payload) => this.receive(payload),
    })
  }

  async start(): Promise<void> {
    await this.listener.start()
  }

  async send(to: string | null, message: BusMessage): Promise<void> {
    const text = asciiJson({ to, message })
    if (text.length <= WHOLE) {
      await sql`SELECT pg_notify(${DEVICE_CHANNEL}, ${`m${text}`})`.execute(this.store.db)
      return
    }
    const id = randomUUID()
    const count = Math.ceil(text.length / PART)
    await this.store.db.transaction().execute(async (trx) => {
      for (let i = 0; i < count; i++) {
        const part = text.slice(i * PART, (i + 1) * PART)
        await sql`SELECT pg_notify(${DEVICE_CHANNEL}, ${`p${id}:${i}:${count}:${part}`})`.execute(trx)
      }
    })
  }

  subscribe(listener: BusListener): () => void {
    return this.listeners.add(listener)
  }

  async close(): Promise<void> {
    for (const partial of this.partials.values()) clearTimeout(partial.timer)
    this.partials.clear()
    await this.listener.close()
  }

  private receive(payload: string): void {
    if (payload.startsWith('m')) {
      this.deliver(payload.slice(1))
      return
    }
    const match = /^p([0-9a-f-]{36}):(\d+):(\d+):/.exec(payload)
    if (!match) return
    const [head, id, index, count] = match as unknown as [string, string, string, string]
    const total = Number(count)
    const at = Number(index)
    if (total > 10_000 || at >= total) return
    let partial = this.partials.get(id)
    if (!partial) {
      const timer = setTimeout(() => this.partials.delete(id), PARTS_TIMEOUT_MS)
      timer.unref()
      partial = { parts: new Array<string | undefined>(total), missing: total, timer }
      this.partials.set(id, partial)
    }
    if (partial.parts[at] !== undefined) return
    partial.parts[at] = payload.slice(head.length)
    if (--partial.missing > 0) return
    clearTimeout(partial.timer)
    this.partials.delete(id)
    this.deliver(partial.parts.join(''))
  }

  private deliver(text: string): void {
    const envelope = decodeEnvelope(text)
    if (envelope) this.listeners.deliver(envelope)
  }
}

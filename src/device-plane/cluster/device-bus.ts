import type { ConnectionTarget } from '../../services/device-connections.js'
import type { LocalInvocation } from '../device-links.js'

/** What nodes tell each other about devices. */
export type BusMessage =
  /** Run a direct method on a session the addressee holds; answer with `invokeResult`. */
  | {
      type: 'invoke'
      from: string
      id: string
      target: ConnectionTarget
      method: string
      payload: unknown
      responseTimeoutMs: number
    }
  | { type: 'invokeResult'; from: string; id: string; outcome: LocalInvocation }
  /** Desired properties changed on the sender: whoever holds the session pushes them (broadcast). */
  | { type: 'desired'; from: string; target: ConnectionTarget; patch: Record<string, unknown>; version: number }
  /** A session opened on the sender: calls waiting for that device try again (broadcast). */
  | { type: 'connected'; from: string; target: ConnectionTarget }

export type BusListener = (message: BusMessage) => void

/**
 * Node-to-node messages for the device plane. Delivery is at most once and unordered across
 * senders: whatever relies on it has a timeout or a fallback (the store).
 */
export interface DeviceBus {
  /** What the bus runs on, for logs. */
  readonly kind: 'postgres' | 'redis' | 'in-process'
  /** Sends to one node (`to`), or to every other node (`to` null). */
  send(to: string | null, message: BusMessage): Promise<void>
  /** Called with every message addressed to this node, or broadcast by another node. */
  subscribe(listener: BusListener): () => void
  close(): Promise<void>
}

/** Messages on the wire: the addressee, then the message (JSON). */
export interface Envelope {
  /** null: every node but the sender */
  to: string | null
  message: BusMessage
}

/** Fan-out to this node's listeners, dropping what is addressed elsewhere or sent by itself. */
export class BusListeners {
  private readonly listeners = new Set<BusListener>()

  constructor(private readonly nodeId: string) {}

  add(listener: BusListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  deliver(envelope: Envelope): void {
    if (envelope.to === null ? envelope.message.from === this.nodeId : envelope.to !== this.nodeId) return
    for (const listener of this.listeners) {
      try {
        listener(envelope.message)
      } catch {
        // One listener's failure must not keep the message from the others.
      }
    }
  }
}

/** Anything unreadable is dropped: a message from a newer or broken node is not ours to guess. */
export function decodeEnvelope(text: string): Envelope | null {
  try {
    const value = JSON.parse(text) as Envelope
    if (typeof value !== 'object' || value === null || typeof value.message?.type !== 'string') return null
    if (typeof value.message.from !== 'string') return null
    return value
  } catch {
    return null
  }
}

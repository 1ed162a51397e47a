import type { Aedes, Client } from 'aedes'
import type { ConnectionTarget } from '../../services/device-connections.js'
import type { ConnectionEvent, LocalDeviceLinks, LocalInvocation, MethodAnswer } from '../device-links.js'
import { clientIdOf, deviceSessions, targetOf } from './device-session.js'
import { DESIRED_SUBSCRIPTION, METHODS_SUBSCRIPTION } from './topic-rules.js'

interface PendingCall {
  clientId: string
  resolve(invocation: LocalInvocation): void
  timer: NodeJS.Timeout
}

/** The sessions of this node's broker, as the rest of the server reaches devices through them. */
export class MqttDeviceLinks implements LocalDeviceLinks {
  private readonly listeners = new Set<(event: ConnectionEvent) => void>()
  private readonly pending = new Map<string, PendingCall>()
  private nextRequestId = 1

  constructor(private readonly broker: Aedes) {
    broker.on('clientReady', (client) => this.announce(client, true))
    broker.on('clientDisconnect', (client) => this.announce(client, false))
  }

  isConnected(target: ConnectionTarget): boolean {
    return this.clientOf(target) !== null
  }

  invoke(target: ConnectionTarget, method: string, payload: unknown, responseTimeoutMs: number): Promise<LocalInvocation> {
    const client = this.clientOf(target)
    // IoT Hub: a device that does not listen for methods is not reachable by them.
    if (!client || !isSubscribed(client, METHODS_SUBSCRIPTION)) return Promise.resolve({ kind: 'notConnected' })
    const requestId = (this.nextRequestId++).toString(16)
    return new Promise<LocalInvocation>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId)
        resolve({ kind: 'timedOut' })
      }, responseTimeoutMs)
      timer.unref()
      this.pending.set(requestId, { clientId: client.id, resolve, timer })
      client.publish(
        {
          cmd: 'publish',
          topic: `$iothub/methods/POST/${method}/?$rid=${requestId}`,
          payload: Buffer.from(JSON.stringify(payload ?? null)),
          qos: 0,
          dup: false,
          retain: false,
        },
        () => {},
      )
    })
  }

  /** A device's answer on `$iothub/methods/res/{status}/?$rid=`; ignored unless that session was asked. */
  answered(client: Client, requestId: string, answer: MethodAnswer): void {
    const call = this.pending.get(requestId)
    if (!call || call.clientId !== client.id) return
    this.pending.delete(requestId)
    clearTimeout(call.timer)
    call.resolve({ kind: 'answered', answer })
  }

  pushDesired(target: ConnectionTarget, patch: Record<string, unknown>, version: number): void {
    const client = this.clientOf(target)
    if (!client || !isSubscribed(client, DESIRED_SUBSCRIPTION)) return
    client.publish(
      {
        cmd: 'publish',
        topic: `$iothub/twin/PATCH/properties/desired/?$version=${version}`,
        payload: Buffer.from(JSON.stringify({ ...patch, $version: version })),
        qos: 0,
        dup: false,
        retain: false,
      },
      () => {},
    )
  }

  disconnect(deviceId: string, _reason: string): void {
    this.disconnectWhere((session) => session.deviceId === deviceId)
  }

  /** Ends the sessions `which` selects (all of them when a group key changed, say). */
  disconnectWhere(which: (session: NonNullable<ReturnType<typeof deviceSessions.of>>) => boolean): void {
    for (const client of Object.values(this.clients())) {
      const session = deviceSessions.of(client)
      if (session && which(session)) client.close()
    }
  }

  /** Every device session of this node. */
  sessions(): Client[] {
    return Object.values(this.clients()).filter((client) => deviceSessions.of(client) !== undefined)
  }

  onConnectionChange(listener: (event: ConnectionEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Ends the calls still waiting: the broker is closing. */
  close(): void {
    for (const [requestId, call] of this.pending) {
      clearTimeout(call.timer)
      this.pending.delete(requestId)
      call.resolve({ kind: 'notConnected' })
    }
  }

  private clientOf(target: ConnectionTarget): Client | null {
    const client = this.clients()[clientIdOf(target)]
    return client && client.connected && deviceSessions.of(client) ? client : null
  }

  private clients(): Record<string, Client> {
    return (this.broker as unknown as { clients: Record<string, Client> }).clients
  }

  private announce(client: Client, connected: boolean): void {
    const session = deviceSessions.of(client)
    if (!session) return
    for (const listener of this.listeners) {
      try {
        listener({ target: targetOf(session), connected })
      } catch {
        // One listener's failure must not keep the others from hearing of the session.
      }
    }
  }
}

function isSubscribed(client: Client, topic: string): boolean {
  const subscriptions = (client as unknown as { subscriptions: Record<string, unknown> }).subscriptions
  return subscriptions[topic] !== undefined
}

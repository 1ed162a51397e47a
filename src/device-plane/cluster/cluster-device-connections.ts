import { randomUUID } from 'node:crypto'
import type {
  ConnectionTarget,
  DeviceConnections,
  InvocationOutcome,
  InvocationTimeouts,
} from '../../services/device-connections.js'
import type { DesiredPropertiesChange } from '../../services/device-properties.service.js'
import type { LocalDeviceLinks, LocalInvocation } from '../device-links.js'
import { DEFAULT_CLUSTER_TIMINGS, type ClusterLog, type ClusterTimings } from './cluster-options.js'
import type { ConnectionRegistry } from './connection-registry.js'
import type { BusMessage, DeviceBus } from './device-bus.js'

const keyOf = (target: ConnectionTarget): string => `${target.module ?? ''}\u0000${target.deviceId}`

const outcomeOf = (local: LocalInvocation): InvocationOutcome =>
  local.kind === 'answered' ? { kind: 'answered', ...local.answer } : local

/**
 * Reaches a device wherever it is connected: on this node through the local sessions, on another
 * node by forwarding the call over the bus (the answer comes back the same way). A call for a
 * device connected nowhere waits up to connectionTimeout for it to connect to any node: woken by
 * a local session opening, by another node's announcement, or by a look in the store (so a missed
 * announcement costs at most `pollMs`).
 */
export class ClusterDeviceConnections implements DeviceConnections {
  private readonly timings: ClusterTimings
  private readonly waiting = new Map<string, Set<(connected: boolean) => void>>()
  private readonly forwarded = new Map<string, (outcome: LocalInvocation) => void>()
  private readonly stops: (() => void)[] = []

  constructor(
    private readonly nodeId: string,
    private readonly links: LocalDeviceLinks,
    private readonly bus: DeviceBus,
    private readonly registry: ConnectionRegistry,
    timings: Partial<ClusterTimings> = {},
    private readonly log?: ClusterLog,
  ) {
    this.timings = { ...DEFAULT_CLUSTER_TIMINGS, ...timings }
    this.stops.push(
      links.onConnectionChange((event) => {
        const recorded = this.registry.record(event)
        if (!event.connected) return
        this.wake(event.target)
        // Announced once recorded: the nodes it wakes find this node in the store.
        void recorded.then(() => this.broadcast({ type: 'connected', from: this.nodeId, target: event.target }))
      }),
      bus.subscribe((message) => this.receive(message)),
    )
  }

  async invoke(
    target: ConnectionTarget,
    method: string,
    payload: unknown,
    timeouts: InvocationTimeouts,
  ): Promise<InvocationOutcome> {
    const deadline = Date.now() + timeouts.connectionTimeout * 1000
    const responseMs = timeouts.responseTimeout * 1000
    for (;;) {
      let outcome: LocalInvocation
      if (this.links.isConnected(target)) {
        outcome = await this.links.invoke(target, method, payload, responseMs)
      } else {
        const holder = await this.registry.holder(target)
        outcome =
          holder !== null && holder !== this.nodeId
            ? await this.forward(holder, target, method, payload, responseMs)
            : { kind: 'notConnected' }
      }
      if (outcome.kind !== 'notConnected') {
        this.registry.touch(target)
        return outcomeOf(outcome)
      }
      const left = deadline - Date.now()
      if (left <= 0) return { kind: 'notConnected' }
      const connected = await this.waitForConnection(target, Math.min(left, this.timings.pollMs))
      // A device subscribes to its methods just after it connects: give it that moment.
      if (connected) await new Promise((resolve) => setTimeout(resolve, this.timings.settleMs).unref())
    }
  }

  /** Sends a desired-properties change made on this node to the others (this node's sessions get it from the endpoint). */
  forwardDesired(change: DesiredPropertiesChange): void {
    this.broadcast({
      type: 'desired',
      from: this.nodeId,
      target: { deviceId: change.deviceId, module: change.module },
      patch: change.patch,
      version: change.version,
    })
  }

  /** Stops listening; calls forwarded elsewhere and not yet answered end as timed out. */
  close(): void {
    for (const stop of this.stops.splice(0)) stop()
    for (const settle of this.forwarded.values()) settle({ kind: 'timedOut' })
    this.forwarded.clear()
    for (const wakers of this.waiting.values()) for (const wake of [...wakers]) wake(false)
    this.waiting.clear()
  }

  private forward(
    node: string,
    target: ConnectionTarget,
    method: string,
    payload: unknown,
    responseTimeoutMs: number,
  ): Promise<LocalInvocation> {
    const id = randomUUID()
    return new Promise<LocalInvocation>((resolve) => {
      const timer = setTimeout(() => settle({ kind: 'timedOut' }), responseTimeoutMs + this.timings.forwardGraceMs)
      timer.unref()
      const settle = (outcome: LocalInvocation) => {
        clearTimeout(timer)
        this.forwarded.delete(id)
        resolve(outcome)
      }
      this.forwarded.set(id, settle)
      this.bus
        .send(node, { type: 'invoke', from: this.nodeId, id, target, method, payload, responseTimeoutMs })
        .catch((error: unknown) => {
          this.log?.warn({ err: error }, 'A device command could not be forwarded to the node holding the device.')
          settle({ kind: 'notConnected' })
        })
    })
  }

  private receive(message: BusMessage): void {
    switch (message.type) {
      case 'invoke':
        void this.answer(message)
        return
      case 'invokeResult':
        this.forwarded.get(message.id)?.(message.outcome)
        return
      case 'desired':
        if (this.links.isConnected(message.target)) {
          this.links.pushDesired(message.target, message.patch, message.version)
        }
        return
      case 'connected':
        this.wake(message.target)
        return
    }
  }

  /** Runs a call forwarded by another node on the session here, and sends the outcome back. */
  private async answer(message: Extract<BusMessage, { type: 'invoke' }>): Promise<void> {
    let outcome: LocalInvocation
    try {
      outcome = this.links.isConnected(message.target)
        ? await this.links.invoke(message.target, message.method, message.payload, message.responseTimeoutMs)
        : { kind: 'notConnected' }
    } catch {
      outcome = { kind: 'notConnected' }
    }
    if (outcome.kind === 'answered') this.registry.touch(message.target)
    await this.bus
      .send(message.from, { type: 'invokeResult', from: this.nodeId, id: message.id, outcome })
      .catch((error: unknown) => this.log?.warn({ err: error }, "A device's answer could not be sent back to the calling node."))
  }

  /** Waits `ms` at most; answers whether a session of the target opened meanwhile (here or elsewhere). */
  private waitForConnection(target: ConnectionTarget, ms: number): Promise<boolean> {
    const key = keyOf(target)
    return new Promise<boolean>((resolve) => {
      const wakers = this.waiting.get(key) ?? new Set<(connected: boolean) => void>()
      this.waiting.set(key, wakers)
      const done = (connected: boolean) => {
        clearTimeout(timer)
        wakers.delete(done)
        if (wakers.size === 0) this.waiting.delete(key)
        resolve(connected)
      }
      const timer = setTimeout(() => done(false), ms)
      timer.unref()
      wakers.add(done)
    })
  }

  private wake(target: ConnectionTarget): void {
    const wakers = this.waiting.get(keyOf(target))
    if (wakers) for (const wake of [...wakers]) wake(true)
  }

  private broadcast(message: BusMessage): void {
    this.bus.send(null, message).catch((error: unknown) => {
      this.log?.warn({ err: error }, 'A device-plane message could not be sent to the other nodes.')
    })
  }
}

import type {
  ConnectionEvent,
  LocalDeviceLinks,
  LocalInvocation,
  MethodAnswer,
} from '../../src/device-plane/device-links.js'
import type { ConnectionTarget } from '../../src/services/device-connections.js'

/** How a connected test device answers a direct method; `undefined`: it never answers. */
export type MethodHandler = (method: string, payload: unknown) => MethodAnswer | undefined | Promise<MethodAnswer | undefined>

const keyOf = (target: ConnectionTarget) => `${target.module ?? ''}/${target.deviceId}`

/**
 * This node's device sessions as plain objects: the seam the MQTT endpoint implements, for testing
 * what is built on it (the cluster) apart from the broker. Devices "connect" by `connect()`.
 */
export class InProcessDeviceLinks implements LocalDeviceLinks {
  private readonly sessions = new Map<string, MethodHandler>()
  private readonly listeners = new Set<(event: ConnectionEvent) => void>()
  /** Every desired-properties push, in order. */
  readonly pushed: { target: ConnectionTarget; patch: Record<string, unknown>; version: number }[] = []
  /** Every method call that reached a session here. */
  readonly calls: { target: ConnectionTarget; method: string; payload: unknown }[] = []

  connect(target: ConnectionTarget, handler: MethodHandler): void {
    this.sessions.set(keyOf(target), handler)
    for (const listener of this.listeners) listener({ target, connected: true })
  }

  close(target: ConnectionTarget): void {
    if (!this.sessions.delete(keyOf(target))) return
    for (const listener of this.listeners) listener({ target, connected: false })
  }

  isConnected(target: ConnectionTarget): boolean {
    return this.sessions.has(keyOf(target))
  }

  async invoke(target: ConnectionTarget, method: string, payload: unknown, responseTimeoutMs: number): Promise<LocalInvocation> {
    const handler = this.sessions.get(keyOf(target))
    if (!handler) return { kind: 'notConnected' }
    this.calls.push({ target, method, payload })
    const answer = await Promise.race([
      Promise.resolve(handler(method, payload)),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), responseTimeoutMs).unref()),
    ])
    return answer === undefined ? { kind: 'timedOut' } : { kind: 'answered', answer }
  }

  pushDesired(target: ConnectionTarget, patch: Record<string, unknown>, version: number): void {
    if (this.sessions.has(keyOf(target))) this.pushed.push({ target, patch, version })
  }

  disconnect(deviceId: string): void {
    for (const key of [...this.sessions.keys()]) {
      const [module, id] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)]
      if (id === deviceId) this.close({ deviceId, module: module === '' ? null : module })
    }
  }

  onConnectionChange(listener: (event: ConnectionEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}

/** Polls `check` until it holds (or fails after `ms`). */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    if (await check()) return
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

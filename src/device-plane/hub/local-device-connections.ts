import type {
  ConnectionTarget,
  DeviceConnections,
  InvocationOutcome,
  InvocationTimeouts,
} from '../../services/device-connections.js'
import type { LocalDeviceLinks } from '../device-links.js'

/** Direct methods over this node's sessions only (a single node; the cluster layer wraps the links). */
export class LocalDeviceConnections implements DeviceConnections {
  constructor(private readonly links: LocalDeviceLinks) {}

  async invoke(
    target: ConnectionTarget,
    method: string,
    payload: unknown,
    timeouts: InvocationTimeouts,
  ): Promise<InvocationOutcome> {
    if (!this.links.isConnected(target) && !(await this.connects(target, timeouts.connectionTimeout * 1000))) {
      return { kind: 'notConnected' }
    }
    const invocation = await this.links.invoke(target, method, payload, timeouts.responseTimeout * 1000)
    if (invocation.kind === 'answered') {
      return { kind: 'answered', status: invocation.answer.status, payload: invocation.answer.payload }
    }
    return invocation
  }

  /** Whether the target connects within `ms`. */
  private connects(target: ConnectionTarget, ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(false)
    return new Promise((resolve) => {
      const stop = this.links.onConnectionChange((event) => {
        if (event.connected && event.target.deviceId === target.deviceId && event.target.module === target.module) {
          finish(true)
        }
      })
      const timer = setTimeout(() => finish(false), ms)
      timer.unref()
      function finish(connected: boolean) {
        stop()
        clearTimeout(timer)
        // The device subscribes to methods just after its CONNACK: give it that moment.
        if (connected) setTimeout(() => resolve(true), 200).unref()
        else resolve(false)
      }
    })
  }
}

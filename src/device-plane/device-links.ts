/**
 * The device plane's seam between the MQTT endpoint (which holds this node's device sessions)
 * and everything that reaches a device from elsewhere: REST commands, desired-property pushes,
 * jobs, and the other nodes of a cluster.
 *
 * `LocalDeviceLinks` knows only the sessions connected to this process. The cluster layer
 * builds `DeviceConnections` (src/services/device-connections.ts) on top of it, forwarding to
 * the node that holds a device when it is not here.
 */
import type { ConnectionTarget } from '../services/device-connections.js'

/** A direct method's answer as the device sent it on `$iothub/methods/res/{status}/?$rid=`. */
export interface MethodAnswer {
  status: number
  payload: unknown
}

export type LocalInvocation =
  | { kind: 'answered'; answer: MethodAnswer }
  | { kind: 'notConnected' }
  | { kind: 'timedOut' }

export interface ConnectionEvent {
  target: ConnectionTarget
  connected: boolean
}

export interface LocalDeviceLinks {
  /** Whether the device (or module) has a live session on this node. */
  isConnected(target: ConnectionTarget): boolean
  /** Sends a direct method over the local session and waits up to `responseTimeoutMs` for the answer. */
  invoke(
    target: ConnectionTarget,
    method: string,
    payload: unknown,
    responseTimeoutMs: number,
  ): Promise<LocalInvocation>
  /** Pushes a desired-properties patch (`$iothub/twin/PATCH/properties/desired/?$version=`). */
  pushDesired(target: ConnectionTarget, patch: Record<string, unknown>, version: number): void
  /** Ends every session of the device (and its modules) at once: deleted, disabled or new keys. */
  disconnect(deviceId: string, reason: string): void
  /** Told when a session of this node opens or closes. */
  onConnectionChange(listener: (event: ConnectionEvent) => void): () => void
}

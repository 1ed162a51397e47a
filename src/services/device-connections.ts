/**
 * The device connection: how a command reaches a device. The device side (the MQTT endpoint)
 * provides the real one; until a device can connect, `NotConnectedDevices` answers that none is.
 */

/** Which connection: a device's own, or one of its IoT Edge modules'. */
export interface ConnectionTarget {
  deviceId: string
  /** null: the device itself */
  module: string | null
}

export interface InvocationTimeouts {
  /** How long to wait for the device to connect, in seconds (0: it must be connected now). */
  connectionTimeout: number
  /** How long to wait for the device's answer once delivered, in seconds. */
  responseTimeout: number
}

/** What became of a direct-method call. */
export type InvocationOutcome =
  /** The device answered: its status and payload. */
  | { kind: 'answered'; status: number; payload: unknown }
  /** The device was not connected, and did not connect within connectionTimeout. */
  | { kind: 'notConnected' }
  /** The device got the call but did not answer within responseTimeout. */
  | { kind: 'timedOut' }

export interface DeviceConnections {
  /**
   * Calls the direct method `method` (IoT Central's `component*command` for a command of a
   * component) with `payload`, waiting as long as the timeouts say.
   */
  invoke(
    target: ConnectionTarget,
    method: string,
    payload: unknown,
    timeouts: InvocationTimeouts,
  ): Promise<InvocationOutcome>
}

/** No device can connect yet: every call waits connectionTimeout, then finds none. */
export class NotConnectedDevices implements DeviceConnections {
  constructor(
    private readonly wait: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms).unref()),
  ) {}

  async invoke(
    _target: ConnectionTarget,
    _method: string,
    _payload: unknown,
    timeouts: InvocationTimeouts,
  ): Promise<InvocationOutcome> {
    if (timeouts.connectionTimeout > 0) await this.wait(timeouts.connectionTimeout * 1000)
    return { kind: 'notConnected' }
  }
}

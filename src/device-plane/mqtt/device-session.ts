import type { Client } from 'aedes'
import type { ConnectionTarget } from '../../services/device-connections.js'
import type { DeviceProof } from './device-authenticator.js'

/** An authenticated device (or module) session, attached to its Aedes client. */
export interface DeviceSession {
  deviceId: string
  module: string | null
  hostName: string
  /** `group`: its credential comes from an enrollment group (a group key change ends it). */
  source: 'individual' | 'group'
  /** Kept in memory only, to check the session again when changes may have been missed. */
  proof: DeviceProof
}

const sessions = new WeakMap<Client, DeviceSession>()

export const deviceSessions = {
  attach(client: Client, session: DeviceSession): void {
    sessions.set(client, session)
  },
  of(client: Client | null | undefined): DeviceSession | undefined {
    return client ? sessions.get(client) : undefined
  },
}

/** The MQTT client id of a target: the device id, or `deviceId/moduleId`. */
export const clientIdOf = (target: ConnectionTarget): string =>
  target.module === null ? target.deviceId : `${target.deviceId}/${target.module}`

export const targetOf = (session: DeviceSession): ConnectionTarget => ({
  deviceId: session.deviceId,
  module: session.module,
})

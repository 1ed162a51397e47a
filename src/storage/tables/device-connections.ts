/** The store's view of live device sessions across nodes (see ../schema.ts for the conventions). */
import type { Selectable } from 'kysely'

export interface DeviceConnectionTables {
  device_plane_nodes: DevicePlaneNodeTable
  device_connections: DeviceConnectionTable
}

/**
 * Every server node holding device sessions, with its heartbeat: each heartbeat moves
 * `expires_at` forward; a node past it is dead, and the sessions it held count as closed since
 * its last heartbeat. (Each node sets its own window, so readers need not know it.)
 */
export interface DevicePlaneNodeTable {
  node_id: string
  /** epoch ms */
  started_at: number
  /** epoch ms of the node's last heartbeat */
  heartbeat_at: number
  /** epoch ms after which the node counts as dead */
  expires_at: number
}

/**
 * One row per device (module `''`) or module that ever connected: the node holding its session
 * (null once it closed), since when it is in that state, and when it was last heard from.
 */
export interface DeviceConnectionTable {
  device_id: string
  module: string
  /** null: not connected */
  node_id: string | null
  /** epoch ms: when the session opened, or closed */
  since: number
  /** epoch ms */
  last_activity: number
}

export type DevicePlaneNodeRow = Selectable<DevicePlaneNodeTable>
export type DeviceConnectionRow = Selectable<DeviceConnectionTable>

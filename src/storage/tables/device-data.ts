/** The store's tables for device data, as Kysely sees them (see ../schema.ts for the conventions). */
import type { Selectable } from 'kysely'

/**
 * Device data is addressed by device, module and component; `''` stands for "none" (the device
 * itself, or a module's or device's root interface), since key columns cannot be null.
 */
export interface DeviceDataTables {
  device_twins: DeviceTwinTable
  device_properties: DevicePropertyTable
  device_telemetry: DeviceTelemetryTable
  device_commands: DeviceCommandTable
}

/** One desired-properties document per device and per module: its version counts every change. */
export interface DeviceTwinTable {
  device_id: string
  module: string
  desired_version: number
}

/**
 * One property of a device, module or component. A cloud property keeps its value in `value`
 * (final at once); a device property keeps the value the device reported there, and, when
 * writable, the value asked of it in `desired_value` with the twin version it was asked at and
 * the device's acknowledgement (`ac`/`av`/`ad`). Values are JSON text.
 */
export interface DevicePropertyTable {
  device_id: string
  module: string
  component: string
  name: string
  value: string | null
  /** epoch ms of the last reported value (or cloud-property write) */
  value_time: number | null
  desired_value: string | null
  desired_version: number | null
  ack_code: number | null
  ack_version: number | null
  ack_description: string | null
}

/** The last value received for each telemetry of a device, module or component. */
export interface DeviceTelemetryTable {
  device_id: string
  module: string
  component: string
  name: string
  /** JSON text */
  value: string
  /** epoch ms */
  timestamp: number
}

/** Every command run: what was asked and what the device answered (when it did). */
export interface DeviceCommandTable {
  id: string
  device_id: string
  module: string
  component: string
  name: string
  /** JSON text; null when the run carried no request */
  request: string | null
  response: string | null
  response_code: number | null
  connection_timeout: number
  response_timeout: number
  /** epoch ms */
  created_at: number
}

export type DeviceTwinRow = Selectable<DeviceTwinTable>
export type DevicePropertyRow = Selectable<DevicePropertyTable>
export type DeviceTelemetryRow = Selectable<DeviceTelemetryTable>
export type DeviceCommandRow = Selectable<DeviceCommandTable>

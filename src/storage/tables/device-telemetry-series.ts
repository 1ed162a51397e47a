/** The store's telemetry time series, as Kysely sees it (see ../schema.ts for the conventions). */
import type { Selectable } from 'kysely'

export interface TelemetrySeriesTables {
  telemetry_messages: TelemetryMessageTable
}

/**
 * Every telemetry message a device (or module) sent, as sent: one row per message, kept for
 * `telemetryRetentionDays`. `''` stands for "none" in `module` and `component`, as in device data.
 */
export interface TelemetryMessageTable {
  device_id: string
  module: string
  component: string
  /** epoch ms: the device's `iothub-creation-time-utc`, else when it arrived */
  time: number
  /** the message body, JSON text */
  body: string
}

export type TelemetryMessageRow = Selectable<TelemetryMessageTable>

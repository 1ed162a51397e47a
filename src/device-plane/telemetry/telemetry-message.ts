/**
 * One telemetry message as the MQTT endpoint hands it over: parsed, with its component (`$.sub`)
 * and time (`iothub-creation-time-utc`, else arrival).
 */
export interface TelemetryMessage {
  deviceId: string
  /** null: the device itself */
  module: string | null
  /** null: the root interface */
  component: string | null
  /** epoch ms */
  enqueuedAt: number
  /** the message body (JSON): telemetry values by name */
  body: unknown
}

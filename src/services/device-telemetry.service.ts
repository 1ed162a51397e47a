import type { Principal } from '../auth/principal.js'
import { notFound } from '../errors/app-error.js'
import { deviceDataRepository } from '../storage/repositories/device-data.repository.js'
import type { Store } from '../storage/store.js'
import {
  describeTarget,
  deviceFor,
  interfaceFor,
  keyOf,
  type DataTarget,
} from './device-data-access.js'
import type { OrganizationCatalog } from './organization-catalog.js'

export interface TelemetryValue {
  value: unknown
  /** RFC 3339, UTC */
  timestamp: string
}

/** One telemetry message as a device sent it, read by the device plane. */
export interface TelemetryMessage {
  deviceId: string
  /** null: the device itself */
  module: string | null
  /** The component (`$.sub`); null: the root interface */
  component: string | null
  /** When it was sent (`iothub-creation-time-utc`) or else received, epoch ms */
  enqueuedAt: number
  /** The message body, parsed */
  body: unknown
}

/** The last value of each telemetry a device (or module, or component) sent. */
export class DeviceTelemetryService {
  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationCatalog,
  ) {}

  /**
   * The last known value: 404 for a device, module or component that does not exist, for a
   * telemetry the template does not declare there, and while no value has been received.
   */
  async get(
    caller: Principal | null,
    deviceId: string,
    target: DataTarget,
    name: string,
  ): Promise<TelemetryValue> {
    const reach = await this.organizations.reachOf(caller)
    const context = await deviceFor(this.store.db, reach, deviceId, 'devices.read')
    const capabilities = interfaceFor(context, target)
    if (!capabilities.telemetry.has(name)) {
      throw notFound(`The telemetry '${name}' of ${describeTarget(deviceId, target)}`)
    }
    const { module, component } = keyOf(target)
    const row = await deviceDataRepository.telemetry(this.store.db, deviceId, module, component, name)
    if (!row) {
      throw notFound(
        `A value of the telemetry '${name}' of ${describeTarget(deviceId, target)} (none has been received yet)`,
      )
    }
    return { value: JSON.parse(row.value) as unknown, timestamp: new Date(Number(row.timestamp)).toISOString() }
  }

  /**
   * Takes in one message a device sent; resolves once it is stored (the device plane then
   * acknowledges it). A body that is not a JSON object carries no named values: nothing is kept.
   */
  async ingest(message: TelemetryMessage): Promise<void> {
    const body = message.body
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return
    await this.record(
      message.deviceId,
      { module: message.module, component: message.component },
      body as Record<string, unknown>,
      message.enqueuedAt,
    )
  }

  /**
   * Records telemetry a device sent (for the device side; no caller checks): one message's
   * values by name, at `timestamp` (epoch ms). A value older than the one stored is ignored.
   */
  async record(
    deviceId: string,
    target: DataTarget,
    values: Record<string, unknown>,
    timestamp: number,
  ): Promise<void> {
    const { module, component } = keyOf(target)
    await this.store.db.transaction().execute(async (trx) => {
      for (const [name, value] of Object.entries(values)) {
        if (value === undefined) continue
        await deviceDataRepository.recordTelemetry(trx, {
          device_id: deviceId,
          module,
          component,
          name,
          value: JSON.stringify(value),
          timestamp,
        })
      }
    })
  }
}

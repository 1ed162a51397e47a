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
    const context = await deviceFor(this.store.db, this.organizations, caller, deviceId, 'devices.read')
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

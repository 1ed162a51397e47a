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
import type { Clock } from '../clock.js'
import {
  TelemetryIngestor,
  type IngestListener,
} from '../device-plane/telemetry/telemetry-ingestor.js'
import type { TelemetryMessage } from '../device-plane/telemetry/telemetry-message.js'
import { TelemetryRetention } from '../device-plane/telemetry/telemetry-retention.js'

export type { TelemetryMessage }

export interface TelemetryValue {
  value: unknown
  /** RFC 3339, UTC */
  timestamp: string
}

/**
 * Telemetry: every message a device sends (a time series kept `telemetryRetentionDays`) and the
 * last value of each telemetry, which the REST API answers.
 */
export class DeviceTelemetryService {
  private readonly ingestor: TelemetryIngestor
  /** Prunes messages past the retention; started with the server. */
  readonly retention: TelemetryRetention

  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationCatalog,
    clock: Clock,
    retentionDays: number,
  ) {
    this.ingestor = new TelemetryIngestor(store)
    this.retention = new TelemetryRetention(store, clock, { retentionDays })
  }

  /**
   * Stores one message a device sent (for the device side; no caller checks). Resolves once it is
   * durably stored with its batch; rejects when that batch could not be stored (the device is then
   * not acknowledged and sends it again) or the message could never be stored.
   */
  ingest(message: TelemetryMessage): Promise<void> {
    return this.ingestor.ingest(message)
  }

  /** Called after each stored batch of messages. */
  onIngested(listener: IngestListener): () => void {
    return this.ingestor.onIngested(listener)
  }

  /** Stores what is waiting and stops pruning; messages ingested afterwards are refused. */
  async close(): Promise<void> {
    await this.retention.stop()
    await this.ingestor.close()
  }

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
   * Records telemetry as if a device had sent it: one message's values by name, at `timestamp`
   * (epoch ms). A value older than the one stored does not replace it.
   */
  async record(
    deviceId: string,
    target: DataTarget,
    values: Record<string, unknown>,
    timestamp: number,
  ): Promise<void> {
    await this.ingest({
      deviceId,
      module: target.module,
      component: target.component,
      enqueuedAt: timestamp,
      body: values,
    })
  }
}

import type { Store } from '../../storage/store.js'
import { telemetrySeriesRepository } from '../../storage/repositories/telemetry-series.repository.js'
import type { TelemetryMessageRow } from '../../storage/tables/device-telemetry-series.js'
import type { DeviceTelemetryRow } from '../../storage/tables/device-data.js'
import { GroupCommit, type GroupCommitOptions } from './group-commit.js'
import type { TelemetryMessage } from './telemetry-message.js'

/** Told after each committed batch, with its messages (a device was heard from). */
export type IngestListener = (messages: readonly TelemetryMessage[]) => void

interface Prepared {
  message: TelemetryMessage
  row: TelemetryMessageRow
}

/** A few ms of gathering costs a device little and saves the store most of its commits. */
export const DEFAULT_BATCHING: Omit<GroupCommitOptions, 'concurrency'> = { maxItems: 1024, maxDelayMs: 5 }

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Stores telemetry in batches: per batch, one transaction appends every message to the time
 * series and moves the last value of each telemetry forward. `ingest` resolves once its batch
 * has committed, so a device acknowledged is a message stored.
 */
export class TelemetryIngestor {
  private readonly batches: GroupCommit<Prepared>
  private readonly listeners = new Set<IngestListener>()

  constructor(
    private readonly store: Store,
    options: Partial<GroupCommitOptions> = {},
  ) {
    this.batches = new GroupCommit((items) => this.write(items), {
      ...DEFAULT_BATCHING,
      // SQLite has one writer: a second batch in flight would only wait for the first.
      concurrency: store.dialect === 'postgres' ? 4 : 1,
      ...options,
    })
  }

  /** Rejects at once a message the store could never hold; otherwise waits for its batch. */
  ingest(message: TelemetryMessage): Promise<void> {
    let prepared: Prepared
    try {
      prepared = { message, row: toRow(message) }
    } catch (error) {
      return Promise.reject(error)
    }
    return this.batches.add(prepared)
  }

  onIngested(listener: IngestListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Writes what is waiting; later messages are refused. */
  close(): Promise<void> {
    return this.batches.close()
  }

  private async write(items: readonly Prepared[]): Promise<void> {
    const latest = latestValues(items)
    await this.store.db.transaction().execute(async (trx) => {
      await telemetrySeriesRepository.insertMessages(
        trx,
        items.map((item) => item.row),
      )
      if (latest.length > 0) await telemetrySeriesRepository.recordLatest(trx, latest)
    })
    const messages = items.map((item) => item.message)
    for (const listener of this.listeners) listener(messages)
  }
}

/**
 * The row of a message, checked: ids must be non-empty text without NUL (PostgreSQL refuses NUL,
 * and one refused row would fail its whole batch), the time a finite number.
 */
function toRow(message: TelemetryMessage): TelemetryMessageRow {
  const text = (value: unknown, field: string, optional: boolean): string => {
    if (value === null && optional) return ''
    if (typeof value !== 'string' || value === '' || value.includes('\u0000')) {
      throw new TypeError(`Telemetry ${field} must be non-empty text without NUL characters.`)
    }
    return value
  }
  if (!Number.isFinite(message.enqueuedAt)) throw new TypeError('Telemetry enqueuedAt must be epoch milliseconds.')
  return {
    device_id: text(message.deviceId, 'deviceId', false),
    module: text(message.module, 'module', true),
    component: text(message.component, 'component', true),
    time: Math.trunc(message.enqueuedAt),
    body: JSON.stringify(message.body ?? null),
  }
}

/** The latest value of each telemetry named in the batch (a message's members), in key order. */
function latestValues(items: readonly Prepared[]): DeviceTelemetryRow[] {
  const latest = new Map<string, DeviceTelemetryRow>()
  for (const { message, row } of items) {
    if (!isObject(message.body)) continue
    for (const [name, value] of Object.entries(message.body)) {
      if (value === undefined) continue
      // Ids carry no NUL (toRow refuses them), so NUL-separated keys are unique and sort as the tuple.
      const key = `${row.device_id}\u0000${row.module}\u0000${row.component}\u0000${name}`
      const known = latest.get(key)
      if (known && known.timestamp > row.time) continue
      latest.set(key, {
        device_id: row.device_id,
        module: row.module,
        component: row.component,
        name,
        value: JSON.stringify(value),
        timestamp: row.time,
      })
    }
  }
  return [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row)
}

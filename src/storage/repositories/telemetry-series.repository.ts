import { sql } from 'kysely'
import type { Dialect } from '../store.js'
import type { Executor } from './executor.js'
import type { TelemetryMessageRow } from '../tables/device-telemetry-series.js'
import type { DeviceTelemetryRow } from '../tables/device-data.js'
import { preparedRowsWrite } from './prepared-query.js'
import { statementSizedChunks } from './statement-sized-chunks.js'

/** Most rows per statement: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const ROWS_PER_STATEMENT = 512

const insertMessages = preparedRowsWrite<TelemetryMessageRow>(
  ['device_id', 'module', 'component', 'time', 'body'],
  (db, rows) => db.insertInto('telemetry_messages').values(rows),
)

const upsertLatest = preparedRowsWrite<DeviceTelemetryRow>(
  ['device_id', 'module', 'component', 'name', 'value', 'timestamp'],
  (db, rows) =>
    db
      .insertInto('device_telemetry')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['device_id', 'module', 'component', 'name'])
          .doUpdateSet({
            value: (eb) => eb.ref('excluded.value'),
            timestamp: (eb) => eb.ref('excluded.timestamp'),
          })
          .where('device_telemetry.timestamp', '<=', sql.ref<number>('excluded.timestamp')),
      ),
)

export const telemetrySeriesRepository = {
  /** Appends messages to the time series, in multi-row inserts of a few sizes. */
  async insertMessages(db: Executor, rows: readonly TelemetryMessageRow[]): Promise<void> {
    for (const chunk of statementSizedChunks(rows, ROWS_PER_STATEMENT)) await insertMessages(db, chunk)
  },

  /**
   * Sets the last value of each telemetry, unless a later one is stored: one row per key (the
   * caller keeps the latest of a batch), in key order so that concurrent batches on PostgreSQL
   * lock rows in the same order and never deadlock.
   */
  async recordLatest(db: Executor, rows: readonly DeviceTelemetryRow[]): Promise<void> {
    for (const chunk of statementSizedChunks(rows, ROWS_PER_STATEMENT)) await upsertLatest(db, chunk)
  },

  /**
   * Deletes up to `limit` messages older than `before` (epoch ms); answers how many. The rows are
   * picked by their physical address (SQLite's rowid, PostgreSQL's ctid), so no index on time is
   * needed: the oldest rows sit first, and the scan finds them at once.
   */
  async pruneBefore(db: Executor, dialect: Dialect, before: number, limit: number): Promise<number> {
    const result =
      dialect === 'postgres'
        ? await sql`
            DELETE FROM telemetry_messages WHERE ctid = ANY(ARRAY(
              SELECT ctid FROM telemetry_messages WHERE time < ${before} LIMIT ${limit}
            ))`.execute(db)
        : await sql`
            DELETE FROM telemetry_messages WHERE rowid IN (
              SELECT rowid FROM telemetry_messages WHERE time < ${before} LIMIT ${limit}
            )`.execute(db)
    return Number(result.numAffectedRows ?? 0)
  },
}

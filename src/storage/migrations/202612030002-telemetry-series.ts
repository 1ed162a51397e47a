import { sql, type Kysely } from 'kysely'
import { type Migration } from 'kysely/migration'

/**
 * The telemetry time series: every message, as sent, read by device and time. Frozen in time: it
 * never imports application code.
 */
export function telemetrySeries(dialect: 'sqlite' | 'postgres'): Migration {
  const key = dialect === 'postgres' ? sql`text collate "C"` : sql`text`
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('telemetry_messages')
        .addColumn('device_id', key, (c) => c.notNull())
        .addColumn('module', key, (c) => c.notNull())
        .addColumn('component', key, (c) => c.notNull())
        .addColumn('time', bigint, (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute()
      // A device's messages over a time window; the one index, so that inserts stay cheap.
      await db.schema
        .createIndex('telemetry_messages_device_time')
        .on('telemetry_messages')
        .columns(['device_id', 'time'])
        .execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('telemetry_messages').execute()
    },
  }
}

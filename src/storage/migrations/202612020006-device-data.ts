import { sql, type Kysely } from 'kysely'
import { type Migration } from 'kysely/migration'

/**
 * Device data: desired-properties versions, property values, last telemetry values and the
 * command history. Frozen in time: it never imports application code.
 */
export function deviceData(dialect: 'sqlite' | 'postgres'): Migration {
  const key = dialect === 'postgres' ? sql`text collate "C"` : sql`text`
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('device_twins')
        .addColumn('device_id', key, (c) => c.notNull())
        .addColumn('module', key, (c) => c.notNull())
        .addColumn('desired_version', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('device_twins_pk', ['device_id', 'module'])
        .execute()

      await db.schema
        .createTable('device_properties')
        .addColumn('device_id', key, (c) => c.notNull())
        .addColumn('module', key, (c) => c.notNull())
        .addColumn('component', key, (c) => c.notNull())
        .addColumn('name', key, (c) => c.notNull())
        .addColumn('value', 'text')
        .addColumn('value_time', bigint)
        .addColumn('desired_value', 'text')
        .addColumn('desired_version', bigint)
        .addColumn('ack_code', 'integer')
        .addColumn('ack_version', bigint)
        .addColumn('ack_description', 'text')
        .addPrimaryKeyConstraint('device_properties_pk', ['device_id', 'module', 'component', 'name'])
        .execute()

      await db.schema
        .createTable('device_telemetry')
        .addColumn('device_id', key, (c) => c.notNull())
        .addColumn('module', key, (c) => c.notNull())
        .addColumn('component', key, (c) => c.notNull())
        .addColumn('name', key, (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('timestamp', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('device_telemetry_pk', ['device_id', 'module', 'component', 'name'])
        .execute()

      await db.schema
        .createTable('device_commands')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('device_id', key, (c) => c.notNull())
        .addColumn('module', key, (c) => c.notNull())
        .addColumn('component', key, (c) => c.notNull())
        .addColumn('name', key, (c) => c.notNull())
        .addColumn('request', 'text')
        .addColumn('response', 'text')
        .addColumn('response_code', 'integer')
        .addColumn('connection_timeout', 'integer', (c) => c.notNull())
        .addColumn('response_timeout', 'integer', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute()
      // The history of one command, most recent first, a page at a time.
      await db.schema
        .createIndex('device_commands_history')
        .on('device_commands')
        .columns(['device_id', 'module', 'component', 'name', 'created_at', 'id'])
        .execute()
    },
    async down(db: Kysely<any>) {
      for (const table of ['device_commands', 'device_telemetry', 'device_properties', 'device_twins']) {
        await db.schema.dropTable(table).execute()
      }
    },
  }
}

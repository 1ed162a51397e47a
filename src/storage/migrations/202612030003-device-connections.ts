import { sql, type Kysely } from 'kysely'
import { type Migration } from 'kysely/migration'

/**
 * Device sessions across nodes: the nodes with their heartbeats, and which node holds each
 * device's session. Frozen in time: it never imports application code.
 */
export function deviceConnections(dialect: 'sqlite' | 'postgres'): Migration {
  const key = dialect === 'postgres' ? sql`text collate "C"` : sql`text`
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('device_plane_nodes')
        .addColumn('node_id', key, (c) => c.primaryKey())
        .addColumn('started_at', bigint, (c) => c.notNull())
        .addColumn('heartbeat_at', bigint, (c) => c.notNull())
        .addColumn('expires_at', bigint, (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('device_connections')
        .addColumn('device_id', key, (c) => c.notNull())
        .addColumn('module', key, (c) => c.notNull())
        .addColumn('node_id', key)
        .addColumn('since', bigint, (c) => c.notNull())
        .addColumn('last_activity', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('device_connections_pk', ['device_id', 'module'])
        .execute()
      // A dead node's sessions are closed together.
      await db.schema.createIndex('device_connections_node').on('device_connections').column('node_id').execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('device_connections').execute()
      await db.schema.dropTable('device_plane_nodes').execute()
    },
  }
}

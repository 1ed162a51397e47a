import { sql, type Kysely } from 'kysely'
import { type Migration } from 'kysely/migration'

/**
 * Relationships between gateway (source) and downstream (target) devices. Frozen in time: it never
 * imports application code. Ids are unique application-wide and paged byte-wise; a device's list
 * reads one index range per direction.
 */
export function deviceRelationships(dialect: 'sqlite' | 'postgres'): Migration {
  const key = dialect === 'postgres' ? sql`text collate "C"` : sql`text`
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('device_relationships')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('source_id', key, (c) => c.notNull())
        .addColumn('target_id', key, (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute()
      await db.schema
        .createIndex('device_relationships_source')
        .on('device_relationships')
        .columns(['source_id', 'id'])
        .execute()
      await db.schema
        .createIndex('device_relationships_target')
        .on('device_relationships')
        .columns(['target_id', 'id'])
        .execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('device_relationships').execute()
    },
  }
}

import { sql, type Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * Provisioning operations that devices poll after a `202 assigning` answer. Frozen in time: it
 * never imports application code.
 */
export function dpsOperations(dialect: 'sqlite' | 'postgres'): Migration {
  const key = dialect === 'postgres' ? sql`text collate "C"` : sql`text`
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('dps_operations')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('registration_id', 'text', (c) => c.notNull())
        .addColumn('registration_state', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('expires_at', bigint, (c) => c.notNull())
        .execute()
      await db.schema.createIndex('dps_operations_expires_at').on('dps_operations').column('expires_at').execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('dps_operations').execute()
    },
  }
}

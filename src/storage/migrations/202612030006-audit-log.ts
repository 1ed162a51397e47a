import { sql, type Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * The audit log: one row per change (or per aggregated run of authentication failures). The id
 * starts with the time, zero-padded, so that id order is time order on both engines (a byte-wise
 * collation on PostgreSQL) and a page, a time range and the retention prune are all key ranges.
 * Frozen in time: it never imports application code.
 */
export function auditLog(dialect: 'sqlite' | 'postgres'): Migration {
  const key = dialect === 'postgres' ? sql`text collate "C"` : sql`text`
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('audit_log')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('at_ms', bigint, (c) => c.notNull())
        .addColumn('actor_type', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('client_address', 'text')
        .addColumn('request_id', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('status', 'integer')
        .addColumn('count', 'integer', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor_id', 'id']).execute()
      await db.schema.createIndex('audit_log_action').on('audit_log').columns(['action', 'id']).execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('audit_log').execute()
    },
  }
}

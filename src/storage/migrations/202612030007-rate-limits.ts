import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/** Rate-limit counters shared by the nodes of a PostgreSQL store. Frozen in time. */
export function rateLimits(dialect: 'sqlite' | 'postgres'): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('rate_limit_counters')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('hits', 'integer', (c) => c.notNull())
        .addColumn('reset_at', bigint, (c) => c.notNull())
        .execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('rate_limit_counters').execute()
    },
  }
}

import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * The application's file upload storage settings: at most one row (`id` = 'default'). The
 * connection string is stored sealed. Frozen in time: it never imports application code.
 */
export function fileUploads(dialect: 'sqlite' | 'postgres'): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('file_uploads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account', 'text')
        .addColumn('connection_string', 'text', (c) => c.notNull())
        .addColumn('container', 'text', (c) => c.notNull())
        .addColumn('sas_ttl', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('file_uploads').execute()
    },
  }
}

import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * Keys the server makes for itself and shares through the store: on PostgreSQL without
 * --secret-key, the key stored secrets are sealed with. Frozen in time: it never imports
 * application code.
 */
export function storedKeys(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('stored_keys')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('stored_keys').execute()
    },
  }
}

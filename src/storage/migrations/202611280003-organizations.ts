import { sql, type Kysely } from 'kysely'
import { type Migration } from 'kysely/migration'

/**
 * Organizations: a hierarchy below the application's root. Frozen in time: it never imports
 * application code. Ids are paged and compared byte-wise, as in the initial schema.
 */
export function organizations(dialect: 'sqlite' | 'postgres'): Migration {
  const key = dialect === 'postgres' ? sql`text collate "C"` : sql`text`
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('organizations')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text')
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute()
      await db.schema
        .createIndex('organizations_parent')
        .on('organizations')
        .column('parent_id')
        .execute()
      // Deleting an organization asks who is still assigned there.
      await db.schema
        .createIndex('role_assignments_organization')
        .on('role_assignments')
        .column('organization_id')
        .execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('role_assignments_organization').execute()
      await db.schema.dropTable('organizations').execute()
    },
  }
}

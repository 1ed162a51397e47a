import { sql, type Kysely } from 'kysely'
import { type Migration } from 'kysely/migration'

/**
 * The initial schema. Frozen in time: it never imports application code.
 * Text keys that are paged through use a byte-wise collation on PostgreSQL, so that both
 * engines order ids the same way.
 */
export function initial(dialect: 'sqlite' | 'postgres'): Migration {
  const key = dialect === 'postgres' ? sql`text collate "C"` : sql`text`
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('application')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('roles')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('builtin', 'integer', (c) => c.notNull())
        .addColumn('permissions', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('role_assignments')
        .addColumn('principal_type', 'text', (c) => c.notNull())
        .addColumn('principal_id', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('role_id', 'text', (c) => c.notNull())
        .addColumn('organization_id', 'text')
        .addPrimaryKeyConstraint('role_assignments_pk', [
          'principal_type',
          'principal_id',
          'position',
        ])
        .execute()
      await db.schema
        .createIndex('role_assignments_role')
        .on('role_assignments')
        .columns(['role_id', 'organization_id'])
        .execute()

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('expires_at_ms', bigint, (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('users')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('email', 'text')
        .addColumn('email_key', 'text', (c) => c.unique())
        .addColumn('tenant_id', 'text')
        .addColumn('object_id', 'text')
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute()
      await db.schema
        .createIndex('users_directory_object')
        .on('users')
        .columns(['type', 'tenant_id', 'object_id'])
        .unique()
        .execute()

      await db.schema
        .createTable('device_templates')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('display_name', 'text')
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('devices')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('template', 'text')
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('provisioned', 'integer', (c) => c.notNull())
        .addColumn('simulated', 'integer', (c) => c.notNull())
        .addColumn('organization_id', 'text')
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute()
      await db.schema.createIndex('devices_template').on('devices').column('template').execute()
      await db.schema
        .createIndex('devices_organization')
        .on('devices')
        .columns(['organization_id', 'id'])
        .execute()
    },
    async down(db: Kysely<any>) {
      for (const table of [
        'devices',
        'device_templates',
        'users',
        'api_tokens',
        'role_assignments',
        'roles',
        'application',
      ]) {
        await db.schema.dropTable(table).execute()
      }
    },
  }
}

import { sql, type Kysely } from 'kysely'
import { type Migration } from 'kysely/migration'

/**
 * Device groups, and the device indexes their filters page through. Frozen in time: it never
 * imports application code.
 *
 * A group's devices are read a page at a time in id order: `WHERE <filter> AND id > ? ORDER BY id
 * LIMIT n`. An index whose equality columns come first and `id` last hands those rows over in
 * order, so the engine stops after n whatever the cursor: (template, id) for the usual
 * `$template = "…"` group, (template, provisioned, id) for IoT Central's default
 * `$template = "…" AND $provisioned = true`, and (flag, id) for a group over one of the flags
 * alone (a few simulated devices among a million). The plain index on template is replaced by
 * (template, id), which serves everything it did.
 */
export function deviceGroups(dialect: 'sqlite' | 'postgres'): Migration {
  const key = dialect === 'postgres' ? sql`text collate "C"` : sql`text`
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  const deviceIndexes: [string, string[]][] = [
    ['devices_template_id', ['template', 'id']],
    ['devices_template_provisioned_id', ['template', 'provisioned', 'id']],
    ['devices_provisioned_id', ['provisioned', 'id']],
    ['devices_simulated_id', ['simulated', 'id']],
    ['devices_enabled_id', ['enabled', 'id']],
  ]
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('device_groups')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('filter', 'text', (c) => c.notNull())
        .addColumn('organization_id', 'text')
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute()
      await db.schema
        .createIndex('device_groups_organization')
        .on('device_groups')
        .columns(['organization_id', 'id'])
        .execute()
      for (const [name, columns] of deviceIndexes) {
        await db.schema.createIndex(name).on('devices').columns(columns).execute()
      }
      await db.schema.dropIndex('devices_template').execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.createIndex('devices_template').on('devices').column('template').execute()
      for (const [name] of deviceIndexes) await db.schema.dropIndex(name).execute()
      await db.schema.dropTable('device_groups').execute()
    },
  }
}

import { sql, type Kysely } from 'kysely'
import { type Migration } from 'kysely/migration'

/**
 * Provisioning: the application's ID scope, enrollment groups with their signing certificates,
 * and individual device attestations. Frozen in time: it never imports application code. Keys
 * are stored sealed (AES-256-GCM); certificates are public and stored as PEM.
 */
export function provisioning(dialect: 'sqlite' | 'postgres'): Migration {
  const key = dialect === 'postgres' ? sql`text collate "C"` : sql`text`
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('provisioning_settings')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('enrollment_groups')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('attestation_type', 'text', (c) => c.notNull())
        .addColumn('primary_key', 'text')
        .addColumn('secondary_key', 'text')
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('enrollment_group_certificates')
        .addColumn('group_id', key, (c) => c.notNull())
        .addColumn('entry', 'text', (c) => c.notNull())
        .addColumn('certificate', 'text', (c) => c.notNull())
        .addColumn('thumbprint', 'text', (c) => c.notNull())
        .addColumn('verified', 'integer', (c) => c.notNull())
        .addColumn('verification_code', 'text')
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('enrollment_group_certificates_pk', ['group_id', 'entry'])
        .execute()
      await db.schema
        .createIndex('enrollment_group_certificates_thumbprint')
        .on('enrollment_group_certificates')
        .column('thumbprint')
        .execute()

      await db.schema
        .createTable('device_attestations')
        .addColumn('device_id', key, (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('primary_key', 'text')
        .addColumn('secondary_key', 'text')
        .addColumn('primary_certificate', 'text')
        .addColumn('primary_thumbprint', 'text')
        .addColumn('secondary_certificate', 'text')
        .addColumn('secondary_thumbprint', 'text')
        .addColumn('endorsement_key', 'text')
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute()
      await db.schema
        .createIndex('device_attestations_primary_thumbprint')
        .on('device_attestations')
        .column('primary_thumbprint')
        .execute()
      await db.schema
        .createIndex('device_attestations_secondary_thumbprint')
        .on('device_attestations')
        .column('secondary_thumbprint')
        .execute()
    },
    async down(db: Kysely<any>) {
      for (const table of [
        'device_attestations',
        'enrollment_group_certificates',
        'enrollment_groups',
        'provisioning_settings',
      ]) {
        await db.schema.dropTable(table).execute()
      }
    },
  }
}

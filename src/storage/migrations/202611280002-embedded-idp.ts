import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * Tables of the embedded identity provider. Frozen in time: it never imports application code.
 * Secrets are never stored in the clear: service principal secrets as SHA-256, passwords as scrypt.
 */
export function embeddedIdp(dialect: 'sqlite' | 'postgres'): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<any>) {
      // One row per setting of the installation: its tenant id, the keys that sign its cookies.
      await db.schema
        .createTable('idp_settings')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('idp_signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('private_jwk', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('retired_at', bigint)
        .addColumn('verify_until', bigint)
        .execute()

      await db.schema
        .createTable('idp_service_principals')
        .addColumn('app_id', 'text', (c) => c.primaryKey())
        .addColumn('object_id', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull().unique())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('idp_accounts')
        .addColumn('object_id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('email_key', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text')
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute()

      // What oidc-provider persists (sessions, grants, interactions, device codes, refresh tokens).
      await db.schema
        .createTable('idp_artifacts')
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('grant_id', 'text')
        .addColumn('user_code', 'text')
        .addColumn('uid', 'text')
        .addColumn('account_id', 'text')
        .addColumn('expires_at', bigint)
        .addColumn('consumed_at', bigint)
        .addPrimaryKeyConstraint('idp_artifacts_pk', ['model', 'id'])
        .execute()
      await db.schema
        .createIndex('idp_artifacts_uid')
        .on('idp_artifacts')
        .columns(['model', 'uid'])
        .execute()
      await db.schema
        .createIndex('idp_artifacts_user_code')
        .on('idp_artifacts')
        .columns(['model', 'user_code'])
        .execute()
      await db.schema
        .createIndex('idp_artifacts_grant')
        .on('idp_artifacts')
        .columns(['model', 'grant_id'])
        .execute()
      await db.schema
        .createIndex('idp_artifacts_account')
        .on('idp_artifacts')
        .column('account_id')
        .execute()
      await db.schema
        .createIndex('idp_artifacts_expiry')
        .on('idp_artifacts')
        .column('expires_at')
        .execute()
    },
    async down(db: Kysely<any>) {
      for (const table of [
        'idp_artifacts',
        'idp_accounts',
        'idp_service_principals',
        'idp_signing_keys',
        'idp_settings',
      ]) {
        await db.schema.dropTable(table).execute()
      }
    },
  }
}

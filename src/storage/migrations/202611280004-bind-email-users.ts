import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * An email user is bound to the directory identity `(tenant, object id)` that first signs in as
 * it; from then on only that identity matches, whatever the token's email claim says.
 * Frozen in time: it never imports application code.
 */
export const bindEmailUsers: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('users').addColumn('bound_tenant_id', 'text').execute()
    await db.schema.alterTable('users').addColumn('bound_object_id', 'text').execute()
    await db.schema
      .createIndex('users_bound_identity')
      .on('users')
      .columns(['bound_tenant_id', 'bound_object_id'])
      .unique()
      .execute()
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('users_bound_identity').execute()
    await db.schema.alterTable('users').dropColumn('bound_object_id').execute()
    await db.schema.alterTable('users').dropColumn('bound_tenant_id').execute()
  },
}

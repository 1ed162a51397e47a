import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * Token lifecycle: when a token or user was last used and from where (written at most once a
 * minute per principal), a token's description, and the secret a rotation replaced, which keeps
 * working until `previous_valid_until_ms`. Frozen in time: it never imports application code.
 */
export function tokenLifecycle(dialect: 'sqlite' | 'postgres'): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<any>) {
      for (const column of [
        ['description', 'text'],
        ['previous_secret_hash', 'text'],
        ['previous_valid_until_ms', bigint],
        ['last_used_at_ms', bigint],
        ['last_used_address', 'text'],
      ] as const) {
        await db.schema.alterTable('api_tokens').addColumn(column[0], column[1]).execute()
      }
      await db.schema.alterTable('users').addColumn('last_used_at_ms', bigint).execute()
      await db.schema.alterTable('users').addColumn('last_used_address', 'text').execute()
    },
    async down(db: Kysely<any>) {
      for (const column of ['description', 'previous_secret_hash', 'previous_valid_until_ms', 'last_used_at_ms', 'last_used_address']) {
        await db.schema.alterTable('api_tokens').dropColumn(column).execute()
      }
      await db.schema.alterTable('users').dropColumn('last_used_at_ms').execute()
      await db.schema.alterTable('users').dropColumn('last_used_address').execute()
    },
  }
}

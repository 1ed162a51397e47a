import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * A service principal may prove itself with a certificate instead of a secret (client assertions
 * signed with its private key): the public certificate is kept, as PEM. A secret may have an end
 * date, as Entra's do. Frozen in time: it never imports application code.
 */
export function servicePrincipalCredentials(dialect: 'sqlite' | 'postgres'): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable('idp_service_principals')
        .addColumn('certificate_pem', 'text')
        .execute()
      await db.schema
        .alterTable('idp_service_principals')
        .addColumn('secret_expires_at', bigint)
        .execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('idp_service_principals').dropColumn('secret_expires_at').execute()
      await db.schema.alterTable('idp_service_principals').dropColumn('certificate_pem').execute()
    },
  }
}

import type { Kysely, Migration } from 'kysely'

/**
 * A service principal may prove itself with a certificate instead of a secret (client assertions
 * signed with its private key): the public certificate is kept, as PEM. Frozen in time: it never
 * imports application code.
 */
export const servicePrincipalCertificates: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('idp_service_principals')
      .addColumn('certificate_pem', 'text')
      .execute()
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('idp_service_principals').dropColumn('certificate_pem').execute()
  },
}

import type { IdpServicePrincipalRow } from '../schema.js'
import type { Executor } from './executor.js'

export const idpServicePrincipalRepository = {
  async get(db: Executor, appId: string): Promise<IdpServicePrincipalRow | undefined> {
    return db
      .selectFrom('idp_service_principals')
      .selectAll()
      .where('app_id', '=', appId)
      .executeTakeFirst()
  },

  async findByNameKey(db: Executor, nameKey: string): Promise<IdpServicePrincipalRow | undefined> {
    return db
      .selectFrom('idp_service_principals')
      .selectAll()
      .where('name_key', '=', nameKey)
      .executeTakeFirst()
  },

  async list(db: Executor): Promise<IdpServicePrincipalRow[]> {
    return db.selectFrom('idp_service_principals').selectAll().orderBy('name_key').execute()
  },

  async insert(db: Executor, row: IdpServicePrincipalRow): Promise<void> {
    await db.insertInto('idp_service_principals').values(row).execute()
  },

  async delete(db: Executor, appId: string): Promise<boolean> {
    const result = await db
      .deleteFrom('idp_service_principals')
      .where('app_id', '=', appId)
      .executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  },
}

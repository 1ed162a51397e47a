import type { IdpAccountRow } from '../schema.js'
import type { Executor } from './executor.js'

export const idpAccountRepository = {
  async get(db: Executor, objectId: string): Promise<IdpAccountRow | undefined> {
    return db
      .selectFrom('idp_accounts')
      .selectAll()
      .where('object_id', '=', objectId)
      .executeTakeFirst()
  },

  async findByEmailKey(db: Executor, emailKey: string): Promise<IdpAccountRow | undefined> {
    return db
      .selectFrom('idp_accounts')
      .selectAll()
      .where('email_key', '=', emailKey)
      .executeTakeFirst()
  },

  async list(db: Executor): Promise<IdpAccountRow[]> {
    return db.selectFrom('idp_accounts').selectAll().orderBy('email_key').execute()
  },

  async insert(db: Executor, row: IdpAccountRow): Promise<void> {
    await db.insertInto('idp_accounts').values(row).execute()
  },

  async setPasswordHash(db: Executor, objectId: string, hash: string, now: number): Promise<void> {
    await db
      .updateTable('idp_accounts')
      .set({ password_hash: hash, updated_at: now })
      .where('object_id', '=', objectId)
      .execute()
  },

  async delete(db: Executor, objectId: string): Promise<boolean> {
    const result = await db
      .deleteFrom('idp_accounts')
      .where('object_id', '=', objectId)
      .executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  },
}

import type { IdpSigningKeyRow } from '../schema.js'
import type { Executor } from './executor.js'

export const idpSigningKeyRepository = {
  /** The current key first (newest unretired), then retired keys still valid for verification. */
  async listUsable(db: Executor, now: number): Promise<IdpSigningKeyRow[]> {
    return db
      .selectFrom('idp_signing_keys')
      .selectAll()
      .where((eb) => eb.or([eb('verify_until', 'is', null), eb('verify_until', '>', now)]))
      .orderBy((eb) => eb.case().when('retired_at', 'is', null).then(0).else(1).end())
      .orderBy('created_at', 'desc')
      .orderBy('kid')
      .execute()
  },

  async insert(db: Executor, row: IdpSigningKeyRow): Promise<void> {
    await db.insertInto('idp_signing_keys').values(row).execute()
  },

  /** Retires every key still signing; they stay published for verification until `verifyUntil`. */
  async retireCurrent(db: Executor, now: number, verifyUntil: number): Promise<number> {
    const result = await db
      .updateTable('idp_signing_keys')
      .set({ retired_at: now, verify_until: verifyUntil })
      .where('retired_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows)
  },

  async deleteExpired(db: Executor, now: number): Promise<number> {
    const result = await db
      .deleteFrom('idp_signing_keys')
      .where('verify_until', 'is not', null)
      .where('verify_until', '<=', now)
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  },
}

import type { Insertable } from 'kysely'
import type { ApiTokenRow } from '../schema.js'
import type { ApiTokenTable } from '../schema.js'
import type { Executor } from './executor.js'

export const apiTokenRepository = {
  async get(db: Executor, id: string): Promise<ApiTokenRow | undefined> {
    return db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst()
  },

  async list(db: Executor): Promise<ApiTokenRow[]> {
    return db.selectFrom('api_tokens').selectAll().orderBy('id').execute()
  },

  async insert(db: Executor, row: Insertable<ApiTokenTable>): Promise<void> {
    await db.insertInto('api_tokens').values(row).execute()
  },

  /**
   * Replaces the secret, keeping the one it replaces valid until `previousValidUntilMs`. Only if
   * the stored secret is still `expectedHash`: two concurrent rotations cannot both win.
   */
  async rotate(
    db: Executor,
    id: string,
    expectedHash: string,
    secretHash: string,
    previousValidUntilMs: number,
  ): Promise<boolean> {
    const result = await db
      .updateTable('api_tokens')
      .set({
        secret_hash: secretHash,
        previous_secret_hash: expectedHash,
        previous_valid_until_ms: previousValidUntilMs,
      })
      .where('id', '=', id)
      .where('secret_hash', '=', expectedHash)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  },

  async delete(db: Executor, id: string): Promise<boolean> {
    const result = await db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  },
}

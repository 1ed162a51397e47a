import type { ExpressionBuilder } from 'kysely'
import type { Database, IdpArtifactRow } from '../schema.js'
import type { Executor } from './executor.js'

/** Rows that have not expired at `now` (epoch seconds). */
const live = (now: number) => (eb: ExpressionBuilder<Database, 'idp_artifacts'>) =>
  eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)])

export const idpArtifactRepository = {
  /** The live row of `model` whose id, uid or user code is `value`. */
  async findBy(
    db: Executor,
    model: string,
    column: 'id' | 'uid' | 'user_code',
    value: string,
    now: number,
  ): Promise<IdpArtifactRow | undefined> {
    return db
      .selectFrom('idp_artifacts')
      .selectAll()
      .where('model', '=', model)
      .where(column, '=', value)
      .where(live(now))
      .executeTakeFirst()
  },

  async upsert(db: Executor, row: IdpArtifactRow): Promise<void> {
    const { model, id, ...values } = row
    await db
      .insertInto('idp_artifacts')
      .values(row)
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(values))
      .execute()
  },

  async consume(db: Executor, model: string, id: string, now: number): Promise<void> {
    await db
      .updateTable('idp_artifacts')
      .set({ consumed_at: now })
      .where('model', '=', model)
      .where('id', '=', id)
      .execute()
  },

  async delete(db: Executor, model: string, id: string): Promise<void> {
    await db.deleteFrom('idp_artifacts').where('model', '=', model).where('id', '=', id).execute()
  },

  async deleteByGrant(db: Executor, model: string, grantId: string): Promise<void> {
    await db
      .deleteFrom('idp_artifacts')
      .where('model', '=', model)
      .where('grant_id', '=', grantId)
      .execute()
  },

  /** Sessions, grants and tokens of one person (after a password change or deletion). */
  async deleteByAccount(db: Executor, accountId: string): Promise<void> {
    await db.deleteFrom('idp_artifacts').where('account_id', '=', accountId).execute()
  },

  async deleteExpired(db: Executor, now: number): Promise<number> {
    const result = await db
      .deleteFrom('idp_artifacts')
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', now)
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  },
}

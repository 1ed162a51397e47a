import type { DpsOperationRow } from '../tables/dps-operations.js'
import type { Executor } from './executor.js'

export const dpsOperationRepository = {
  /** The operation unless it expired before `now` (epoch seconds). */
  async get(db: Executor, id: string, now: number): Promise<DpsOperationRow | undefined> {
    return db
      .selectFrom('dps_operations')
      .selectAll()
      .where('id', '=', id)
      .where('expires_at', '>=', now)
      .executeTakeFirst()
  },

  async insert(db: Executor, row: DpsOperationRow): Promise<void> {
    await db.insertInto('dps_operations').values(row).execute()
  },

  /** Removes the operations that expired before `now` (epoch seconds). */
  async deleteExpired(db: Executor, now: number): Promise<void> {
    await db.deleteFrom('dps_operations').where('expires_at', '<', now).execute()
  },
}

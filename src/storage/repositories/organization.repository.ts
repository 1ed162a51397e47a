import type { OrganizationRow } from '../schema.js'
import type { Executor } from './executor.js'

export const organizationRepository = {
  /** Every organization, by id: there are at most 200. */
  async list(db: Executor): Promise<OrganizationRow[]> {
    return db.selectFrom('organizations').selectAll().orderBy('id').execute()
  },

  async upsert(db: Executor, row: OrganizationRow): Promise<void> {
    const { id, created_at, ...values } = row
    await db
      .insertInto('organizations')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute()
  },

  async delete(db: Executor, id: string): Promise<boolean> {
    const result = await db.deleteFrom('organizations').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  },
}

import type { DeviceTemplateRow } from '../schema.js'
import type { Executor } from './executor.js'

export const deviceTemplateRepository = {
  async get(db: Executor, id: string): Promise<DeviceTemplateRow | undefined> {
    return db.selectFrom('device_templates').selectAll().where('id', '=', id).executeTakeFirst()
  },

  async exists(db: Executor, id: string): Promise<boolean> {
    const row = await db
      .selectFrom('device_templates')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst()
    return row !== undefined
  },

  /** Which of `ids` name stored templates. */
  async existingIds(db: Executor, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set()
    const rows = await db
      .selectFrom('device_templates')
      .select('id')
      .where('id', 'in', ids)
      .execute()
    return new Set(rows.map((row) => row.id))
  },

  async page(db: Executor, afterId: string | null, limit: number): Promise<DeviceTemplateRow[]> {
    let query = db.selectFrom('device_templates').selectAll().orderBy('id').limit(limit)
    if (afterId !== null) query = query.where('id', '>', afterId)
    return query.execute()
  },

  async upsert(db: Executor, row: DeviceTemplateRow): Promise<void> {
    const { id, created_at, ...values } = row
    await db
      .insertInto('device_templates')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute()
  },

  async delete(db: Executor, id: string): Promise<boolean> {
    const result = await db.deleteFrom('device_templates').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  },
}

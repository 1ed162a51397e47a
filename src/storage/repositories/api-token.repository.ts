import type { ApiTokenRow } from '../schema.js'
import type { Executor } from './executor.js'

export const apiTokenRepository = {
  async get(db: Executor, id: string): Promise<ApiTokenRow | undefined> {
    return db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst()
  },

  async list(db: Executor): Promise<ApiTokenRow[]> {
    return db.selectFrom('api_tokens').selectAll().orderBy('id').execute()
  },

  async insert(db: Executor, row: ApiTokenRow): Promise<void> {
    await db.insertInto('api_tokens').values(row).execute()
  },

  async delete(db: Executor, id: string): Promise<boolean> {
    const result = await db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  },
}

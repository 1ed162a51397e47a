import type { Executor } from './executor.js'

export const applicationRepository = {
  async get(db: Executor): Promise<{ id: string } | undefined> {
    return db.selectFrom('application').select('id').executeTakeFirst()
  },

  async insert(db: Executor, id: string, now: number): Promise<void> {
    await db.insertInto('application').values({ id, created_at: now }).execute()
  },
}

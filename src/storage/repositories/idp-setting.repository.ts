import type { Executor } from './executor.js'

export const idpSettingRepository = {
  async get(db: Executor, name: string): Promise<string | undefined> {
    const row = await db
      .selectFrom('idp_settings')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirst()
    return row?.value
  },

  /** Keeps the value already there, if any (two nodes starting at once agree on the first one). */
  async insertIfAbsent(db: Executor, name: string, value: string): Promise<void> {
    await db
      .insertInto('idp_settings')
      .values({ name, value })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute()
  },
}

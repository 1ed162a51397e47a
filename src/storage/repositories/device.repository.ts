import type { DeviceRow } from '../schema.js'
import type { Store } from '../store.js'
import type { Executor } from './executor.js'
import { preparedRead } from './prepared-query.js'

const readById = preparedRead(
  (db, id: string) => db.selectFrom('devices').selectAll().where('id', '=', id),
  [''],
)

export const deviceRepository = {
  async get(db: Executor, id: string): Promise<DeviceRow | undefined> {
    return db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst()
  },

  /** The device as last committed, outside any transaction: the read behind GET. */
  async read(store: Store, id: string): Promise<DeviceRow | undefined> {
    return (await readById(store, id))[0]
  },

  /**
   * One page in id order after `afterId`: a keyset page costs the same wherever it starts.
   * `organizations` null reads every device; otherwise only those in the listed organizations.
   */
  async page(
    db: Executor,
    afterId: string | null,
    limit: number,
    organizations: readonly string[] | null = null,
  ): Promise<DeviceRow[]> {
    if (organizations !== null && organizations.length === 0) return []
    let query = db.selectFrom('devices').selectAll().orderBy('id').limit(limit)
    if (afterId !== null) query = query.where('id', '>', afterId)
    if (organizations !== null) query = query.where('organization_id', 'in', organizations)
    return query.execute()
  },

  async insert(db: Executor, row: DeviceRow): Promise<void> {
    await db.insertInto('devices').values(row).execute()
  },

  /** Writes the row only if its stored etag is still `expectedEtag`; false when it moved on. */
  async update(db: Executor, row: DeviceRow, expectedEtag: string): Promise<boolean> {
    const { id, created_at, ...values } = row
    const result = await db
      .updateTable('devices')
      .set(values)
      .where('id', '=', id)
      .where('etag', '=', expectedEtag)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  },

  async delete(db: Executor, id: string): Promise<boolean> {
    const result = await db.deleteFrom('devices').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  },

  async countInOrganization(db: Executor, organization: string): Promise<number> {
    return countWhere(db, 'organization_id', organization)
  },

  async countUsingTemplate(db: Executor, template: string): Promise<number> {
    return countWhere(db, 'template', template)
  },
}

async function countWhere(
  db: Executor,
  column: 'organization_id' | 'template',
  value: string,
): Promise<number> {
  const row = await db
    .selectFrom('devices')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where(column, '=', value)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

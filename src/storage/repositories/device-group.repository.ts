import type { Expression, ExpressionBuilder, SqlBool } from 'kysely'
import type { Database, DeviceRow } from '../schema.js'
import type { DeviceGroupRow } from '../tables/device-groups.js'
import { updateWhileEtag } from './etag-update.js'
import type { Executor } from './executor.js'
import { lockingRows } from './row-lock.js'

/** A compiled filter: the WHERE a group's devices satisfy (null: every device). */
export type DeviceFilter = {
  /** The condition; `useIndexes` false asks the engine to check it row by row (see compile.ts). */
  where(eb: ExpressionBuilder<Database, 'devices'>, useIndexes: boolean): Expression<SqlBool>
  /** Whether an index can hand over its devices in id order (equalities joined by AND). */
  indexable: boolean
} | null

export const deviceGroupRepository = {
  async get(db: Executor, id: string): Promise<DeviceGroupRow | undefined> {
    return db.selectFrom('device_groups').selectAll().where('id', '=', id).executeTakeFirst()
  },

  /** The device group about to be written in this transaction, locked until it ends (see lockingRows). */
  async getForUpdate(db: Executor, id: string): Promise<DeviceGroupRow | undefined> {
    return lockingRows(db, db.selectFrom('device_groups').selectAll().where('id', '=', id)).executeTakeFirst()
  },

  /** One page in id order after `afterId`; `organizations` null reads every group, else those in the list. */
  async page(
    db: Executor,
    afterId: string | null,
    limit: number,
    organizations: readonly string[] | null,
    includeRoot: boolean,
  ): Promise<DeviceGroupRow[]> {
    let query = db.selectFrom('device_groups').selectAll().orderBy('id').limit(limit)
    if (afterId !== null) query = query.where('id', '>', afterId)
    if (organizations !== null) {
      // At most 1,000 groups and 200 organizations: a plain IN is cheap here.
      const within = [...organizations]
      query = query.where((eb) =>
        eb.or([
          ...(within.length > 0 ? [eb('organization_id', 'in', within)] : []),
          ...(includeRoot ? [eb('organization_id', 'is', null)] : []),
          ...(within.length === 0 && !includeRoot ? [eb.lit(false)] : []),
        ]),
      )
    }
    return query.execute()
  },

  async count(db: Executor): Promise<number> {
    const row = await db
      .selectFrom('device_groups')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow()
    return Number(row.count)
  },

  async countInOrganization(db: Executor, organization: string): Promise<number> {
    const row = await db
      .selectFrom('device_groups')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('organization_id', '=', organization)
      .executeTakeFirstOrThrow()
    return Number(row.count)
  },

  async insert(db: Executor, row: DeviceGroupRow): Promise<void> {
    await db.insertInto('device_groups').values(row).execute()
  },

  /** Writes the row only if its stored etag is still `expectedEtag`; false when it moved on. */
  update(db: Executor, row: DeviceGroupRow, expectedEtag: string): Promise<boolean> {
    return updateWhileEtag(db, 'device_groups', row, expectedEtag)
  },

  async delete(db: Executor, id: string): Promise<boolean> {
    const result = await db.deleteFrom('device_groups').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  },

  /**
   * The devices matching `filter`, in id order after `afterId`, at most `limit`; `organizations`
   * null reads devices anywhere (the root's included), otherwise only those in the listed
   * organizations. Each organization is read as its own index range of at most a page and the
   * ranges merged, as the device list does, so a page costs the same wherever it starts.
   *
   * Which index leads: the organization's (organization_id, id) when there are organizations;
   * otherwise one ending in id that the filter's equalities select ((template, id), (flag, id), …)
   * when it is such a conjunction; otherwise the id itself, the filter checked on each row.
   */
  async devicePage(
    db: Executor,
    filter: DeviceFilter,
    afterId: string | null,
    limit: number,
    organizations: readonly string[] | null,
  ): Promise<DeviceRow[]> {
    const pageWhere = (organization?: string) => {
      let query = db.selectFrom('devices').selectAll().orderBy('id').limit(limit)
      if (afterId !== null) query = query.where('id', '>', afterId)
      if (organization !== undefined) query = query.where('organization_id', '=', organization)
      if (filter !== null) {
        const useIndexes = organization === undefined && filter.indexable
        query = query.where((eb) => filter.where(eb, useIndexes))
      }
      return query
    }
    if (organizations === null) return pageWhere().execute()
    const [first, ...others] = organizations.map((organization) =>
      db.selectFrom(pageWhere(organization).as('page')).selectAll(),
    )
    if (first === undefined) return []
    return others
      .reduce((merged, next) => merged.unionAll(next), first)
      .orderBy('id')
      .limit(limit)
      .execute()
  },
}

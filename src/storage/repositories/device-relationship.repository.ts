import type { DeviceRelationshipRow } from '../tables/device-relationships.js'
import type { Executor } from './executor.js'
import { lockingRows } from './row-lock.js'

type End = 'source_id' | 'target_id'

export const deviceRelationshipRepository = {
  async get(db: Executor, id: string): Promise<DeviceRelationshipRow | undefined> {
    return db.selectFrom('device_relationships').selectAll().where('id', '=', id).executeTakeFirst()
  },

  /** The relationship about to be written in this transaction, locked until it ends (see lockingRows). */
  async getForUpdate(db: Executor, id: string): Promise<DeviceRelationshipRow | undefined> {
    return lockingRows(db, db.selectFrom('device_relationships').selectAll().where('id', '=', id)).executeTakeFirst()
  },

  /** The relationship from `source` to `target`, whatever its id. */
  async findPair(db: Executor, source: string, target: string): Promise<DeviceRelationshipRow | undefined> {
    return db
      .selectFrom('device_relationships')
      .selectAll()
      .where('source_id', '=', source)
      .where('target_id', '=', target)
      .executeTakeFirst()
  },

  /**
   * One page, in id order after `afterId`, of the relationships `device` is either end of, whose
   * other end is a device in `organizations` (null: any device, the root's included).
   */
  async pageForDevice(
    db: Executor,
    device: string,
    afterId: string | null,
    limit: number,
    organizations: readonly string[] | null,
  ): Promise<DeviceRelationshipRow[]> {
    if (organizations !== null && organizations.length === 0) return []
    const side = (end: End, other: End) => {
      let query = db
        .selectFrom('device_relationships as r')
        .innerJoin('devices as d', 'd.id', `r.${other}`)
        .selectAll('r')
        .where(`r.${end}`, '=', device)
        .orderBy('r.id')
        .limit(limit)
      if (afterId !== null) query = query.where('r.id', '>', afterId)
      if (organizations !== null) query = query.where('d.organization_id', 'in', organizations)
      return db.selectFrom(query.as('side')).selectAll()
    }
    return side('source_id', 'target_id')
      .unionAll(side('target_id', 'source_id'))
      .orderBy('id')
      .limit(limit)
      .execute()
  },

  async insert(db: Executor, row: DeviceRelationshipRow): Promise<void> {
    await db.insertInto('device_relationships').values(row).execute()
  },

  async update(db: Executor, row: DeviceRelationshipRow): Promise<void> {
    const { id, created_at, ...values } = row
    await db.updateTable('device_relationships').set(values).where('id', '=', id).execute()
  },

  async delete(db: Executor, id: string): Promise<boolean> {
    const result = await db.deleteFrom('device_relationships').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  },

  /** Removes every relationship `device` is either end of (the device is being deleted). */
  async deleteForDevice(db: Executor, device: string): Promise<void> {
    await db
      .deleteFrom('device_relationships')
      .where((eb) => eb.or([eb('source_id', '=', device), eb('target_id', '=', device)]))
      .execute()
  },
}

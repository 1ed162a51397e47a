import type { DeviceRow } from '../schema.js'
import type { Store } from '../store.js'
import { updateWhileEtag } from './etag-update.js'
import type { Executor } from './executor.js'
import { preparedRowRead } from './prepared-query.js'
import { lockingRows } from './row-lock.js'

const readById = preparedRowRead(
  (db, id: string) => db.selectFrom('devices').selectAll().where('id', '=', id),
  [''],
)

/** SQLite binds at most 32766 parameters a statement (PostgreSQL 65535); a device row binds 10. */
const SQLITE_MAX_PARAMETERS = 32766
const DEVICE_COLUMNS = 10

/** The most rows one `insertMany` or `upsertMany` statement may carry. */
export const MAX_DEVICES_PER_STATEMENT = Math.floor(SQLITE_MAX_PARAMETERS / DEVICE_COLUMNS)

/** The columns a bulk import may replace in an existing device. */
export type ReplaceableDeviceColumn =
  | 'display_name'
  | 'template'
  | 'enabled'
  | 'simulated'
  | 'organization_id'

export const deviceRepository = {
  async get(db: Executor, id: string): Promise<DeviceRow | undefined> {
    return db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst()
  },

  /** The device about to be written in this transaction, locked until it ends (see lockingRows). */
  async getForUpdate(db: Executor, id: string): Promise<DeviceRow | undefined> {
    return lockingRows(db, db.selectFrom('devices').selectAll().where('id', '=', id)).executeTakeFirst()
  },

  /**
   * The device as last committed, outside any transaction: the read behind GET. Synchronous
   * where the engine is (SQLite), so the hot path does not wait a microtask turn for it.
   */
  read(store: Store, id: string): DeviceRow | undefined | Promise<DeviceRow | undefined> {
    return readById(store, id)
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
    if (organizations === null) return pageWhere(db, afterId, limit).execute()
    // One index range per organization, each at most a page, merged: `organization_id IN (…)`
    // would read and sort every device of those organizations after the cursor, so a page of a
    // large organization tree would cost as much as all the devices left in it.
    const [first, ...others] = organizations.map((organization) =>
      db.selectFrom(pageWhere(db, afterId, limit, organization).as('page')).selectAll(),
    )
    if (first === undefined) return []
    return others
      .reduce((merged, next) => merged.unionAll(next), first)
      .orderBy('id')
      .limit(limit)
      .execute()
  },

  async insert(db: Executor, row: DeviceRow): Promise<void> {
    await db.insertInto('devices').values(row).execute()
  },

  /**
   * Inserts, in one statement (at most MAX_DEVICES_PER_STATEMENT rows), the rows whose id is
   * free, leaving existing devices as they are; answers how many were inserted.
   */
  async insertNew(db: Executor, rows: readonly DeviceRow[]): Promise<number> {
    if (rows.length === 0) return 0
    const result = await db
      .insertInto('devices')
      .values(rows)
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0)
  },

  /**
   * Inserts the rows, replacing the writable members of those whose id exists; an existing
   * device keeps its creation time and provisioned state.
   */
  /**
   * Inserts the rows; a row whose id exists replaces only the `replace` columns of that device
   * (and its etag and update time): an import file without a column leaves that field as it is.
   */
  async upsertMany(
    db: Executor,
    rows: readonly DeviceRow[],
    replace: readonly ReplaceableDeviceColumn[],
  ): Promise<void> {
    if (rows.length === 0) return
    await db
      .insertInto('devices')
      .values(rows)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          ...Object.fromEntries(replace.map((column) => [column, eb.ref(`excluded.${column}`)])),
          etag: eb.ref('excluded.etag'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute()
  },

  /** Which of `ids` name stored devices. */
  async existingIds(db: Executor, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set()
    const rows = await db.selectFrom('devices').select('id').where('id', 'in', ids).execute()
    return new Set(rows.map((row) => row.id))
  },

  /** Writes the row only if its stored etag is still `expectedEtag`; false when it moved on. */
  update(db: Executor, row: DeviceRow, expectedEtag: string): Promise<boolean> {
    return updateWhileEtag(db, 'devices', row, expectedEtag)
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

/** Devices in id order after `afterId`, at most `limit`, all or those of one organization. */
function pageWhere(db: Executor, afterId: string | null, limit: number, organization?: string) {
  let query = db.selectFrom('devices').selectAll().orderBy('id').limit(limit)
  if (afterId !== null) query = query.where('id', '>', afterId)
  if (organization !== undefined) query = query.where('organization_id', '=', organization)
  return query
}

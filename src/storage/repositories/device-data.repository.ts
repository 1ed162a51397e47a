import { sql } from 'kysely'
import type { Executor } from './executor.js'
import type {
  DeviceCommandRow,
  DevicePropertyRow,
  DeviceTelemetryRow,
} from '../tables/device-data.js'

export type PropertyColumn = Exclude<keyof DevicePropertyRow, 'device_id' | 'module' | 'component' | 'name'>

export const deviceDataRepository = {
  async properties(db: Executor, deviceId: string, module: string): Promise<DevicePropertyRow[]> {
    return db
      .selectFrom('device_properties')
      .selectAll()
      .where('device_id', '=', deviceId)
      .where('module', '=', module)
      .execute()
  },

  /**
   * Inserts the property, or sets only `columns` of the stored one: the cloud's writes and the
   * device's reports touch different columns, so neither undoes the other.
   */
  async upsertProperty(
    db: Executor,
    row: DevicePropertyRow,
    columns: readonly PropertyColumn[],
  ): Promise<void> {
    const values = Object.fromEntries(columns.map((column) => [column, row[column]]))
    await db
      .insertInto('device_properties')
      .values(row)
      .onConflict((oc) => oc.columns(['device_id', 'module', 'component', 'name']).doUpdateSet(values))
      .execute()
  },

  /**
   * Counts one more change of the desired properties, in one statement (concurrent writers each
   * get their own version, and wait for each other); answers the new version. The first is 2:
   * version 1 is the empty document every device starts with.
   */
  async nextDesiredVersion(db: Executor, deviceId: string, module: string): Promise<number> {
    const row = await db
      .insertInto('device_twins')
      .values({ device_id: deviceId, module, desired_version: 2 })
      .onConflict((oc) =>
        oc.columns(['device_id', 'module']).doUpdateSet({ desired_version: sql`device_twins.desired_version + 1` }),
      )
      .returning('desired_version')
      .executeTakeFirstOrThrow()
    return Number(row.desired_version)
  },

  async desiredVersion(db: Executor, deviceId: string, module: string): Promise<number> {
    const current = await db
      .selectFrom('device_twins')
      .select('desired_version')
      .where('device_id', '=', deviceId)
      .where('module', '=', module)
      .executeTakeFirst()
    return Number(current?.desired_version ?? 1)
  },

  async telemetry(
    db: Executor,
    deviceId: string,
    module: string,
    component: string,
    name: string,
  ): Promise<DeviceTelemetryRow | undefined> {
    return db
      .selectFrom('device_telemetry')
      .selectAll()
      .where('device_id', '=', deviceId)
      .where('module', '=', module)
      .where('component', '=', component)
      .where('name', '=', name)
      .executeTakeFirst()
  },

  async insertCommand(db: Executor, row: DeviceCommandRow): Promise<void> {
    await db.insertInto('device_commands').values(row).execute()
  },

  /** One command's runs, most recent first, after the (time, id) cursor. */
  async commandPage(
    db: Executor,
    key: { deviceId: string; module: string; component: string; name: string },
    after: { time: number; id: string } | null,
    limit: number,
  ): Promise<DeviceCommandRow[]> {
    let query = db
      .selectFrom('device_commands')
      .selectAll()
      .where('device_id', '=', key.deviceId)
      .where('module', '=', key.module)
      .where('component', '=', key.component)
      .where('name', '=', key.name)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
    if (after !== null) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', after.time),
          eb.and([eb('created_at', '=', after.time), eb('id', '<', after.id)]),
        ]),
      )
    }
    return query.execute()
  },

  /** Everything stored about a device (it is being deleted). */
  async deleteDevice(db: Executor, deviceId: string): Promise<void> {
    await db.deleteFrom('device_properties').where('device_id', '=', deviceId).execute()
    await db.deleteFrom('device_telemetry').where('device_id', '=', deviceId).execute()
    await db.deleteFrom('telemetry_messages').where('device_id', '=', deviceId).execute()
    await db.deleteFrom('device_connections').where('device_id', '=', deviceId).execute()
    await db.deleteFrom('device_commands').where('device_id', '=', deviceId).execute()
    await db.deleteFrom('device_twins').where('device_id', '=', deviceId).execute()
  },
}

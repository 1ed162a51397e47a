import type { Executor } from './executor.js'
import type {
  DeviceCommandRow,
  DevicePropertyRow,
  DeviceTelemetryRow,
} from '../tables/device-data.js'

export const deviceDataRepository = {
  async properties(db: Executor, deviceId: string, module: string): Promise<DevicePropertyRow[]> {
    return db
      .selectFrom('device_properties')
      .selectAll()
      .where('device_id', '=', deviceId)
      .where('module', '=', module)
      .execute()
  },

  async upsertProperty(db: Executor, row: DevicePropertyRow): Promise<void> {
    const { device_id, module, component, name, ...values } = row
    await db
      .insertInto('device_properties')
      .values(row)
      .onConflict((oc) => oc.columns(['device_id', 'module', 'component', 'name']).doUpdateSet(values))
      .execute()
  },

  /** Counts one more change of the desired properties; answers the new version. */
  async nextDesiredVersion(db: Executor, deviceId: string, module: string): Promise<number> {
    const current = await db
      .selectFrom('device_twins')
      .select('desired_version')
      .where('device_id', '=', deviceId)
      .where('module', '=', module)
      .executeTakeFirst()
    const version = Number(current?.desired_version ?? 1) + 1
    if (current) {
      await db
        .updateTable('device_twins')
        .set({ desired_version: version })
        .where('device_id', '=', deviceId)
        .where('module', '=', module)
        .execute()
    } else {
      await db.insertInto('device_twins').values({ device_id: deviceId, module, desired_version: version }).execute()
    }
    return version
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

  /** Keeps `row` unless a later value is already stored. */
  async recordTelemetry(db: Executor, row: DeviceTelemetryRow): Promise<void> {
    await db
      .insertInto('device_telemetry')
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(['device_id', 'module', 'component', 'name'])
          .doUpdateSet({ value: row.value, timestamp: row.timestamp })
          .where('device_telemetry.timestamp', '<=', row.timestamp),
      )
      .execute()
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
    await db.deleteFrom('device_commands').where('device_id', '=', deviceId).execute()
    await db.deleteFrom('device_twins').where('device_id', '=', deviceId).execute()
  },
}

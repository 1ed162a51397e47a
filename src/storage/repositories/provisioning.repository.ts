import type {
  DeviceAttestationRow,
  EnrollmentGroupCertificateRow,
  EnrollmentGroupRow,
} from '../tables/provisioning.js'
import { updateWhileEtag } from './etag-update.js'
import type { Executor } from './executor.js'
import { lockingRows } from './row-lock.js'

export const provisioningSettingsRepository = {
  async get(db: Executor, name: string): Promise<string | undefined> {
    const row = await db
      .selectFrom('provisioning_settings')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirst()
    return row?.value
  },

  /** Inserts the setting unless it exists; true when this call inserted it. */
  async insertNew(db: Executor, name: string, value: string): Promise<boolean> {
    const result = await db
      .insertInto('provisioning_settings')
      .values({ name, value })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
  },
}

export const enrollmentGroupRepository = {
  async get(db: Executor, id: string): Promise<EnrollmentGroupRow | undefined> {
    return db.selectFrom('enrollment_groups').selectAll().where('id', '=', id).executeTakeFirst()
  },

  /** The enrollment group about to be written in this transaction, locked until it ends (see lockingRows). */
  async getForUpdate(db: Executor, id: string): Promise<EnrollmentGroupRow | undefined> {
    return lockingRows(db, db.selectFrom('enrollment_groups').selectAll().where('id', '=', id)).executeTakeFirst()
  },

  /** One page in id order after `afterId` (keyset). */
  async page(db: Executor, afterId: string | null, limit: number): Promise<EnrollmentGroupRow[]> {
    let query = db.selectFrom('enrollment_groups').selectAll().orderBy('id').limit(limit)
    if (afterId !== null) query = query.where('id', '>', afterId)
    return query.execute()
  },

  /** The enabled groups of one attestation type, in id order. */
  async enabled(db: Executor, attestationType: 'symmetricKey' | 'x509'): Promise<EnrollmentGroupRow[]> {
    return db
      .selectFrom('enrollment_groups')
      .selectAll()
      .where('enabled', '=', 1)
      .where('attestation_type', '=', attestationType)
      .orderBy('id')
      .execute()
  },

  async insert(db: Executor, row: EnrollmentGroupRow): Promise<void> {
    await db.insertInto('enrollment_groups').values(row).execute()
  },

  /** Writes the row only if its stored etag is still `expectedEtag`; false when it moved on. */
  update(db: Executor, row: EnrollmentGroupRow, expectedEtag: string): Promise<boolean> {
    return updateWhileEtag(db, 'enrollment_groups', row, expectedEtag)
  },

  /** Deletes the group and its certificates. */
  async delete(db: Executor, id: string): Promise<void> {
    await db.deleteFrom('enrollment_group_certificates').where('group_id', '=', id).execute()
    await db.deleteFrom('enrollment_groups').where('id', '=', id).execute()
  },
}

export const groupCertificateRepository = {
  async get(db: Executor, groupId: string, entry: string): Promise<EnrollmentGroupCertificateRow | undefined> {
    return db
      .selectFrom('enrollment_group_certificates')
      .selectAll()
      .where('group_id', '=', groupId)
      .where('entry', '=', entry)
      .executeTakeFirst()
  },

  async ofGroup(db: Executor, groupId: string): Promise<EnrollmentGroupCertificateRow[]> {
    return db
      .selectFrom('enrollment_group_certificates')
      .selectAll()
      .where('group_id', '=', groupId)
      .orderBy('entry')
      .execute()
  },

  async ofGroups(db: Executor, groupIds: readonly string[]): Promise<EnrollmentGroupCertificateRow[]> {
    if (groupIds.length === 0) return []
    return db
      .selectFrom('enrollment_group_certificates')
      .selectAll()
      .where('group_id', 'in', groupIds)
      .orderBy('group_id')
      .orderBy('entry')
      .execute()
  },

  async upsert(db: Executor, row: EnrollmentGroupCertificateRow): Promise<void> {
    const { group_id, entry, created_at, ...values } = row
    await db
      .insertInto('enrollment_group_certificates')
      .values(row)
      .onConflict((oc) => oc.columns(['group_id', 'entry']).doUpdateSet(values))
      .execute()
  },

  async delete(db: Executor, groupId: string, entry: string): Promise<boolean> {
    const result = await db
      .deleteFrom('enrollment_group_certificates')
      .where('group_id', '=', groupId)
      .where('entry', '=', entry)
      .executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  },

  async deleteOfGroup(db: Executor, groupId: string): Promise<void> {
    await db.deleteFrom('enrollment_group_certificates').where('group_id', '=', groupId).execute()
  },
}

export const deviceAttestationRepository = {
  async get(db: Executor, deviceId: string): Promise<DeviceAttestationRow | undefined> {
    return db
      .selectFrom('device_attestations')
      .selectAll()
      .where('device_id', '=', deviceId)
      .executeTakeFirst()
  },

  async upsert(db: Executor, row: DeviceAttestationRow): Promise<void> {
    const { device_id, created_at, ...values } = row
    await db
      .insertInto('device_attestations')
      .values(row)
      .onConflict((oc) => oc.column('device_id').doUpdateSet(values))
      .execute()
  },

  async delete(db: Executor, deviceId: string): Promise<boolean> {
    const result = await db
      .deleteFrom('device_attestations')
      .where('device_id', '=', deviceId)
      .executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  },
}

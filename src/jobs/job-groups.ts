import type { DeviceRow } from '../storage/schema.js'
import { AppError } from '../errors/app-error.js'
import type { Executor } from '../storage/repositories/executor.js'

/** What jobs need to know of device groups: where a group lives, and its members a page at a time. */
export interface JobGroups {
  /**
   * The group's organization (`null`: the root), or `undefined` when no such group exists; read
   * through `db`, the transaction of the write that asks.
   */
  organizationOf(groupId: string, db: Executor): Promise<string | null | undefined>
  /** The group's devices in id order after `after` (exclusive), at most `limit`. */
  membersPage(groupId: string, after: string | null, limit: number): Promise<DeviceRow[]>
}

/** Before any device group exists to read, no group exists. */
export const noGroups: JobGroups = {
  async organizationOf() {
    return undefined
  },
  async membersPage() {
    return []
  },
}

/** The device groups' own service, as jobs see it. */
export interface DeviceGroupMembers {
  membersPage(groupId: string, after: string | null, limit: number): Promise<DeviceRow[]>
}

/**
 * Jobs over the application's device groups: where a group lives is read from its row; its members
 * come from the device-group service (a group deleted while a job copies its members has none left).
 */
export function jobGroupsOf(groups: DeviceGroupMembers): JobGroups {
  return {
    async organizationOf(groupId, db) {
      const row = await db
        .selectFrom('device_groups')
        .select('organization_id')
        .where('id', '=', groupId)
        .executeTakeFirst()
      return row === undefined ? undefined : row.organization_id
    },
    async membersPage(groupId, after, limit) {
      try {
        return await groups.membersPage(groupId, after, limit)
      } catch (error) {
        if (error instanceof AppError && error.code === 'NotFound') return []
        throw error
      }
    },
  }
}

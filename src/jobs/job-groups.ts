import type { DeviceRow } from '../storage/schema.js'

/** What jobs need to know of device groups: where a group lives, and its members a page at a time. */
export interface JobGroups {
  /** The group's organization (`null`: the root), or `undefined` when no such group exists. */
  organizationOf(groupId: string): Promise<string | null | undefined>
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

/** The store's tables for device groups, as Kysely sees them (see ../schema.ts for the conventions). */
export interface DeviceGroupTables {
  device_groups: DeviceGroupTable
}

export interface DeviceGroupTable {
  id: string
  display_name: string
  description: string | null
  /** the filter as the client wrote it (`SELECT * FROM devices WHERE …`) */
  filter: string
  /** null: the application's root (the group may hold every device) */
  organization_id: string | null
  etag: string
  created_at: number
  updated_at: number
}

/** A stored device group (every column is plain: no defaults). */
export type DeviceGroupRow = DeviceGroupTable

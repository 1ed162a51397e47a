import type { Selectable } from 'kysely'

/** The store's tables for device relationships, as Kysely sees them (see ../schema.ts for the conventions). */
export interface DeviceRelationshipTables {
  device_relationships: DeviceRelationshipTable
}

export interface DeviceRelationshipTable {
  id: string
  /** the gateway device */
  source_id: string
  /** the downstream device */
  target_id: string
  /** the name of the source template's Relationship declaration that allowed it */
  name: string | null
  created_at: number
  updated_at: number
}

export type DeviceRelationshipRow = Selectable<DeviceRelationshipTable>

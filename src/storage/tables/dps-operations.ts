import type { Selectable } from 'kysely'

/** The store's table of provisioning operations (see ../schema.ts for the conventions). */
export interface DpsOperationTables {
  dps_operations: DpsOperationTable
}

/**
 * One registration operation, from the `202 assigning` answer until it expires: a device polls it
 * (possibly through another node) to read the assignment.
 */
export interface DpsOperationTable {
  /** the operation id the device polls with */
  id: string
  registration_id: string
  /** the `registrationState` of the final answer, JSON (holds no secret) */
  registration_state: string
  created_at: number
  /** epoch seconds after which the operation is gone */
  expires_at: number
}

export type DpsOperationRow = Selectable<DpsOperationTable>

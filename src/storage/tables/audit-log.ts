import type { Selectable } from 'kysely'

/** The audit log's table, as Kysely sees it (see ../schema.ts for the conventions). */
export interface AuditLogTables {
  audit_log: AuditLogTable
}

export interface AuditLogTable {
  /** `<at_ms, 15 digits>-<random>`: id order is time order */
  id: string
  at_ms: number
  /** `apiToken`, `user`, `operator` (the CLI, with direct access to the store) or `anonymous` */
  actor_type: string
  /** token id or user id; for failed authentication, the id the credential claimed (unverified) */
  actor_id: string | null
  /** `<resource>.<verb>` (`apiToken.create`, `user.delete`) or `auth.failure` / `auth.denied` */
  action: string
  target: string | null
  client_address: string | null
  request_id: string | null
  /** `success`, `denied` or `failed` */
  outcome: string
  /** the HTTP status of a refusal or failure; null on success */
  status: number | null
  /** how many events the row stands for (aggregated authentication failures), else 1 */
  count: number
}

export type AuditLogRow = Selectable<AuditLogTable>

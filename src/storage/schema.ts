import type { Generated, Insertable, Selectable } from 'kysely'
import type { DeviceDataTables } from './tables/device-data.js'
import type { DeviceGroupTables } from './tables/device-groups.js'
import type { DeviceRelationshipTables } from './tables/device-relationships.js'
import type { DpsOperationTables } from './tables/dps-operations.js'
import type { FileUploadTables } from './tables/file-uploads.js'
import type { JobTables } from './tables/jobs.js'
import type { RateLimitTables } from './tables/rate-limits.js'
import type { ProvisioningTables } from './tables/provisioning.js'
import type { StoredKeyTables } from './tables/stored-keys.js'
import type { AuditLogTables } from './tables/audit-log.js'
import type { TelemetrySeriesTables } from './tables/device-telemetry-series.js'
import type { DeviceConnectionTables } from './tables/device-connections.js'

/**
 * The store's tables, as Kysely sees them. Timestamps are integers on both engines:
 * epoch seconds for `*_at`, epoch milliseconds where IoT Central speaks in milliseconds (`se`).
 * Booleans are stored as 0/1 integers on both engines.
 */
export interface Database
  extends DeviceGroupTables,
    ProvisioningTables,
    DeviceRelationshipTables,
    FileUploadTables,
    JobTables,
    DeviceDataTables,
    StoredKeyTables,
    DpsOperationTables,
    AuditLogTables,
    TelemetrySeriesTables,
    DeviceConnectionTables,
    RateLimitTables {
  application: ApplicationTable
  roles: RoleTable
  role_assignments: RoleAssignmentTable
  api_tokens: ApiTokenTable
  users: UserTable
  devices: DeviceTable
  device_templates: DeviceTemplateTable
  organizations: OrganizationTable
  idp_settings: IdpSettingTable
  idp_signing_keys: IdpSigningKeyTable
  idp_service_principals: IdpServicePrincipalTable
  idp_accounts: IdpAccountTable
  idp_artifacts: IdpArtifactTable
}

export interface ApplicationTable {
  id: string
  created_at: number
}

export interface RoleTable {
  id: string
  display_name: string
  /** `application` or `organization` */
  type: string
  builtin: number
  /** JSON array of permission names */
  permissions: string
  created_at: number
}

export interface RoleAssignmentTable {
  /** `apiToken` or `user` */
  principal_type: string
  principal_id: string
  position: number
  role_id: string
  organization_id: string | null
}

export interface ApiTokenTable {
  id: string
  /** sha-256 of the secret, hex */
  secret_hash: string
  expires_at_ms: number
  created_at: number
  /** free text the creator gave (an extension) */
  description: string | null
  /** sha-256 of the secret a rotation replaced, hex; accepted until `previous_valid_until_ms` */
  previous_secret_hash: string | null
  previous_valid_until_ms: number | null
  /** when the token last authenticated a request, to the minute (written off the request path) */
  last_used_at_ms: number | null
  last_used_address: string | null
}

export interface UserTable {
  id: string
  /** `email`, `servicePrincipal` or `adGroup` */
  type: string
  email: string | null
  /** lower-cased email, for uniqueness */
  email_key: string | null
  tenant_id: string | null
  object_id: string | null
  /** for email users: the directory identity bound on first sign-in */
  bound_tenant_id: string | null
  bound_object_id: string | null
  created_at: number
  /** when the user last authenticated a request, to the minute (written off the request path) */
  last_used_at_ms: number | null
  last_used_address: string | null
}

export interface DeviceTable {
  id: string
  display_name: string
  template: string | null
  enabled: number
  provisioned: number
  simulated: number
  organization_id: string | null
  etag: string
  created_at: number
  updated_at: number
}

export interface DeviceTemplateTable {
  id: string
  display_name: string | null
  /** the whole template document as the client sent it (JSON) */
  document: string
  etag: string
  created_at: number
  updated_at: number
}

export interface OrganizationTable {
  id: string
  display_name: string
  /** null for a top-level organization */
  parent_id: string | null
  created_at: number
}

export interface IdpSettingTable {
  /** `tenantId`, `cookieKeys` */
  name: string
  value: string
}

export interface IdpSigningKeyTable {
  kid: string
  /** the private JWK (JSON) */
  private_jwk: string
  created_at: number
  /** set when a newer key took over signing */
  retired_at: number | null
  /** a retired key is published for verification until then, and dropped after */
  verify_until: number | null
}

export interface IdpServicePrincipalTable {
  /** the client_id */
  app_id: string
  object_id: string
  display_name: string
  /** lower-cased display name, for uniqueness */
  name_key: string
  /** sha-256 of the secret, hex; empty for a principal that proves itself with a certificate */
  secret_hash: string
  /** the public certificate (PEM) whose key signs its client assertions; null for a secret */
  certificate_pem: string | null
  /** when the secret stops working, epoch seconds; null for no end date */
  secret_expires_at: number | null
  created_at: number
}

export interface IdpAccountTable {
  object_id: string
  email: string
  /** lower-cased email, for uniqueness */
  email_key: string
  display_name: string | null
  /** `scrypt$<N>$<r>$<p>$<salt>$<hash>` (base64url) */
  password_hash: string
  created_at: number
  updated_at: number
}

export interface IdpArtifactTable {
  /** oidc-provider's model name: Session, Grant, DeviceCode, Interaction, RefreshToken, … */
  model: string
  id: string
  /** the payload oidc-provider gave (JSON) */
  payload: string
  grant_id: string | null
  user_code: string | null
  uid: string | null
  account_id: string | null
  /** epoch seconds; null never expires */
  expires_at: number | null
  consumed_at: number | null
}

export type RoleRow = Selectable<RoleTable>
export type RoleAssignmentRow = Selectable<RoleAssignmentTable>
export type ApiTokenRow = Selectable<ApiTokenTable>
export type UserRow = Selectable<UserTable>
export type NewUserRow = Insertable<UserTable>
export type DeviceRow = Selectable<DeviceTable>
export type DeviceTemplateRow = Selectable<DeviceTemplateTable>
export type OrganizationRow = Selectable<OrganizationTable>
export type IdpSigningKeyRow = Selectable<IdpSigningKeyTable>
export type IdpServicePrincipalRow = Selectable<IdpServicePrincipalTable>
export type IdpAccountRow = Selectable<IdpAccountTable>
export type IdpArtifactRow = Selectable<IdpArtifactTable>
export type { Generated }

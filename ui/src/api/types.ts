export interface RoleAssignment {
  role: string
  organization?: string
}

export interface Caller {
  principal: { type: string; id: string }
  roles: RoleAssignment[]
  permissions: { application: string[]; organizations: Record<string, string[]> }
}

export interface ApiToken {
  id: string
  roles: RoleAssignment[]
  expiry: string
  description?: string
  createdAt?: string
  lastUsedAt?: string
  lastUsedAddress?: string
  /** Expires within 14 days. */
  expiringSoon?: boolean
  token?: string
}

export interface AuditRecord {
  id: string
  time: string
  actor: { type: string; id?: string }
  action: string
  target?: string
  clientAddress?: string
  requestId?: string
  outcome: 'success' | 'denied' | 'failed'
  status?: number
  count: number
}

export interface Role {
  id: string
  displayName: string
  type?: 'application' | 'organization'
  permissions?: string[]
}

export interface User {
  id: string
  type: 'email' | 'servicePrincipal' | 'adGroup'
  email?: string
  tenantId?: string
  objectId?: string
  roles: RoleAssignment[]
}

export interface Organization {
  id: string
  displayName: string
  parent?: string
}

export interface Device {
  id: string
  displayName?: string
  template?: string
  organizations?: string[]
  enabled?: boolean
  simulated?: boolean
  provisioned?: boolean
}

export interface DeviceTemplate {
  '@id': string
  displayName?: string | Record<string, string>
  capabilityModel?: unknown
}

export interface Page<T> {
  value: T[]
  nextLink?: string
}

export interface DeviceGroup {
  id: string
  displayName: string
  description?: string
  filter: string
  organizations?: string[]
  etag?: string
}

export interface SymmetricKey {
  primaryKey: string
  secondaryKey: string
}

export interface EnrollmentGroup {
  id: string
  displayName: string
  enabled?: boolean
  type: 'iot' | 'iotEdge'
  attestation: {
    type: 'symmetricKey' | 'x509'
    symmetricKey?: SymmetricKey
    x509?: { signingCertificates?: Record<string, SigningCertificate | undefined> }
  }
  etag?: string
}

export interface SigningCertificate {
  verified?: boolean
  certificate?: string
  info?: { sha1Thumbprint?: string }
  etag?: string
}

export interface DeviceCredentials {
  idScope: string
  symmetricKey?: SymmetricKey
  x509?: { clientCertificates?: Record<string, { info?: { sha1Thumbprint?: string } } | undefined> }
  tpm?: { endorsementKey?: string }
}

export type JobDataType = 'cloudProperty' | 'property' | 'command' | 'deviceTemplateMigration'

export interface JobData {
  type: JobDataType
  target?: string
  path?: string
  value?: unknown
  /** The template devices move to (template migration). */
  template?: string
}

export interface JobBatch {
  type: 'number' | 'percentage'
  value: number
}

export interface JobCancellationThreshold extends JobBatch {
  batch?: boolean
}

export interface JobDefinition {
  displayName?: string
  description?: string
  group: string
  batch?: JobBatch
  cancellationThreshold?: JobCancellationThreshold
  data: JobData[]
  organizations?: string[]
}

export interface JobProgress {
  total: number
  pending: number
  completed: number
  failed: number
}

export interface Job extends JobDefinition {
  id: string
  scheduledJobId?: string
  start?: string
  end?: string
  progress?: JobProgress
  status?: string
}

export interface JobDeviceStatus {
  id: string
  status: string
}

export interface JobSchedule {
  start: string
  recurrence?: 'daily' | 'weekly' | 'monthly'
  end?: { type: 'date'; date: string } | { type: 'occurrences'; occurrences: number }
}

export interface ScheduledJob extends JobDefinition {
  id: string
  schedule: JobSchedule
  enabled?: boolean
  completed?: boolean
  etag?: string
}

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
  token?: string
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
}

export interface DeviceTemplate {
  '@id': string
  displayName?: string | Record<string, string>
}

export interface Page<T> {
  value: T[]
  nextLink?: string
}

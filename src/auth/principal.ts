import type { Access, RoleAssignment } from '../authz/policy.js'

/**
 * Who is calling, once a credential has been verified, and what it may do where. `permissions`
 * (from `Access`) is what it holds somewhere, which the route-level check reads; `application`
 * and `organizations` say where, which the services read.
 */
export interface Principal extends Access {
  /** `apiToken` for SharedAccessSignature callers, `user` for Bearer callers. */
  readonly type: 'apiToken' | 'user'
  readonly id: string
  readonly scheme: 'SharedAccessSignature' | 'Bearer'
  readonly assignments: readonly RoleAssignment[]
}

/**
 * Turns role assignments into access, from the roles as they are now; a role's change therefore
 * applies on the next request of every holder. Every authenticator builds its `Principal` with it
 * (see `makePrincipal`).
 */
export type PermissionResolver = (
  assignments: readonly RoleAssignment[],
) => Access | Promise<Access>

/** A caller with its access, as the authenticators build it on every request (no spread: this is the hot path). */
export function makePrincipal(
  type: Principal['type'],
  id: string,
  scheme: Principal['scheme'],
  assignments: readonly RoleAssignment[],
  access: Access,
): Principal {
  return {
    type,
    id,
    scheme,
    assignments,
    permissions: access.permissions,
    application: access.application,
    organizations: access.organizations,
  }
}

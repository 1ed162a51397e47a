import type { RoleType } from './builtin-roles.js'
import { ALL_PERMISSIONS, type Permission } from './permissions.js'

/** A role reference as IoT Central writes it: `{ role, organization? }`. */
export interface RoleAssignment {
  role: string
  organization?: string
}

/** What the policy needs to know of a role. */
export interface RoleGrant {
  readonly type: RoleType
  readonly permissions: ReadonlySet<Permission>
}

/**
 * What a principal may do, and where. Organization permissions reach the named organization and
 * its descendants (the scope functions in `scope.ts` work that out with the organization tree).
 */
export interface Access {
  /** Held somewhere: application-wide or in at least one organization. */
  readonly permissions: ReadonlySet<Permission>
  /** Held across the whole application: the root and every organization. */
  readonly application: ReadonlySet<Permission>
  /** Held in each organization an assignment names, by organization id. */
  readonly organizations: ReadonlyMap<string, ReadonlySet<Permission>>
}

const EMPTY: ReadonlySet<Permission> = new Set()
const NO_ORGANIZATIONS: ReadonlyMap<string, ReadonlySet<Permission>> = new Map()

/** The operator at the command line, who works on the store directly: everything, everywhere. */
export const OPERATOR_ACCESS: Access = {
  permissions: new Set(ALL_PERMISSIONS),
  application: new Set(ALL_PERMISSIONS),
  organizations: NO_ORGANIZATIONS,
}

/** The access of a single application role, shared rather than copied on the hot path. */
export function applicationAccess(permissions: ReadonlySet<Permission>): Access {
  return { permissions, application: permissions, organizations: NO_ORGANIZATIONS }
}

/**
 * The access a set of assignments grants. Pure: roles are passed in. An assignment that names a
 * role that no longer exists, or puts a role in the wrong scope (an application role with an
 * organization, an organization role without one), grants nothing.
 */
export function accessOf(
  assignments: readonly RoleAssignment[],
  roles: ReadonlyMap<string, RoleGrant>,
): Access {
  const application = new Set<Permission>()
  const organizations = new Map<string, Set<Permission>>()
  for (const { role: roleId, organization } of assignments) {
    const role = roles.get(roleId)
    if (!role || (role.type === 'organization') !== (organization !== undefined)) continue
    let target = application
    if (organization !== undefined) {
      target = organizations.get(organization) ?? new Set()
      organizations.set(organization, target)
    }
    for (const permission of role.permissions) target.add(permission)
  }
  const permissions = new Set(application)
  for (const held of organizations.values()) for (const p of held) permissions.add(p)
  return {
    permissions,
    application: application.size > 0 ? application : EMPTY,
    organizations: organizations.size > 0 ? organizations : NO_ORGANIZATIONS,
  }
}

/** The permissions of `wanted` that `held` lacks: granting `wanted` is allowed only when empty. */
export function missingPermissions(
  held: ReadonlySet<Permission>,
  wanted: ReadonlySet<Permission>,
): Permission[] {
  return [...wanted].filter((permission) => !held.has(permission))
}

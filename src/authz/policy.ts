import type { Permission } from './permissions.js'

/** A role reference as IoT Central writes it: `{ role, organization? }`. */
export interface RoleAssignment {
  role: string
  organization?: string
}

/** What the policy needs to know of a role. */
export interface RolePermissions {
  readonly permissions: ReadonlySet<Permission>
}

const EMPTY: ReadonlySet<Permission> = new Set()

/**
 * The permissions a set of assignments grants. Pure: roles are passed in. An assignment naming
 * a role that no longer exists grants nothing.
 */
export function permissionsOf(
  assignments: readonly RoleAssignment[],
  roles: ReadonlyMap<string, RolePermissions>,
): ReadonlySet<Permission> {
  if (assignments.length === 1) return roles.get(assignments[0]!.role)?.permissions ?? EMPTY
  const result = new Set<Permission>()
  for (const assignment of assignments) {
    for (const permission of roles.get(assignment.role)?.permissions ?? EMPTY) {
      result.add(permission)
    }
  }
  return result
}

/** The permissions of `wanted` that `held` lacks: granting `wanted` is allowed only when empty. */
export function missingPermissions(
  held: ReadonlySet<Permission>,
  wanted: ReadonlySet<Permission>,
): Permission[] {
  return [...wanted].filter((permission) => !held.has(permission))
}

import type { Permission } from '../authz/permissions.js'
import type { RoleAssignment } from '../authz/policy.js'
import type { Reach } from '../authz/reach.js'
import { placeOf } from '../authz/scope.js'
import { forbidden, type AppError } from '../errors/app-error.js'

/** The 403 for a permission held somewhere, but not at `organization` (`null`: the root). */
export function forbiddenAt(permission: Permission, organization: string | null): AppError {
  return forbidden(
    organization === null
      ? `You do not have permission to do this outside your organizations: it needs ${permission} application-wide.`
      : `You do not have permission to do this in the organization '${organization}': it needs ${permission}.`,
  )
}

/** 403 unless `permission` is held at `organization` (`null`: the root). */
export function requireAt(reach: Reach, permission: Permission, organization: string | null): void {
  if (!reach.includes(permission, organization)) throw forbiddenAt(permission, organization)
}

/** 403 unless `permission` is held wherever one of `assignments` places its holder. */
export function requireAtEvery(
  reach: Reach,
  permission: Permission,
  assignments: readonly RoleAssignment[],
): void {
  for (const assignment of assignments) requireAt(reach, permission, placeOf(assignment))
}

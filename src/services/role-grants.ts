import type { Principal } from '../auth/principal.js'
import { missingPermissions, permissionsOf, type RoleAssignment } from '../authz/policy.js'
import { AppError, forbidden, unprocessable } from '../errors/app-error.js'
import type { StoredRole } from './role-catalog.js'

/**
 * Checks the role assignments a caller wants to give a token or a user: every role must exist and
 * fit its scope, and the caller must hold every permission it hands out (no escalation).
 * `caller` null is the operator at the CLI, who may grant anything.
 */
export function checkGrant(
  caller: Principal | null,
  assignments: readonly RoleAssignment[],
  roles: ReadonlyMap<string, StoredRole>,
): RoleAssignment[] {
  const seen = new Set<string>()
  const result: RoleAssignment[] = []
  for (const [index, assignment] of assignments.entries()) {
    const role = roles.get(assignment.role)
    if (!role) {
      throw unprocessable(`roles[${index}].role: the role '${assignment.role}' does not exist.`)
    }
    if (assignment.organization !== undefined) {
      if (role.type === 'application') {
        throw unprocessable(
          `roles[${index}].organization: '${role.displayName}' is an application role and applies to the whole application; remove the organization.`,
        )
      }
      throw unprocessable(
        `roles[${index}].organization: the organization '${assignment.organization}' does not exist.`,
      )
    }
    if (role.type === 'organization') {
      throw unprocessable(
        `roles[${index}].organization: '${role.displayName}' is an organization role and needs an organization.`,
      )
    }
    const key = `${assignment.role}\u0000${assignment.organization ?? ''}`
    if (seen.has(key)) throw unprocessable(`roles[${index}]: the same role is assigned twice.`)
    seen.add(key)
    if (caller) {
      const missing = missingPermissions(caller.permissions, role.permissions)
      if (missing.length > 0) {
        throw forbidden(
          `You cannot grant the role '${role.displayName}': it has permissions you do not hold (${missing.join(', ')}).`,
        )
      }
    }
    result.push(
      assignment.organization === undefined
        ? { role: assignment.role }
        : { role: assignment.role, organization: assignment.organization },
    )
  }
  return result
}

/**
 * A caller may change or remove a principal only if it could have granted that principal's roles:
 * a custom role allowed to manage users cannot demote someone more privileged than itself.
 */
export function checkCanManage(
  caller: Principal | null,
  target: readonly RoleAssignment[],
  roles: ReadonlyMap<string, StoredRole>,
  what: string,
): void {
  if (!caller) return
  const missing = missingPermissions(caller.permissions, permissionsOf(target, roles))
  if (missing.length > 0) {
    throw new AppError(
      'Forbidden',
      `You cannot change ${what}: it holds permissions you do not hold (${missing.join(', ')}).`,
    )
  }
}

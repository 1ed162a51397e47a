import type { Permission } from '../authz/permissions.js'
import { missingPermissions, type RoleAssignment } from '../authz/policy.js'
import type { Reach } from '../authz/reach.js'
import { placeOf } from '../authz/scope.js'
import { forbidden, unprocessable } from '../errors/app-error.js'
import type { StoredRole } from './role-catalog.js'
import { requireAtEvery } from './scope-checks.js'

/**
 * Checks the shape of the role assignments a caller wants to give a token or a user (422): every
 * role exists and fits its scope, every organization exists (as far as the caller may know), and
 * nothing is assigned twice. Returns the assignments without any extra member.
 */
export function validateAssignments(
  assignments: readonly RoleAssignment[],
  roles: ReadonlyMap<string, StoredRole>,
  reach: Reach,
): RoleAssignment[] {
  const seen = new Set<string>()
  return assignments.map((assignment, index) => {
    const role = roles.get(assignment.role)
    if (!role) {
      throw unprocessable(`roles[${index}].role: the role '${assignment.role}' does not exist.`)
    }
    const { organization } = assignment
    if (organization !== undefined && role.type === 'application') {
      throw unprocessable(
        `roles[${index}].organization: '${role.displayName}' is an application role and applies to the whole application; remove the organization.`,
      )
    }
    if (organization !== undefined && !reach.sees(organization)) {
      throw unprocessable(
        `roles[${index}].organization: the organization '${organization}' does not exist.`,
      )
    }
    if (organization === undefined && role.type === 'organization') {
      throw unprocessable(
        `roles[${index}].organization: '${role.displayName}' is an organization role and needs an organization.`,
      )
    }
    const key = `${assignment.role}\u0000${organization ?? ''}`
    if (seen.has(key)) throw unprocessable(`roles[${index}]: the same role is assigned twice.`)
    seen.add(key)
    return organization === undefined ? { role: role.id } : { role: role.id, organization }
  })
}

/**
 * 403 unless the caller may give these (validated) assignments: it holds `action` (e.g.
 * `users.create`) wherever they place the holder, and every permission of each role there, so that
 * nothing is granted beyond what the caller holds itself (no escalation).
 */
export function authorizeGrant(
  reach: Reach,
  action: Permission,
  assignments: readonly RoleAssignment[],
  roles: ReadonlyMap<string, StoredRole>,
): void {
  requireAtEvery(reach, action, assignments)
  for (const assignment of assignments) {
    const role = roles.get(assignment.role)
    if (!role) continue
    const missing = missingPermissions(reach.at(placeOf(assignment)), role.permissions)
    if (missing.length > 0) {
      const where = assignment.organization
        ? ` in the organization '${assignment.organization}'`
        : ''
      throw forbidden(
        `You cannot grant the role '${role.displayName}'${where}: it has permissions you do not hold (${missing.join(', ')}).`,
      )
    }
  }
}

/**
 * 403 unless the caller may change or remove a principal holding `target`: it holds `action`
 * wherever the principal is placed, and could have granted each of its roles there, so that a
 * custom role allowed to manage users cannot demote someone more privileged than itself.
 */
export function checkCanManage(
  reach: Reach,
  action: Permission,
  target: readonly RoleAssignment[],
  roles: ReadonlyMap<string, StoredRole>,
  what: string,
): void {
  requireAtEvery(reach, action, target)
  const missing = new Set<Permission>()
  for (const assignment of target) {
    const held = reach.at(placeOf(assignment))
    for (const permission of roles.get(assignment.role)?.permissions ?? []) {
      if (!held.has(permission)) missing.add(permission)
    }
  }
  if (missing.size > 0) {
    throw forbidden(
      `You cannot change ${what}: it holds permissions you do not hold (${[...missing].join(', ')}).`,
    )
  }
}

import { ancestorsOf, subtreeOf, type OrganizationTree } from './organization-tree.js'
import type { Permission } from './permissions.js'
import type { Access, RoleAssignment } from './policy.js'

/**
 * Where a caller holds one permission: application-wide (the root, where devices without an
 * organization and application-role principals live, and every organization), or in a set of
 * organizations (each named one and its descendants).
 */
export type Scope =
  | { readonly application: true }
  | { readonly application: false; readonly organizations: ReadonlySet<string> }

const APPLICATION: Scope = { application: true }

/** Where `access` holds `permission`. Organizations missing from the tree are reached by no one. */
export function scopeOf(access: Access, permission: Permission, tree: OrganizationTree): Scope {
  if (access.application.has(permission)) return APPLICATION
  const organizations = new Set<string>()
  for (const [organization, held] of access.organizations) {
    if (!held.has(permission)) continue
    for (const member of subtreeOf(tree, organization)) organizations.add(member)
  }
  return { application: false, organizations }
}

/** Whether the scope reaches `organization`; `null` is the root, reached application-wide only. */
export function scopeIncludes(scope: Scope, organization: string | null): boolean {
  if (scope.application) return true
  return organization !== null && scope.organizations.has(organization)
}

/** The organization an assignment places its holder in: `null` (the root) for application roles. */
export const placeOf = (assignment: RoleAssignment): string | null =>
  assignment.organization ?? null

/**
 * Whether a principal holding `assignments` lies wholly within the scope: a user or token is
 * within reach only when every one of its assignments is, so that no caller sees or changes a
 * principal that also belongs somewhere it does not reach.
 */
export function scopeIncludesAll(scope: Scope, assignments: readonly RoleAssignment[]): boolean {
  return assignments.every((assignment) => scopeIncludes(scope, placeOf(assignment)))
}

/**
 * Everything `access` holds at `organization` (`null`: the root): the application-wide
 * permissions, plus those of the organization and of its ancestors.
 */
export function permissionsAt(
  access: Access,
  organization: string | null,
  tree: OrganizationTree,
): ReadonlySet<Permission> {
  if (organization === null || access.organizations.size === 0) return access.application
  if (!tree.has(organization)) return access.application
  return new Set([...access.application, ...grantedThrough(access, organization, tree)])
}

/** What organization roles grant at `organization`: its own assignments' and its ancestors'. */
function grantedThrough(
  access: Access,
  organization: string,
  tree: OrganizationTree,
): Set<Permission> {
  const held = new Set<Permission>()
  for (const place of [organization, ...ancestorsOf(tree, organization)]) {
    for (const permission of access.organizations.get(place) ?? []) held.add(permission)
  }
  return held
}

/**
 * Whether `organization` exists for the caller: it exists, and the caller holds some permission
 * there. Anything else is answered as if it did not exist.
 */
export function seesOrganization(
  access: Access,
  organization: string,
  tree: OrganizationTree,
): boolean {
  return tree.has(organization) && permissionsAt(access, organization, tree).size > 0
}

/**
 * The organizations reached through organization roles, each with what is held there (its own
 * and its ancestors' grants; application-wide permissions apply everywhere and are not repeated).
 */
export function organizationPermissions(
  access: Access,
  tree: OrganizationTree,
): Map<string, ReadonlySet<Permission>> {
  const reached = new Set<string>()
  for (const organization of access.organizations.keys()) {
    for (const member of subtreeOf(tree, organization)) reached.add(member)
  }
  const result = new Map<string, ReadonlySet<Permission>>()
  for (const organization of [...reached].sort()) {
    result.set(organization, grantedThrough(access, organization, tree))
  }
  return result
}

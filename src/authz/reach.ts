import type { OrganizationTree } from './organization-tree.js'
import type { Permission } from './permissions.js'
import type { Access, RoleAssignment } from './policy.js'
import {
  permissionsAt,
  scopeIncludes,
  scopeIncludesAll,
  scopeOf,
  seesOrganization,
  type Scope,
} from './scope.js'

/**
 * A caller's access read against the organization tree of the moment: the questions services ask
 * before they show, change or create anything. Pure; it only binds the scope functions together.
 */
export class Reach {
  constructor(
    readonly access: Access,
    readonly tree: OrganizationTree,
  ) {}

  scope(permission: Permission): Scope {
    return scopeOf(this.access, permission, this.tree)
  }

  /** Whether `permission` is held at `organization` (`null`: the root). */
  includes(permission: Permission, organization: string | null): boolean {
    return scopeIncludes(this.scope(permission), organization)
  }

  /** Whether a principal with these assignments lies wholly where `permission` is held. */
  includesAll(permission: Permission, assignments: readonly RoleAssignment[]): boolean {
    return scopeIncludesAll(this.scope(permission), assignments)
  }

  /** Everything held at `organization` (`null`: the root). */
  at(organization: string | null): ReadonlySet<Permission> {
    return permissionsAt(this.access, organization, this.tree)
  }

  /** Whether `organization` exists as far as this caller may know. */
  sees(organization: string): boolean {
    return seesOrganization(this.access, organization, this.tree)
  }
}

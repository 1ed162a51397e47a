import { ROLE_IDS, rolePermissions, type RoleDefinition, type RoleType } from '../authz/builtin-roles.js'
import { isPermission, type Permission } from '../authz/permissions.js'
import { permissionsOf, type RoleAssignment } from '../authz/policy.js'
import { roleRepository, type RoleRecord } from '../storage/repositories/role.repository.js'
import type { Store } from '../storage/store.js'

export interface StoredRole extends RoleDefinition {
  builtin: boolean
}

/**
 * The application's roles, held in memory because every request needs them; dropped whenever the
 * change feed reports a role change (or cannot vouch for the cache), and read again on next use.
 */
export class RoleCatalog {
  private roles: Map<string, StoredRole> | null = null

  constructor(private readonly store: Store) {
    store.changes.subscribe((topic) => {
      if (topic === null || topic === 'role') this.roles = null
    })
  }

  async current(): Promise<ReadonlyMap<string, StoredRole>> {
    const trusted = this.store.changes.sync()
    if (trusted && this.roles) return this.roles
    const records = await roleRepository.list(this.store.db)
    records.sort((a, b) => rank(a) - rank(b))
    const roles = new Map(records.map((record) => [record.id, toRole(record)]))
    if (trusted) this.roles = roles
    return roles
  }

  /** The permissions a set of assignments grants, from the roles as they are now. */
  readonly permissionsOf = async (
    assignments: readonly RoleAssignment[],
  ): Promise<ReadonlySet<Permission>> => permissionsOf(assignments, await this.current())

  /** Finds a role by id, or by display name (case-insensitive) for people typing at a CLI. */
  async find(idOrName: string): Promise<StoredRole | undefined> {
    const roles = await this.current()
    const byId = roles.get(idOrName)
    if (byId) return byId
    const name = idOrName.toLowerCase()
    return [...roles.values()].find((role) => role.displayName.toLowerCase() === name)
  }
}

const BUILTIN_ORDER: readonly string[] = Object.values(ROLE_IDS)

/** Built-in roles first, in IoT Central's order; then the others as stored (by creation). */
const rank = (record: RoleRecord): number => {
  const builtin = BUILTIN_ORDER.indexOf(record.id)
  return builtin < 0 ? BUILTIN_ORDER.length : builtin
}

function toRole(record: RoleRecord): StoredRole {
  return {
    id: record.id,
    displayName: record.displayName,
    type: record.type as RoleType,
    builtin: record.builtin,
    permissions: rolePermissions(record.type as RoleType, record.permissions.filter(isPermission)),
  }
}

import {
  ROLE_IDS,
  rolePermissions,
  type RoleDefinition,
  type RoleType,
} from '../authz/builtin-roles.js'
import { isPermission } from '../authz/permissions.js'
import { accessOf, applicationAccess, type Access, type RoleAssignment } from '../authz/policy.js'
import { roleRepository, type RoleRecord } from '../storage/repositories/role.repository.js'
import type { Store } from '../storage/store.js'
import { CachedSnapshot } from './cached-snapshot.js'

export interface StoredRole extends RoleDefinition {
  builtin: boolean
}

interface Snapshot {
  roles: Map<string, StoredRole>
  /** The access of each application role held alone: most principals hold just one. */
  alone: Map<string, Access>
}

/** The application's roles, as they are now; every request needs them, so they stay in memory. */
export class RoleCatalog {
  private readonly snapshot: CachedSnapshot<Snapshot>

  constructor(store: Store) {
    this.snapshot = new CachedSnapshot(store, 'role', async () => {
      const records = await roleRepository.list(store.db)
      records.sort((a, b) => rank(a) - rank(b))
      const roles = new Map(records.map((record) => [record.id, toRole(record)]))
      const alone = new Map(
        [...roles.values()]
          .filter((role) => role.type === 'application')
          .map((role) => [role.id, applicationAccess(role.permissions)]),
      )
      return { roles, alone }
    })
  }

  async current(): Promise<ReadonlyMap<string, StoredRole>> {
    return (await this.snapshot.get()).roles
  }

  /**
   * What a set of assignments may do, and where, from the roles as they are now: the one
   * resolver every authenticator builds its principal with.
   */
  readonly permissionsOf = (assignments: readonly RoleAssignment[]): Access | Promise<Access> => {
    // The roles are in memory nearly always: answer without a promise then (hot path).
    const held = this.snapshot.peek()
    if (held) return accessFrom(assignments, held)
    return this.snapshot.get().then((loaded) => accessFrom(assignments, loaded))
  }

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
  const type = record.type as RoleType
  return {
    id: record.id,
    displayName: record.displayName,
    type,
    builtin: record.builtin,
    permissions: rolePermissions(type, record.permissions.filter(isPermission)),
  }
}

/** A single application role's access is shared, not rebuilt, on the hot path. */
function accessFrom(
  assignments: readonly RoleAssignment[],
  { roles, alone }: { roles: ReadonlyMap<string, StoredRole>; alone: ReadonlyMap<string, Access> },
): Access {
  const only = assignments.length === 1 ? assignments[0] : undefined
  const shared = only && only.organization === undefined ? alone.get(only.role) : undefined
  return shared ?? accessOf(assignments, roles)
}

import type { Principal } from '../auth/principal.js'
import {
  BUILTIN_ROLES,
  isApplicationWide,
  isBuiltinRoleId,
  rolePermissions,
  type RoleType,
} from '../authz/builtin-roles.js'
import { isPermission, type Permission } from '../authz/permissions.js'
import { missingPermissions, OPERATOR_ACCESS } from '../authz/policy.js'
import type { Clock } from '../clock.js'
import { conflict, forbidden, notFound, unprocessable } from '../errors/app-error.js'
import {
  roleAssignmentRepository,
  type PrincipalRef,
} from '../storage/repositories/role-assignment.repository.js'
import { roleRepository, type RoleRecord } from '../storage/repositories/role.repository.js'
import type { Store } from '../storage/store.js'

/** IoT Central's role ids are GUIDs; custom ones may also be any id in its user id alphabet. */
export const ROLE_ID_PATTERN = '^[a-zA-Z0-9-_]{1,48}$'
const ID_PATTERN = new RegExp(ROLE_ID_PATTERN)

/** IoT Central's quota: 50 roles per application, the six built-in ones included. */
export const MAX_ROLES = 50

export interface RoleView {
  id: string
  displayName: string
  type: RoleType
  permissions: Permission[]
}

export interface RoleInput {
  displayName: string
  type: RoleType
  permissions: string[]
}

export type RolePatch = Partial<RoleInput>

/**
 * Custom roles: created, changed and deleted here, read through the RoleCatalog. Every change is
 * announced on the change feed, so the next request of every holder, on every node, sees it.
 */
export class RoleService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Creates the role, or replaces it when it exists (PUT); its type never changes. */
  async put(caller: Principal | null, id: string, input: RoleInput): Promise<RoleView> {
    if (!ID_PATTERN.test(id)) {
      throw unprocessable(
        `roleId: '${id}' is not a valid role id (1-48 letters, digits, '-' or '_').`,
      )
    }
    if (isBuiltinRoleId(id)) throw builtinRole(id)
    return this.write(caller, id, 'put', () => input)
  }

  /** Applies a JSON merge patch of `displayName` and `permissions`. */
  async patch(caller: Principal | null, id: string, patch: RolePatch): Promise<RoleView> {
    return this.write(caller, id, 'patch', (current) => {
      if (!current) throw notFound(`The role '${id}'`)
      if (patch.type !== undefined && patch.type !== current.type) {
        throw unprocessable(`type: a role's type cannot change (it is '${current.type}').`)
      }
      return {
        displayName: patch.displayName ?? current.displayName,
        type: current.type as RoleType,
        permissions: patch.permissions ?? current.permissions,
      }
    })
  }

  /** Deletes a custom role that nobody holds. */
  async delete(caller: Principal | null, id: string): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      await this.store.lockApplication(trx)
      const current = (await roleRepository.list(trx)).find((role) => role.id === id)
      if (!current) throw notFound(`The role '${id}'`)
      if (current.builtin) throw builtinRole(id)
      checkHolds(
        caller,
        rolePermissions(current.type as RoleType, known(current.permissions)),
        'delete',
      )
      const holders = await roleAssignmentRepository.holdersOfRole(trx, id)
      if (holders.length > 0) {
        throw conflict(
          `The role '${current.displayName}' is assigned to ${describe(holders)}; change their roles first.`,
        )
      }
      await roleRepository.delete(trx, id)
    })
    await this.store.changes.publish('role', id)
  }

  private async write(
    caller: Principal | null,
    id: string,
    mode: 'put' | 'patch',
    next: (current: RoleRecord | undefined) => RoleInput,
  ): Promise<RoleView> {
    const now = Math.floor(this.clock() / 1000)
    const view = await this.store.db.transaction().execute(async (trx) => {
      await this.store.lockApplication(trx)
      const records = await roleRepository.list(trx)
      const current = records.find((role) => role.id === id)
      if (!current && mode === 'patch') throw notFound(`The role '${id}'`)
      if (current?.builtin) throw builtinRole(id)
      if (current && caller && !caller.permissions.has('roles.update')) {
        throw forbidden(
          `The role '${id}' exists, and changing it needs the roles.update permission.`,
        )
      }
      const input = next(current)
      if (current && input.type !== current.type) {
        throw unprocessable(`type: a role's type cannot change (it is '${current.type}').`)
      }
      const displayName = checkDisplayName(input.displayName, id, records)
      const permissions = checkPermissions(input.type, input.permissions)
      if (current) {
        const held = rolePermissions(current.type as RoleType, known(current.permissions))
        checkHolds(caller, held, 'change')
      } else {
        checkCapacity(records)
      }
      checkHolds(caller, permissions, current ? 'change' : 'create')
      const record: RoleRecord = {
        id,
        displayName,
        type: input.type,
        builtin: false,
        permissions: [...permissions].sort(),
      }
      await roleRepository.upsert(trx, record, now)
      return toView(record)
    })
    await this.store.changes.publish('role', id)
    return view
  }
}

const builtinRole = (id: string) =>
  forbidden(
    `'${BUILTIN_ROLES.find((role) => role.id === id)?.displayName ?? id}' is a built-in role: built-in roles cannot be created, changed or deleted.`,
  )

const known = (permissions: readonly string[]): Permission[] => permissions.filter(isPermission)

/** Trimmed, non-empty and unique (regardless of case), so that a name finds one role. */
function checkDisplayName(name: string, id: string, records: readonly RoleRecord[]): string {
  const trimmed = name.trim()
  if (trimmed === '') throw unprocessable('displayName: must not be blank.')
  const other = records.find(
    (role) => role.id !== id && role.displayName.toLowerCase() === trimmed.toLowerCase(),
  )
  if (other) throw conflict(`The role '${other.id}' is already named '${other.displayName}'.`)
  return trimmed
}

/**
 * Every entry must be in the catalogue, and an organization role must not list an
 * application-wide area (it could never reach it). Returns the set closed under dependencies.
 */
function checkPermissions(type: RoleType, permissions: readonly string[]): Set<Permission> {
  if (permissions.length === 0)
    throw unprocessable('permissions: a role needs at least one permission.')
  for (const [index, permission] of permissions.entries()) {
    if (!isPermission(permission)) {
      throw unprocessable(
        `permissions[${index}]: '${permission}' is not a permission (see GET /api/roles or docs/permissions.md).`,
      )
    }
    if (type === 'organization' && isApplicationWide(permission)) {
      throw unprocessable(
        `permissions[${index}]: '${permission}' is application-wide, and organization roles never reach application-wide areas.`,
      )
    }
  }
  return rolePermissions(type, permissions as Permission[])
}

/** 409 once the application has as many roles as IoT Central allows. */
function checkCapacity(records: readonly RoleRecord[]): void {
  // The organization roles count from the start: they must still fit when the first organization
  // adds them.
  const custom = records.filter((role) => !role.builtin).length
  if (custom + BUILTIN_ROLES.length >= MAX_ROLES) {
    throw conflict(
      `An application has at most ${MAX_ROLES} roles, the ${BUILTIN_ROLES.length} built-in ones included; delete a custom role first.`,
    )
  }
}

/** No escalation: a caller only writes roles within what it holds application-wide itself. */
function checkHolds(
  caller: Principal | null,
  permissions: ReadonlySet<Permission>,
  verb: 'create' | 'change' | 'delete',
): void {
  const missing = missingPermissions((caller ?? OPERATOR_ACCESS).application, permissions)
  if (missing.length > 0) {
    throw forbidden(
      `You cannot ${verb} a role with permissions you do not hold application-wide (${missing.join(', ')}).`,
    )
  }
}

/** "user 'ann', API token 'ci' and 3 more" */
function describe(holders: readonly PrincipalRef[]): string {
  const shown = holders
    .slice(0, 3)
    .map((h) => `${h.type === 'user' ? 'user' : 'API token'} '${h.id}'`)
  const more = holders.length - shown.length
  if (more > 0) return `${shown.join(', ')} and ${more} more`
  if (shown.length === 1) return shown[0] as string
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`
}

function toView(record: RoleRecord): RoleView {
  return {
    id: record.id,
    displayName: record.displayName,
    type: record.type as RoleType,
    permissions: known(record.permissions),
  }
}

import type { Principal } from '../auth/principal.js'
import type { RoleAssignment } from '../authz/policy.js'
import { conflict, forbidden, notFound, unprocessable } from '../errors/app-error.js'
import { roleAssignmentRepository } from '../storage/repositories/role-assignment.repository.js'
import { userRepository } from '../storage/repositories/user.repository.js'
import type { UserRow } from '../storage/schema.js'
import type { Store } from '../storage/store.js'
import { ensureAdministratorRemains } from './administrator-guard.js'
import { isUniqueViolation } from '../storage/is-unique-violation.js'
import type { Clock } from '../clock.js'
import { readPage, type Page, type PageRequest } from './paging.js'
import type { Reach } from '../authz/reach.js'
import type { Executor } from '../storage/repositories/executor.js'
import type { OrganizationCatalog } from './organization-catalog.js'
import { authorizeGrant, checkCanManage, validateAssignments } from './role-grants.js'
import type { RoleCatalog } from './role-catalog.js'
import { usageOf, type PrincipalUsage } from './principal-usage.js'

export const USER_TYPES = ['email', 'servicePrincipal', 'adGroup'] as const
export type UserType = (typeof USER_TYPES)[number]

export type UserView = (
  | { id: string; type: 'email'; email: string; roles: RoleAssignment[] }
  | {
      id: string
      type: 'servicePrincipal' | 'adGroup'
      tenantId: string
      objectId: string
      roles: RoleAssignment[]
    }
) &
  PrincipalUsage

/** A user as a client describes it (PUT body, or the result of a merge patch). */
export interface UserInput {
  type: UserType
  email?: string | undefined
  tenantId?: string | undefined
  objectId?: string | undefined
  roles: RoleAssignment[]
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export class UserService {
  constructor(
    private readonly store: Store,
    private readonly roles: RoleCatalog,
    private readonly organizations: OrganizationCatalog,
    private readonly clock: Clock,
  ) {}

  /** The users within the caller's reach, a page at a time. */
  async list(caller: Principal | null, page: PageRequest): Promise<Page<UserView>> {
    const scope = (await this.organizations.reachOf(caller)).scope('users.read')
    const within = scope.application ? null : [...scope.organizations]
    return readPage(
      page,
      (after, limit) => userRepository.page(this.store.db, after, limit, within),
      async (rows) => {
        const assignments = await roleAssignmentRepository.listForMany(
          this.store.db,
          'user',
          rows.map((r) => r.id),
        )
        return rows.map((row) => toView(row, assignments.get(row.id) ?? []))
      },
    )
  }

  async get(caller: Principal | null, id: string): Promise<UserView> {
    const reach = await this.organizations.reachOf(caller)
    const found = await readWithin(this.store.db, reach, id)
    if (!found) throw notFound(`The user '${id}'`)
    return toView(found.row, found.assignments)
  }

  /** Creates the user, or replaces it entirely when it exists (PUT). */
  async put(caller: Principal | null, id: string, input: UserInput): Promise<UserView> {
    return this.write(caller, id, 'put', () => input)
  }

  /** Applies a JSON merge patch to an existing user. */
  async patch(caller: Principal | null, id: string, patch: Partial<UserInput>): Promise<UserView> {
    return this.write(caller, id, 'patch', (current) => {
      if (!current) throw notFound(`The user '${id}'`)
      if (patch.type !== undefined && patch.type !== current.type) {
        throw unprocessable(`type: a user's type cannot change (it is '${current.type}').`)
      }
      const merged: UserInput = { ...current, ...definedOnly(patch), type: current.type }
      return merged
    })
  }

  async delete(caller: Principal | null, id: string): Promise<void> {
    const [roles, reach] = await Promise.all([this.roles.current(), this.organizations.reachOf(caller)])
    await this.store.db.transaction().execute(async (trx) => {
      await this.store.lockApplication(trx)
      const found = await readWithin(trx, reach, id)
      if (!found) throw notFound(`The user '${id}'`)
      const { assignments } = found
      checkCanManage(reach, 'users.delete', assignments, roles, `the user '${id}'`)
      await ensureAdministratorRemains(trx, { type: 'user', id }, assignments, null, this.clock())
      await roleAssignmentRepository.deleteFor(trx, 'user', id)
      await userRepository.delete(trx, id)
    })
    await this.store.changes.publish('user', id)
  }

  private async write(
    caller: Principal | null,
    id: string,
    mode: 'put' | 'patch',
    next: (current: UserView | null) => UserInput,
  ): Promise<UserView> {
    const [roles, reach] = await Promise.all([this.roles.current(), this.organizations.reachOf(caller)])
    const now = this.clock()
    const result = await this.store.db
      .transaction()
      .execute(async (trx) => {
        await this.store.lockApplication(trx)
        const found = await readWithin(trx, reach, id)
        if (!found && mode === 'put' && (await userRepository.get(trx, id))) {
          // Ids are unique application-wide: this one is taken, by a user out of the caller's reach.
          throw conflict(`The user id '${id}' is already taken; choose another.`)
        }
        const row = found?.row
        const currentAssignments = found?.assignments ?? []
        const current = found ? toView(found.row, currentAssignments) : null
        if (current && caller && !caller.permissions.has('users.update')) {
          throw forbidden(`The user '${id}' exists, and changing it needs the users.update permission.`)
        }
        const input = validate(next(current))
        const assignments = validateAssignments(input.roles, roles, reach)
        if (current) {
          checkCanManage(reach, 'users.update', currentAssignments, roles, `the user '${id}'`)
        }
        authorizeGrant(reach, current ? 'users.update' : 'users.create', assignments, roles)
        const rolesChange = !sameAssignments(currentAssignments, assignments)
        if (caller?.type === 'user' && caller.id === id && (rolesChange || !current)) {
          throw forbidden('You cannot change your own role assignments.')
        }
        if (current && rolesChange) {
          await ensureAdministratorRemains(trx, { type: 'user', id }, currentAssignments, assignments, now)
        }
        const newRow = toRow(id, input, row ?? null, Math.floor(now / 1000))
        await ensureUnique(trx, reach, newRow)
        await userRepository.upsert(trx, newRow)
        await roleAssignmentRepository.replace(trx, 'user', id, assignments)
        return toView(newRow, assignments)
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) {
          throw conflict('Another user already has this email address or directory object.')
        }
        throw error
      })
    await this.store.changes.publish('user', id)
    return result
  }
}

/** The user and its assignments, when it exists and lies wholly within the caller's reach. */
async function readWithin(
  db: Executor,
  reach: Reach,
  id: string,
): Promise<{ row: UserRow; assignments: RoleAssignment[] } | null> {
  const row = await userRepository.get(db, id)
  if (!row) return null
  const assignments = await roleAssignmentRepository.listFor(db, 'user', id)
  // Out of reach is answered exactly as if it did not exist.
  return reach.includesAll('users.read', assignments) ? { row, assignments } : null
}

/** 409 when another user has the same email or directory object; named only if within reach. */
async function ensureUnique(trx: Executor, reach: Reach, row: UserRow): Promise<void> {
  const other =
    row.email_key !== null
      ? await userRepository.findByEmailKey(trx, row.email_key)
      : await userRepository.findByDirectoryObject(
          trx,
          row.type,
          row.tenant_id as string,
          row.object_id as string,
        )
  if (!other || other.id === row.id) return
  const visible = (await readWithin(trx, reach, other.id)) !== null
  const who = visible ? `The user '${other.id}'` : 'Another user'
  throw conflict(
    row.email_key !== null
      ? `${who} already has the email address '${row.email}'.`
      : `${who} is already this ${row.type === 'adGroup' ? 'group' : 'service principal'} (tenant ${row.tenant_id}, object ${row.object_id}).`,
  )
}

function validate(input: UserInput): UserInput {
  if (input.type === 'email') {
    if (typeof input.email !== 'string' || !EMAIL.test(input.email)) {
      throw unprocessable('email: an email user needs a valid email address.')
    }
    if (input.tenantId !== undefined || input.objectId !== undefined) {
      throw unprocessable('tenantId, objectId: only servicePrincipal and adGroup users have them.')
    }
  } else {
    for (const field of ['tenantId', 'objectId'] as const) {
      const value = input[field]
      if (typeof value !== 'string' || value.trim() === '') {
        throw unprocessable(`${field}: a ${input.type} user needs a ${field}.`)
      }
    }
    if (input.email !== undefined) {
      throw unprocessable(`email: a ${input.type} user has no email address.`)
    }
  }
  if (!Array.isArray(input.roles) || input.roles.length === 0) {
    throw unprocessable('roles: at least one role assignment is required.')
  }
  return input
}

/**
 * The stored row. An email user keeps the directory identity it is bound to only while its email
 * address stays the same: a new address may belong to someone else.
 */
function toRow(id: string, input: UserInput, previous: UserRow | null, now: number): UserRow {
  const email = input.type === 'email' ? (input.email as string) : null
  const emailKey = email === null ? null : email.toLowerCase()
  const keepsBinding = previous !== null && emailKey !== null && previous.email_key === emailKey
  return {
    id,
    type: input.type,
    email,
    email_key: emailKey,
    tenant_id: input.type === 'email' ? null : (input.tenantId as string),
    object_id: input.type === 'email' ? null : (input.objectId as string),
    bound_tenant_id: keepsBinding ? previous.bound_tenant_id : null,
    bound_object_id: keepsBinding ? previous.bound_object_id : null,
    created_at: previous?.created_at ?? now,
    last_used_at_ms: previous?.last_used_at_ms ?? null,
    last_used_address: previous?.last_used_address ?? null,
  }
}

function toView(row: UserRow, roles: RoleAssignment[]): UserView {
  const usage = usageOf(row)
  if (row.type === 'email') return { id: row.id, type: 'email', email: row.email as string, roles, ...usage }
  return {
    id: row.id,
    type: row.type as 'servicePrincipal' | 'adGroup',
    tenantId: row.tenant_id as string,
    objectId: row.object_id as string,
    roles,
    ...usage,
  }
}

function sameAssignments(a: readonly RoleAssignment[], b: readonly RoleAssignment[]): boolean {
  const key = (x: RoleAssignment) => `${x.role}\u0000${x.organization ?? ''}`
  const left = new Set(a.map(key))
  return a.length === b.length && b.every((x) => left.has(key(x)))
}

/** Merge-patch `null` removes a member; for users every member is required, so null is refused. */
function definedOnly(patch: Partial<UserInput>): Partial<UserInput> {
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) throw unprocessable(`${key}: cannot be removed from a user.`)
    if (value !== undefined) result[key] = value
  }
  return result as Partial<UserInput>
}


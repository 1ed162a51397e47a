import type { Principal } from '../auth/principal.js'
import type { RoleAssignment } from '../authz/policy.js'
import { conflict, forbidden, notFound, unprocessable } from '../errors/app-error.js'
import { roleAssignmentRepository } from '../storage/repositories/role-assignment.repository.js'
import { userRepository } from '../storage/repositories/user.repository.js'
import type { UserRow } from '../storage/schema.js'
import type { Store } from '../storage/store.js'
import { ensureAdministratorRemains } from './administrator-guard.js'
import { isUniqueViolation } from './api-token.service.js'
import type { Clock } from '../clock.js'
import { readPage, type Page, type PageRequest } from './paging.js'
import { checkCanManage, checkGrant } from './role-grants.js'
import type { RoleCatalog } from './role-catalog.js'

export const USER_TYPES = ['email', 'servicePrincipal', 'adGroup'] as const
export type UserType = (typeof USER_TYPES)[number]

export type UserView =
  | { id: string; type: 'email'; email: string; roles: RoleAssignment[] }
  | {
      id: string
      type: 'servicePrincipal' | 'adGroup'
      tenantId: string
      objectId: string
      roles: RoleAssignment[]
    }

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
    private readonly clock: Clock,
  ) {}

  async list(page: PageRequest): Promise<Page<UserView>> {
    return readPage(
      page,
      (after, limit) => userRepository.page(this.store.db, after, limit),
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

  async get(id: string): Promise<UserView> {
    const row = await userRepository.get(this.store.db, id)
    if (!row) throw notFound(`The user '${id}'`)
    return toView(row, await roleAssignmentRepository.listFor(this.store.db, 'user', id))
  }

  /** Creates the user, or replaces it entirely when it exists (PUT). */
  async put(caller: Principal | null, id: string, input: UserInput): Promise<UserView> {
    return this.write(caller, id, () => input)
  }

  /** Applies a JSON merge patch to an existing user. */
  async patch(caller: Principal | null, id: string, patch: Partial<UserInput>): Promise<UserView> {
    return this.write(caller, id, (current) => {
      if (!current) throw notFound(`The user '${id}'`)
      if (patch.type !== undefined && patch.type !== current.type) {
        throw unprocessable(`type: a user's type cannot change (it is '${current.type}').`)
      }
      const merged: UserInput = { ...current, ...definedOnly(patch), type: current.type }
      return merged
    })
  }

  async delete(caller: Principal | null, id: string): Promise<void> {
    const roles = await this.roles.current()
    await this.store.db.transaction().execute(async (trx) => {
      await this.store.lockApplication(trx)
      const row = await userRepository.get(trx, id)
      if (!row) throw notFound(`The user '${id}'`)
      const assignments = await roleAssignmentRepository.listFor(trx, 'user', id)
      checkCanManage(caller, assignments, roles, `the user '${id}'`)
      await ensureAdministratorRemains(trx, { type: 'user', id }, assignments, null, this.clock())
      await roleAssignmentRepository.deleteFor(trx, 'user', id)
      await userRepository.delete(trx, id)
    })
    await this.store.changes.publish('user', id)
  }

  private async write(
    caller: Principal | null,
    id: string,
    next: (current: UserView | null) => UserInput,
  ): Promise<UserView> {
    const roles = await this.roles.current()
    const now = this.clock()
    const result = await this.store.db
      .transaction()
      .execute(async (trx) => {
        await this.store.lockApplication(trx)
        const row = await userRepository.get(trx, id)
        const currentAssignments = row
          ? await roleAssignmentRepository.listFor(trx, 'user', id)
          : []
        const current = row ? toView(row, currentAssignments) : null
        if (current && caller && !caller.permissions.has('users.update')) {
          throw forbidden(`The user '${id}' exists, and changing it needs the users.update permission.`)
        }
        const input = validate(next(current))
        if (current) checkCanManage(caller, currentAssignments, roles, `the user '${id}'`)
        const assignments = checkGrant(caller, input.roles, roles)
        const rolesChange = !sameAssignments(currentAssignments, assignments)
        if (caller?.type === 'user' && caller.id === id && (rolesChange || !current)) {
          throw forbidden('You cannot change your own role assignments.')
        }
        if (current && rolesChange) {
          await ensureAdministratorRemains(trx, { type: 'user', id }, currentAssignments, assignments, now)
        }
        const newRow = toRow(id, input, row ?? null, Math.floor(now / 1000))
        await this.ensureUnique(trx, newRow)
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

  private async ensureUnique(trx: Parameters<typeof userRepository.get>[0], row: UserRow) {
    const other =
      row.email_key !== null
        ? await userRepository.findByEmailKey(trx, row.email_key)
        : await userRepository.findByDirectoryObject(
            trx,
            row.type,
            row.tenant_id as string,
            row.object_id as string,
          )
    if (other && other.id !== row.id) {
      throw conflict(
        row.email_key !== null
          ? `The user '${other.id}' already has the email address '${row.email}'.`
          : `The user '${other.id}' is already this ${row.type === 'adGroup' ? 'group' : 'service principal'} (tenant ${row.tenant_id}, object ${row.object_id}).`,
      )
    }
  }
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
  }
}

function toView(row: UserRow, roles: RoleAssignment[]): UserView {
  if (row.type === 'email') return { id: row.id, type: 'email', email: row.email as string, roles }
  return {
    id: row.id,
    type: row.type as 'servicePrincipal' | 'adGroup',
    tenantId: row.tenant_id as string,
    objectId: row.object_id as string,
    roles,
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


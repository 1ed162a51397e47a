import { formatApiToken } from '../auth/api-token-format.js'
import { generateSecret, hashSecret } from '../auth/api-token-secret.js'
import type { Principal } from '../auth/principal.js'
import type { RoleAssignment } from '../authz/policy.js'
import type { Config } from '../config/schema.js'
import { conflict, notFound, unprocessable } from '../errors/app-error.js'
import { isUniqueViolation } from '../storage/is-unique-violation.js'
import { apiTokenRepository } from '../storage/repositories/api-token.repository.js'
import { roleAssignmentRepository } from '../storage/repositories/role-assignment.repository.js'
import type { ApiTokenRow } from '../storage/schema.js'
import type { Store } from '../storage/store.js'
import { usageOf, type PrincipalUsage } from './principal-usage.js'
import { ensureAdministratorRemains } from './administrator-guard.js'
import type { Clock } from '../clock.js'
import type { OrganizationCatalog } from './organization-catalog.js'
import { authorizeGrant, checkCanManage, validateAssignments } from './role-grants.js'
import type { RoleCatalog } from './role-catalog.js'

const DAY_MS = 86_400_000

/** Token ids end up in the `skn` field and in URLs: a conservative alphabet avoids any escaping. */
export const API_TOKEN_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$'
const ID_PATTERN = new RegExp(API_TOKEN_ID_PATTERN)

export interface ApiTokenView extends PrincipalUsage {
  id: string
  roles: RoleAssignment[]
  expiry: string
  description?: string
  /** Expires within EXPIRING_SOON_DAYS and has not expired yet (an extension, for warnings). */
  expiringSoon: boolean
}

/** A token expiring within this many days is flagged `expiringSoon` and warned about in the log. */
export const EXPIRING_SOON_DAYS = 14
/** How long a rotated token's previous secret keeps working, by default and at most. */
export const DEFAULT_OVERLAP_MINUTES = 60
export const MAX_OVERLAP_MINUTES = 1440
const DESCRIPTION_MAX = 256

export interface CreatedApiToken extends ApiTokenView {
  /** The token value; returned by create and never again. */
  token: string
}

export interface CreateApiTokenInput {
  roles: RoleAssignment[]
  expiry?: string | undefined
  description?: string | undefined
}

export class ApiTokenService {
  constructor(
    private readonly store: Store,
    private readonly applicationId: string,
    private readonly roles: RoleCatalog,
    private readonly organizations: OrganizationCatalog,
    private readonly config: Pick<Config, 'tokenDefaultDays' | 'tokenMaxDays'>,
    private readonly clock: Clock,
  ) {}

  /** The tokens within the caller's reach; `caller` null is the operator at the CLI. */
  async list(caller: Principal | null): Promise<ApiTokenView[]> {
    const reach = await this.organizations.reachOf(caller)
    const rows = await apiTokenRepository.list(this.store.db)
    const assignments = await roleAssignmentRepository.listForMany(
      this.store.db,
      'apiToken',
      rows.map((r) => r.id),
    )
    const now = this.clock()
    return rows
      .map((row) => view(row, assignments.get(row.id) ?? [], now))
      .filter((token) => reach.includesAll('apiTokens.read', token.roles))
  }

  async get(caller: Principal | null, id: string): Promise<ApiTokenView> {
    const reach = await this.organizations.reachOf(caller)
    const row = await apiTokenRepository.get(this.store.db, id)
    const assignments = row
      ? await roleAssignmentRepository.listFor(this.store.db, 'apiToken', id)
      : []
    // Out of reach is answered exactly as if it did not exist.
    if (!row || !reach.includesAll('apiTokens.read', assignments)) {
      throw notFound(`The API token '${id}'`)
    }
    return view(row, assignments, this.clock())
  }

  /** Creates a token; `caller` null is the operator at the CLI. */
  async create(
    caller: Principal | null,
    id: string,
    input: CreateApiTokenInput,
  ): Promise<CreatedApiToken> {
    if (!ID_PATTERN.test(id)) {
      throw unprocessable(
        `tokenId: '${id}' is not a valid token id (1-128 letters, digits, '.', '_', '~' or '-', starting with a letter or digit).`,
      )
    }
    const now = this.clock()
    const expiresAtMs = this.expiryFrom(input.expiry, now)
    const description = descriptionFrom(input.description)
    const [roles, reach] = await Promise.all([this.roles.current(), this.organizations.reachOf(caller)])
    const assignments = validateAssignments(input.roles, roles, reach)
    authorizeGrant(reach, 'apiTokens.create', assignments, roles)
    const secret = generateSecret()
    const row = {
      id,
      secret_hash: hashSecret(secret).toString('hex'),
      expires_at_ms: expiresAtMs,
      created_at: Math.floor(now / 1000),
      description,
      previous_secret_hash: null,
      previous_valid_until_ms: null,
      last_used_at_ms: null,
      last_used_address: null,
    }
    await this.store.db.transaction().execute(async (trx) => {
      if (await apiTokenRepository.get(trx, id)) {
        throw conflict(`An API token with the id '${id}' already exists; delete it first to issue a new one.`)
      }
      await apiTokenRepository.insert(trx, row)
      await roleAssignmentRepository.replace(trx, 'apiToken', id, assignments)
    }).catch((error: unknown) => {
      // A concurrent create of the same id loses on the primary key.
      if (isUniqueViolation(error)) throw conflict(`An API token with the id '${id}' already exists; delete it first to issue a new one.`)
      throw error
    })
    return {
      ...view(row, assignments, now),
      token: formatApiToken({ sr: this.applicationId, sig: secret, skn: id, se: expiresAtMs }),
    }
  }

  /**
   * Issues a new secret for the token (same id, roles and expiry) and answers its value, once.
   * The secret it replaces keeps working for `overlapMinutes`, so clients can move over; a
   * previous rotation's old secret stops at once. Deleting the token still ends both at once.
   */
  async rotate(caller: Principal | null, id: string, overlapMinutes = DEFAULT_OVERLAP_MINUTES): Promise<CreatedApiToken> {
    if (!Number.isInteger(overlapMinutes) || overlapMinutes < 0 || overlapMinutes > MAX_OVERLAP_MINUTES) {
      throw unprocessable(`overlapMinutes: must be a whole number of minutes from 0 to ${MAX_OVERLAP_MINUTES}.`)
    }
    const [roles, reach] = await Promise.all([this.roles.current(), this.organizations.reachOf(caller)])
    const now = this.clock()
    const secret = generateSecret()
    const secretHash = hashSecret(secret).toString('hex')
    const { row, assignments } = await this.store.db.transaction().execute(async (trx) => {
      const row = await apiTokenRepository.get(trx, id)
      const assignments = row ? await roleAssignmentRepository.listFor(trx, 'apiToken', id) : []
      if (!row || !reach.includesAll('apiTokens.read', assignments)) throw notFound(`The API token '${id}'`)
      // Whoever rotates learns a working secret: it must be able to grant every role the token holds.
      authorizeGrant(reach, 'apiTokens.create', assignments, roles)
      if (row.expires_at_ms <= now) {
        throw conflict(`The API token '${id}' has expired; create a new one instead.`)
      }
      const previousValidUntil = now + overlapMinutes * 60_000
      if (!(await apiTokenRepository.rotate(trx, id, row.secret_hash, secretHash, previousValidUntil))) {
        throw conflict(`The API token '${id}' was rotated at the same time; try again.`)
      }
      return { row: { ...row, secret_hash: secretHash }, assignments }
    })
    await this.store.changes.publish('apiToken', id)
    return {
      ...view(row, assignments, now),
      token: formatApiToken({ sr: this.applicationId, sig: secret, skn: id, se: row.expires_at_ms }),
    }
  }

  async delete(caller: Principal | null, id: string): Promise<void> {
    const [roles, reach] = await Promise.all([this.roles.current(), this.organizations.reachOf(caller)])
    await this.store.db.transaction().execute(async (trx) => {
      await this.store.lockApplication(trx)
      const row = await apiTokenRepository.get(trx, id)
      const assignments = row ? await roleAssignmentRepository.listFor(trx, 'apiToken', id) : []
      if (!row || !reach.includesAll('apiTokens.read', assignments)) {
        throw notFound(`The API token '${id}'`)
      }
      checkCanManage(reach, 'apiTokens.delete', assignments, roles, `the API token '${id}'`)
      if (row.expires_at_ms > this.clock()) {
        await ensureAdministratorRemains(trx, { type: 'apiToken', id }, assignments, null, this.clock())
      }
      await roleAssignmentRepository.deleteFor(trx, 'apiToken', id)
      await apiTokenRepository.delete(trx, id)
    })
    await this.store.changes.publish('apiToken', id)
  }

  private expiryFrom(expiry: string | undefined, now: number): number {
    const max = now + this.config.tokenMaxDays * DAY_MS
    if (expiry === undefined) return now + this.config.tokenDefaultDays * DAY_MS
    const at = Date.parse(expiry)
    if (Number.isNaN(at)) throw unprocessable(`expiry: '${expiry}' is not a date-time.`)
    if (at <= now) throw unprocessable(`expiry: ${new Date(at).toISOString()} is in the past.`)
    if (at > max) {
      throw unprocessable(
        `expiry: ${new Date(at).toISOString()} is later than the longest lifetime allowed (${this.config.tokenMaxDays} days, until ${new Date(max).toISOString()}).`,
      )
    }
    return at
  }
}

function view(row: ApiTokenRow, roles: RoleAssignment[], now: number): ApiTokenView {
  return {
    id: row.id,
    roles,
    expiry: new Date(row.expires_at_ms).toISOString(),
    ...(row.description === null ? {} : { description: row.description }),
    expiringSoon: isExpiringSoon(row.expires_at_ms, now),
    ...usageOf(row),
  }
}

export function isExpiringSoon(expiresAtMs: number, now: number): boolean {
  return expiresAtMs > now && expiresAtMs - now <= EXPIRING_SOON_DAYS * DAY_MS
}

function descriptionFrom(description: string | undefined): string | null {
  if (description === undefined) return null
  const trimmed = description.trim()
  if (trimmed.length > DESCRIPTION_MAX) {
    throw unprocessable(`description: at most ${DESCRIPTION_MAX} characters.`)
  }
  return trimmed === '' ? null : trimmed
}

import { formatApiToken } from '../auth/api-token-format.js'
import { generateSecret, hashSecret } from '../auth/api-token-secret.js'
import type { Principal } from '../auth/principal.js'
import type { RoleAssignment } from '../authz/policy.js'
import type { Config } from '../config/schema.js'
import { conflict, notFound, unprocessable } from '../errors/app-error.js'
import { isUniqueViolation } from '../storage/is-unique-violation.js'
import { apiTokenRepository } from '../storage/repositories/api-token.repository.js'
import { roleAssignmentRepository } from '../storage/repositories/role-assignment.repository.js'
import type { Store } from '../storage/store.js'
import { ensureAdministratorRemains } from './administrator-guard.js'
import type { Clock } from '../clock.js'
import type { OrganizationCatalog } from './organization-catalog.js'
import { authorizeGrant, checkCanManage, validateAssignments } from './role-grants.js'
import type { RoleCatalog } from './role-catalog.js'

const DAY_MS = 86_400_000

/** Token ids end up in the `skn` field and in URLs: a conservative alphabet avoids any escaping. */
export const API_TOKEN_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$'
const ID_PATTERN = new RegExp(API_TOKEN_ID_PATTERN)

export interface ApiTokenView {
  id: string
  roles: RoleAssignment[]
  expiry: string
}

export interface CreatedApiToken extends ApiTokenView {
  /** The token value; returned by create and never again. */
  token: string
}

export interface CreateApiTokenInput {
  roles: RoleAssignment[]
  expiry?: string | undefined
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
    return rows
      .map((row) => view(row.id, assignments.get(row.id) ?? [], row.expires_at_ms))
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
    return view(id, assignments, row.expires_at_ms)
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
    const [roles, reach] = await Promise.all([this.roles.current(), this.organizations.reachOf(caller)])
    const assignments = validateAssignments(input.roles, roles, reach)
    authorizeGrant(reach, 'apiTokens.create', assignments, roles)
    const secret = generateSecret()
    await this.store.db.transaction().execute(async (trx) => {
      if (await apiTokenRepository.get(trx, id)) {
        throw conflict(`An API token with the id '${id}' already exists; delete it first to issue a new one.`)
      }
      await apiTokenRepository.insert(trx, {
        id,
        secret_hash: hashSecret(secret).toString('hex'),
        expires_at_ms: expiresAtMs,
        created_at: Math.floor(now / 1000),
      })
      await roleAssignmentRepository.replace(trx, 'apiToken', id, assignments)
    }).catch((error: unknown) => {
      // A concurrent create of the same id loses on the primary key.
      if (isUniqueViolation(error)) throw conflict(`An API token with the id '${id}' already exists; delete it first to issue a new one.`)
      throw error
    })
    return {
      ...view(id, assignments, expiresAtMs),
      token: formatApiToken({ sr: this.applicationId, sig: secret, skn: id, se: expiresAtMs }),
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

function view(id: string, roles: RoleAssignment[], expiresAtMs: number): ApiTokenView {
  return { id, roles, expiry: new Date(expiresAtMs).toISOString() }
}

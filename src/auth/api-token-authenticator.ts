import { timingSafeEqual } from 'node:crypto'
import type { Access, RoleAssignment } from '../authz/policy.js'
import type { Clock } from '../clock.js'
import { apiTokenRepository } from '../storage/repositories/api-token.repository.js'
import { FillGuard } from '../storage/fill-guard.js'
import type { Store } from '../storage/store.js'
import { parseApiTokenParameters, type ApiTokenFields } from './api-token-format.js'
import { isWellFormedSecret, secretMatches } from './api-token-secret.js'
import { BoundedCache } from './bounded-cache.js'
import { invalidToken } from './challenges.js'
import { makePrincipal, type PermissionResolver, type Principal } from './principal.js'

interface KnownToken {
  id: string
  secretHash: Buffer
  expiresAtMs: number
  assignments: readonly RoleAssignment[]
  /**
   * The secret once it has matched the stored hash, kept in this process's memory only (the same
   * memory every request carrying it passes through; it is never written anywhere): later requests
   * compare against it in constant time instead of hashing again, the costliest step of the path.
   */
  verifiedSecret?: Buffer
  /** After a rotation: the replaced secret's hash, accepted until `previousValidUntilMs`. */
  previousSecretHash?: Buffer
  previousValidUntilMs?: number
}

/**
 * Verifies `SharedAccessSignature` credentials. Known tokens are cached by id so that a request
 * does not read the store; the change feed drops an entry the moment its token is deleted,
 * here or on another node, and the secret is still checked on every request.
 */
export class ApiTokenAuthenticator {
  private readonly cache: BoundedCache<string, KnownToken>
  private readonly fill: FillGuard

  constructor(
    private readonly store: Store,
    private readonly applicationId: string,
    private readonly resolvePermissions: PermissionResolver,
    private readonly clock: Clock,
    cacheSize: number,
  ) {
    this.cache = new BoundedCache(cacheSize, 'apiTokens')
    store.changes.subscribe((topic, id) => {
      if (topic === null || id === null) this.cache.clear()
      else if (topic === 'apiToken') this.cache.delete(id)
    })
    this.fill = new FillGuard(store.changes, ['apiToken'])
  }

  /**
   * Returns the caller, or throws 401 with one body for every way a token can be wrong. A token
   * already known is answered without a promise: on the hot path every await is a turn of the
   * event loop's microtask queue, and they add up.
   */
  authenticate(parameters: string): Principal | Promise<Principal> {
    const fields = parseApiTokenParameters(parameters)
    if (!fields || fields.sr !== this.applicationId) throw invalidToken()
    const cached = this.store.changes.sync() ? this.cache.get(fields.skn) : undefined
    if (cached) return this.admit(fields, cached)
    return this.lookup(fields.skn, fields.sig).then((token) => this.admit(fields, token))
  }

  private admit(fields: ApiTokenFields, token: KnownToken | undefined): Principal | Promise<Principal> {
    if (!token) throw invalidToken()
    const presented = Buffer.from(fields.sig)
    const verified = token.verifiedSecret
    let matches: boolean
    if (verified) {
      matches = presented.length === verified.length && timingSafeEqual(presented, verified)
    } else {
      matches = secretMatches(fields.sig, token.secretHash)
      if (matches) token.verifiedSecret = presented
    }
    if (!matches && !this.matchesReplacedSecret(fields.sig, token)) throw invalidToken()
    // `se` is not secret but it is part of what was issued: an edited expiry is refused.
    if (fields.se !== token.expiresAtMs) throw invalidToken()
    if (token.expiresAtMs <= this.clock()) {
      throw invalidToken(`The API token expired at ${new Date(token.expiresAtMs).toISOString()}.`)
    }
    // The id as cached, not as parsed: one string for every request, its hash computed once.
    const principal = (access: Access): Principal =>
      makePrincipal('apiToken', token.id, 'SharedAccessSignature', token.assignments, access)
    const access = this.resolvePermissions(token.assignments)
    return access instanceof Promise ? access.then(principal) : principal(access)
  }

  /** A rotated token's previous secret, during its overlap (never cached as verified). */
  private matchesReplacedSecret(secret: string, token: KnownToken): boolean {
    const hash = token.previousSecretHash
    return hash !== undefined && (token.previousValidUntilMs ?? 0) > this.clock() && secretMatches(secret, hash)
  }

  private async lookup(id: string, secret: string): Promise<KnownToken | undefined> {
    // Garbage never reaches the store: the secret's checksum is checked before any lookup.
    if (!isWellFormedSecret(secret)) return undefined
    const ticket = this.fill.begin()
    const found = await apiTokenRepository.getWithAssignments(this.store.db, id)
    if (!found) return undefined
    const token: KnownToken = {
      id,
      secretHash: Buffer.from(found.secretHash, 'hex'),
      expiresAtMs: found.expiresAtMs,
      assignments: found.assignments,
      ...(found.previousSecretHash === null
        ? {}
        : {
            previousSecretHash: Buffer.from(found.previousSecretHash, 'hex'),
            previousValidUntilMs: found.previousValidUntilMs ?? 0,
          }),
    }
    // A delete or re-issue announced while the read ran may postdate what was read: not kept.
    if (this.fill.mayKeep(ticket)) this.cache.set(id, token)
    return token
  }
}

import { hash } from 'node:crypto'
import { errors, type JWTPayload } from 'jose'
import type { Clock } from '../../clock.js'
import { AppError } from '../../errors/app-error.js'
import { BoundedCache } from '../bounded-cache.js'
import { invalidToken } from '../challenges.js'
import { IssuerUnavailable, type IssuerKeys } from './issuer-keys.js'
import type { IssuerTrust } from './issuer-trust.js'
import { decodeToken, SignatureChecks, TokenError, type DecodedToken } from './signature-check.js'

/** A trusted issuer with the source of its keys. */
export interface TrustedIssuer {
  trust: IssuerTrust
  keys: IssuerKeys
}

interface KnownIssuer extends TrustedIssuer {
  signatures: SignatureChecks
}

/** What a verified token says about its bearer; identity is `(tenantId, objectId)`, never a mutable claim. */
export interface VerifiedToken {
  issuer: IssuerTrust
  tenantId: string
  objectId: string
  /** An application acting for itself (service principal), not a person. */
  appOnly: boolean
  email: string | null
  /** Group object ids; null when the token carries none. */
  groups: readonly string[] | null
  /** The issuer left the groups out because there were too many (`_claim_names.groups`). */
  groupOverage: boolean
  expiresAtMs: number
}

/**
 * Verifies bearer JWTs: pinned algorithms, exact issuer, accepted audiences, the issuer's own keys
 * (never keys named by the token: jose picks them from the issuer's key set), the signature by
 * fast-jwt on node:crypto (see SignatureChecks). A verified token is remembered by its hash until
 * it expires, so a repeated request does not verify the signature again, and is answered without
 * a promise.
 */
export class TokenVerifier {
  private readonly issuers: ReadonlyMap<string, KnownIssuer>
  private readonly verified: BoundedCache<string, VerifiedToken>

  constructor(
    issuers: readonly TrustedIssuer[],
    private readonly clock: Clock,
    cacheSize: number,
  ) {
    this.issuers = new Map(
      issuers.map((i) => [i.trust.issuer, { ...i, signatures: new SignatureChecks(i.trust) }]),
    )
    this.verified = new BoundedCache(cacheSize, 'bearerTokens')
  }

  get trusted(): readonly TrustedIssuer[] {
    return [...this.issuers.values()]
  }

  verify(token: string): VerifiedToken | Promise<VerifiedToken> {
    // Kept by digest, not by the token itself: one-shot, with no Hash object per request.
    const key = hash('sha256', token, 'base64url')
    const cached = this.verified.get(key)
    if (cached && cached.expiresAtMs > this.clock()) return cached
    if (cached) this.verified.delete(key)
    return this.verifyAnew(token).then((result) => {
      this.verified.set(key, result)
      return result
    })
  }

  private async verifyAnew(token: string): Promise<VerifiedToken> {
    // Header and claims read once, before the issuer is known (each read is a base64 decode and a
    // JSON parse of a token of a kilobyte or so: they showed in the profile of new tokens).
    let decoded: DecodedToken
    try {
      decoded = decodeToken(token)
    } catch {
      throw invalidToken()
    }
    const unverified = decoded.payload
    const issuer = typeof unverified.iss === 'string' ? this.issuers.get(unverified.iss) : undefined
    if (!issuer) {
      throw invalidToken(
        typeof unverified.iss === 'string'
          ? `The token's issuer '${unverified.iss}' is not trusted by this application.`
          : 'The token names no issuer (iss).',
      )
    }
    const { trust } = issuer
    let payload: JWTPayload
    try {
      // The algorithm is checked before any key is looked up, as jose's jwtVerify does.
      const header = decoded.header
      if (typeof header.alg !== 'string' || !trust.algorithms.includes(header.alg)) {
        throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed')
      }
      const [protectedHeader, body, signature] = token.split('.') as [string, string, string]
      const key = await issuer.keys.getKey({ ...header, alg: header.alg }, { protected: protectedHeader, payload: body, signature })
      payload = issuer.signatures.for(key as object)(token) as JWTPayload
      checkTimes(payload, trust, this.clock())
    } catch (error) {
      throw explain(error, unverified, trust)
    }
    // jose checks iat only against a maximum token age; a token issued later than now (beyond
    // the tolerance) comes from a clock or an issuer that cannot be trusted, so it is refused.
    if (
      typeof payload.iat === 'number' &&
      payload.iat > this.clock() / 1000 + trust.clockToleranceSeconds
    ) {
      throw invalidToken(
        `The token claims to be issued in the future (iat ${new Date(payload.iat * 1000).toISOString()}).`,
      )
    }
    return describe(payload, trust)
  }
}

function describe(payload: JWTPayload, trust: IssuerTrust): VerifiedToken {
  const claims = payload as JWTPayload & Record<string, unknown>
  const objectId = typeof claims.oid === 'string' ? claims.oid : payload.sub
  if (!objectId) throw invalidToken('The token identifies no principal (neither oid nor sub).')
  const tenantId = typeof claims.tid === 'string' ? claims.tid : trust.defaultTenant
  // Entra's advice: `idtyp=app` marks app-only tokens; without it, no `scp` and an `oid` does.
  const appOnly =
    claims.idtyp === 'app' ||
    (claims.idtyp === undefined && claims.scp === undefined && typeof claims.oid === 'string')
  const groups = Array.isArray(claims.groups)
    ? claims.groups.filter((g): g is string => typeof g === 'string')
    : null
  const claimNames = claims._claim_names as Record<string, unknown> | undefined
  return {
    issuer: trust,
    tenantId,
    objectId,
    appOnly,
    email: typeof claims.email === 'string' ? claims.email : null,
    groups,
    groupOverage: groups === null && typeof claimNames?.groups === 'string',
    expiresAtMs: (payload.exp as number) * 1000,
  }
}

/**
 * `exp` (required), `nbf` and `iat` against the server's clock with the issuer's tolerance, with
 * the errors jose gives for them.
 */
function checkTimes(payload: JWTPayload, trust: IssuerTrust, nowMs: number): void {
  const now = Math.floor(nowMs / 1000)
  const tolerance = trust.clockToleranceSeconds
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'number') {
      throw new errors.JWTClaimValidationFailed(`"${claim}" claim must be a number`, payload, claim, 'invalid')
    }
  }
  if (typeof payload.nbf === 'number' && payload.nbf > now + tolerance) {
    throw new errors.JWTClaimValidationFailed('"nbf" claim timestamp check failed', payload, 'nbf', 'check_failed')
  }
  if ((payload.exp as number) <= now - tolerance) {
    throw new errors.JWTExpired('"exp" claim timestamp check failed', payload, 'exp', 'check_failed')
  }
}

/** The verdict could not be reached because the issuer's key set could not be fetched. */
function keysUnreachable(error: unknown): boolean {
  return (
    error instanceof IssuerUnavailable ||
    error instanceof errors.JWKSTimeout ||
    (error instanceof TypeError && /fetch/i.test(error.message)) ||
    (error instanceof errors.JOSEError &&
      error.code === 'ERR_JOSE_GENERIC' &&
      /JSON Web Key Set/.test(error.message))
  )
}

/** Reasons are given where they are no oracle: a token's claims are readable by its holder. */
function explain(error: unknown, claims: JWTPayload, trust: IssuerTrust): AppError {
  if (keysUnreachable(error)) {
    return new AppError(
      'ServiceUnavailable',
      `The keys of the issuer '${trust.issuer}' cannot be fetched right now; retry shortly.`,
      { headers: { 'retry-after': '5' }, cause: error },
    )
  }
  if (error instanceof errors.JWTExpired) {
    const exp = typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : '?'
    return invalidToken(`The token expired at ${exp}.`)
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'aud':
        return invalidToken(
          `The token's audience ${JSON.stringify(claims.aud)} is not accepted; accepted: ${trust.audiences.join(', ')}.`,
        )
      case 'exp':
        return invalidToken('The token has no expiry (exp).')
      case 'nbf':
        return invalidToken(
          `The token is not valid before ${new Date((claims.nbf as number) * 1000).toISOString()}.`,
        )
      case 'iat':
        return invalidToken('The token claims to be issued in the future (iat).')
      default:
        return invalidToken(`The token's ${error.claim} claim is not valid: ${error.reason}.`)
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return invalidToken(
      `The token's signing algorithm is not accepted from this issuer (accepted: ${trust.algorithms.join(', ')}).`,
    )
  }
  if (error instanceof TokenError) {
    switch (error.code) {
      case TokenError.codes.missingRequiredClaim:
        return invalidToken('The token has no expiry (exp).')
      case TokenError.codes.invalidAlgorithm:
        return invalidToken(
          `The token's signing algorithm is not accepted from this issuer (accepted: ${trust.algorithms.join(', ')}).`,
        )
      case TokenError.codes.invalidClaimValue:
      case TokenError.codes.invalidClaimType:
        if (/\baud\b/.test(error.message)) {
          return invalidToken(
            `The token's audience ${JSON.stringify(claims.aud)} is not accepted; accepted: ${trust.audiences.join(', ')}.`,
          )
        }
    }
    return invalidToken(undefined, error.message)
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return invalidToken("The token was not signed with a key of its issuer.")
  }
  return invalidToken(undefined, error instanceof Error ? error.message : String(error))
}

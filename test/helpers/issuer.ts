import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose'
import type { EntraAuthorities } from '../../src/auth/bearer/issuer-trust.js'
import { LoopbackServer } from './loopback.js'

interface SigningKey {
  kid: string
  privateKey: CryptoKey
  publicJwk: JWK
}

export interface SignOptions {
  /** The `iss`; default the generic issuer. */
  issuer?: string
  audience?: string | string[] | null
  /** Lifetime in seconds from now (the issuer's own clock: Date.now()). Negative = expired. */
  expiresIn?: number | null
  notBefore?: number
  /** `iat` this many seconds from now (default 0: issued now). */
  issuedAt?: number
  /** Sign with this key instead of the current one (e.g. an attacker's). */
  key?: SigningKey
  /** Extra protected-header members (jwk, jku, crit, …). */
  header?: Record<string, unknown>
  /** Critical header parameters the signer should let through (jose refuses unknown ones). */
  crit?: Record<string, boolean>
}

/**
 * A real OpenID Connect issuer on loopback, standing in for Entra ID (v1 and v2 issuer forms) and
 * for any other issuer: discovery documents, a JWKS endpoint, and tokens signed with jose.
 * It can rotate its keys, and go down and come back on the same port.
 */
export class TestIssuer extends LoopbackServer {
  readonly tenantId = randomUUID()
  private keys: SigningKey[] = []
  /** How often the JWKS was fetched. */
  jwksFetches = 0

  static async start(): Promise<TestIssuer> {
    const issuer = new TestIssuer()
    issuer.keys = [await TestIssuer.newKey()]
    await issuer.up()
    return issuer
  }

  static async newKey(): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
    const kid = randomUUID()
    return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } }
  }

  /** A plain OIDC issuer (Keycloak-like). */
  get generic(): string {
    return `${this.base}/generic`
  }

  /** This issuer's Entra-shaped endpoints for its tenant. */
  get entra(): EntraAuthorities {
    return {
      v1Issuer: (tid) => `${this.base}/sts/${tid}/`,
      v1Discovery: (tid) => `${this.base}/${tid}/.well-known/openid-configuration`,
      v2Issuer: (tid) => `${this.base}/${tid}/v2.0`,
      v2Discovery: (tid) => `${this.base}/${tid}/v2.0/.well-known/openid-configuration`,
    }
  }

  get currentKey(): SigningKey {
    return this.keys[this.keys.length - 1] as SigningKey
  }

  /** Adds a new current key; the old ones stay published unless `dropOld`. */
  async rotate(dropOld = false): Promise<void> {
    const key = await TestIssuer.newKey()
    this.keys = dropOld ? [key] : [...this.keys, key]
  }

  async sign(claims: JWTPayload & Record<string, unknown>, options: SignOptions = {}): Promise<string> {
    const key = options.key ?? this.currentKey
    const now = Math.floor(Date.now() / 1000)
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT', ...options.header })
      .setIssuer(options.issuer ?? this.generic)
      .setIssuedAt(now + (options.issuedAt ?? 0))
    if (options.audience !== null) jwt.setAudience(options.audience ?? 'https://apps.azureiotcentral.com')
    if (options.expiresIn !== null) jwt.setExpirationTime(now + (options.expiresIn ?? 3600))
    if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore)
    return jwt.sign(key.privateKey, options.crit ? { crit: options.crit } : undefined)
  }

  private metadata(issuer: string) {
    return { issuer, jwks_uri: `${this.base}/keys`, token_endpoint: `${this.base}/token` }
  }

  protected handle(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? '/', this.base).pathname
    const send = (body: unknown) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify(body))
    }
    if (path === '/keys') {
      this.jwksFetches++
      return send({ keys: this.keys.map((k) => k.publicJwk) })
    }
    if (path === '/generic/.well-known/openid-configuration') return send(this.metadata(this.generic))
    const v2 = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path)
    if (v2) return send(this.metadata(this.entra.v2Issuer(v2[1] as string)))
    const v1 = /^\/([^/]+)\/\.well-known\/openid-configuration$/.exec(path)
    if (v1) return send(this.metadata(this.entra.v1Issuer(v1[1] as string)))
    response.writeHead(404).end()
  }

  async close(): Promise<void> {
    await this.down()
  }
}

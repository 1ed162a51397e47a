import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose'
import type { FastifyBaseLogger } from 'fastify'
import { checkIssuerUrl, type IssuerTrust } from './issuer-trust.js'

/** The issuer's keys cannot be had right now (discovery pending, or its JWKS unreachable). */
export class IssuerUnavailable extends Error {
  override name = 'IssuerUnavailable'
}

/** Where the keys of one trusted issuer come from. */
export interface IssuerKeys {
  readonly getKey: JWTVerifyGetKey
  /** Whether tokens of this issuer can be verified now (for the readiness probe). */
  usable(): boolean
  start(): void
  stop(): void
}

const DISCOVERY_TIMEOUT_MS = 5000
const JWKS_REFRESH_MS = 10 * 60_000
const MAX_RETRY_MS = 60_000

/**
 * Keys from the issuer's `jwks_uri`, found by discovery. Discovery that fails is retried in the
 * background with backoff; until it succeeds, this issuer's tokens are refused. Known keys never
 * expire by age: they are refreshed every ten minutes in the background, and a failed refresh
 * keeps them, so an issuer outage does not stop tokens signed with known keys. An unknown `kid`
 * triggers at most one refetch per cooldown (30 s unless configured; jose's cooldown).
 */
export class RemoteIssuerKeys implements IssuerKeys {
  private jwks: ReturnType<typeof createRemoteJWKSet> | null = null
  private timer: NodeJS.Timeout | null = null
  private retryMs = 1000
  private stopped = false

  constructor(
    private readonly trust: IssuerTrust & { discoveryUrl: string },
    private readonly log: FastifyBaseLogger,
  ) {}

  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (!this.jwks) {
      throw new IssuerUnavailable(`the issuer ${this.trust.issuer} has not been reached yet`)
    }
    return this.jwks(header, token)
  }

  usable(): boolean {
    return this.jwks !== null
  }

  start(): void {
    void this.discover()
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
  }

  private schedule(ms: number, work: () => Promise<void>): void {
    if (this.stopped) return
    this.timer = setTimeout(() => void work(), ms)
    this.timer.unref()
  }

  private async discover(): Promise<void> {
    try {
      const response = await fetch(this.trust.discoveryUrl, {
        signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
        headers: { accept: 'application/json' },
        redirect: 'error',
      })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown }
      if (metadata.issuer !== this.trust.issuer) {
        throw new Error(`its metadata names the issuer ${JSON.stringify(metadata.issuer)}`)
      }
      if (typeof metadata.jwks_uri !== 'string') throw new Error('its metadata has no jwks_uri')
      checkIssuerUrl(metadata.jwks_uri, `jwks_uri of ${this.trust.issuer}`)
      const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri), {
        cooldownDuration: this.trust.keyRefetchCooldownSeconds * 1000,
        cacheMaxAge: Number.POSITIVE_INFINITY,
        timeoutDuration: DISCOVERY_TIMEOUT_MS,
      })
      await jwks.reload()
      this.jwks = jwks
      this.log.info({ issuer: this.trust.issuer }, 'trusted issuer reached; its keys are loaded')
      this.schedule(JWKS_REFRESH_MS, () => this.refresh())
    } catch (error) {
      this.log.warn(
        { issuer: this.trust.issuer, retryInMs: this.retryMs },
        `trusted issuer could not be reached (${(error as Error).message}); its tokens are refused until it is`,
      )
      this.schedule(this.retryMs, () => this.discover())
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS)
    }
  }

  private async refresh(): Promise<void> {
    try {
      await this.jwks?.reload()
    } catch (error) {
      this.log.warn(
        { issuer: this.trust.issuer },
        `could not refresh the issuer's keys (${(error as Error).message}); keeping the known ones`,
      )
    }
    this.schedule(JWKS_REFRESH_MS, () => this.refresh())
  }
}

/** Keys held by this process (the embedded issuer): no network, reloaded when they change. */
export class LocalIssuerKeys implements IssuerKeys {
  private last: { jwks: JSONWebKeySet; getKey: JWTVerifyGetKey } | null = null

  constructor(private readonly publicKeys: () => Promise<JSONWebKeySet>) {}

  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const jwks = await this.publicKeys()
    if (this.last?.jwks !== jwks) this.last = { jwks, getKey: createLocalJWKSet(jwks) }
    return this.last.getKey(header, token)
  }

  usable(): boolean {
    return true
  }

  start(): void {}
  stop(): void {}
}

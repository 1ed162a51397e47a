import { readFileSync } from 'node:fs'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { ConfigError } from '../../config/load.js'
import type { Config } from '../../config/schema.js'

/** What OpenCentral accepts from one issuer: exact `iss`, keys, audiences, algorithms, clock. */
export interface IssuerTrust {
  /** The exact `iss` claim. */
  issuer: string
  /** OpenID configuration URL; its `jwks_uri` gives the keys. Absent for the embedded issuer. */
  discoveryUrl?: string
  audiences: readonly string[]
  algorithms: readonly string[]
  clockToleranceSeconds: number
  /** Whether an unbound email user may be bound on first sign-in by this issuer's `email` claim. */
  trustEmail: boolean
  /** The tenant of a token that carries no `tid` (issuers other than Entra). */
  defaultTenant: string
  /** Shortest time between two key-set fetches caused by unknown `kid`s. */
  keyRefetchCooldownSeconds: number
  /** When set, the web application offers to sign people in with this issuer. */
  webSignIn?: WebSignIn
}

/** The web application's registration at an external issuer (a public client: code + PKCE). */
export interface WebSignIn {
  /** The client id of the web application at that issuer (for Entra: the app registration). */
  clientId: string
  /** What the sign-in button names: "Sign in with <name>". */
  name: string
  /** The scopes asked for; by default `openid profile email` (plus `<audience>/.default` for Entra). */
  scope?: string
}

/** Where Microsoft Entra ID's issuers and metadata live; tests point it at a loopback issuer. */
export interface EntraAuthorities {
  v1Issuer(tenantId: string): string
  v1Discovery(tenantId: string): string
  v2Issuer(tenantId: string): string
  v2Discovery(tenantId: string): string
}

export const MICROSOFT_ENTRA: EntraAuthorities = {
  v1Issuer: (tid) => `https://sts.windows.net/${tid}/`,
  v1Discovery: (tid) => `https://login.microsoftonline.com/${tid}/.well-known/openid-configuration`,
  v2Issuer: (tid) => `https://login.microsoftonline.com/${tid}/v2.0`,
  v2Discovery: (tid) => `https://login.microsoftonline.com/${tid}/v2.0/.well-known/openid-configuration`,
}

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 60
export const MAX_CLOCK_TOLERANCE_SECONDS = 300
export const DEFAULT_KEY_REFETCH_COOLDOWN_SECONDS = 30
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']

const TrustFileEntry = Type.Object(
  {
    issuer: Type.Optional(Type.String({ minLength: 1 })),
    entraTenant: Type.Optional(
      Type.String({ pattern: '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$' }),
    ),
    audiences: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    algorithms: Type.Optional(Type.Array(Type.Enum(ASYMMETRIC), { minItems: 1 })),
    clockToleranceSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_CLOCK_TOLERANCE_SECONDS }),
    ),
    trustEmail: Type.Optional(Type.Boolean()),
    tenantId: Type.Optional(Type.String({ minLength: 1 })),
    keyRefetchCooldownSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
    webSignIn: Type.Optional(
      Type.Object(
        {
          clientId: Type.String({ minLength: 1 }),
          name: Type.String({ minLength: 1, maxLength: 64 }),
          scope: Type.Optional(Type.String({ minLength: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

/** The trust file: `{ "issuers": [ … ] }`, each entry an `issuer` URL or an `entraTenant`. */
export const TrustFileSchema = Type.Object(
  { issuers: Type.Array(TrustFileEntry) },
  { additionalProperties: false },
)
type TrustFileEntry = Static<typeof TrustFileEntry>

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

/** Plain http is accepted only for loopback hosts: keys fetched over the network need TLS. */
export function checkIssuerUrl(url: string, what: string): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ConfigError([`${what}: '${url}' is not a URL`])
  }
  if (parsed.protocol === 'https:') return
  if (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname)) return
  throw new ConfigError([`${what}: '${url}' must use https (plain http only on a loopback host)`])
}

function genericIssuer(issuer: string, entry: Partial<TrustFileEntry>, config: Config): IssuerTrust {
  checkIssuerUrl(issuer, 'trusted issuer')
  return {
    issuer,
    discoveryUrl: `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
    audiences: entry.audiences ?? config.audiences,
    algorithms: entry.algorithms ?? ['RS256'],
    clockToleranceSeconds: entry.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    trustEmail: entry.trustEmail ?? false,
    defaultTenant: entry.tenantId ?? issuer,
    keyRefetchCooldownSeconds:
      entry.keyRefetchCooldownSeconds ?? DEFAULT_KEY_REFETCH_COOLDOWN_SECONDS,
    ...(entry.webSignIn ? { webSignIn: entry.webSignIn } : {}),
  }
}

/** An Entra tenant is trusted in both issuer forms (v1 `sts.windows.net`, v2 `…/v2.0`). */
function entraIssuers(
  tenantId: string,
  entry: Partial<TrustFileEntry>,
  config: Config,
  entra: EntraAuthorities,
): IssuerTrust[] {
  const common = {
    audiences: entry.audiences ?? config.audiences,
    algorithms: entry.algorithms ?? ['RS256'],
    clockToleranceSeconds: entry.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    // Entra's email claim is mutable and may be unverified: never bind on it.
    trustEmail: false,
    defaultTenant: tenantId.toLowerCase(),
    keyRefetchCooldownSeconds:
      entry.keyRefetchCooldownSeconds ?? DEFAULT_KEY_REFETCH_COOLDOWN_SECONDS,
  }
  // People sign in to the web application through the v2 endpoints; v1 tokens are still accepted.
  const webSignIn = entry.webSignIn && {
    ...entry.webSignIn,
    scope:
      entry.webSignIn.scope ??
      `openid profile email ${(common.audiences[0] as string).replace(/\/$/, '')}/.default`,
  }
  return [
    { issuer: entra.v1Issuer(tenantId), discoveryUrl: entra.v1Discovery(tenantId), ...common },
    {
      issuer: entra.v2Issuer(tenantId),
      discoveryUrl: entra.v2Discovery(tenantId),
      ...common,
      ...(webSignIn ? { webSignIn } : {}),
    },
  ]
}

/**
 * The embedded issuer: trusted by default, for email too (its people sign in with the email they
 * were added with), with its own tenant.
 */
export function embeddedIssuerTrust(
  issuer: string,
  tenantId: string,
  audiences: readonly string[],
): IssuerTrust {
  return {
    issuer,
    audiences,
    algorithms: ['RS256', 'ES256'],
    clockToleranceSeconds: DEFAULT_CLOCK_TOLERANCE_SECONDS,
    trustEmail: true,
    defaultTenant: tenantId,
    keyRefetchCooldownSeconds: DEFAULT_KEY_REFETCH_COOLDOWN_SECONDS,
  }
}

function readTrustFile(file: string): TrustFileEntry[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new ConfigError([`trustFile (${file}): ${(error as Error).message}`])
  }
  const problems = [...Value.Errors(TrustFileSchema, parsed)].map(
    (e) => `trustFile (${file}) ${e.instancePath || '/'}: ${e.message}`,
  )
  if (problems.length > 0) throw new ConfigError(problems)
  const entries = (parsed as Static<typeof TrustFileSchema>).issuers
  for (const [index, entry] of entries.entries()) {
    if ((entry.issuer === undefined) === (entry.entraTenant === undefined)) {
      throw new ConfigError([
        `trustFile (${file}) /issuers/${index}: give exactly one of issuer and entraTenant`,
      ])
    }
  }
  return entries
}

/** Every external issuer the configuration trusts (the embedded issuer is added by the app). */
export function externalIssuers(
  config: Config,
  entra: EntraAuthorities = MICROSOFT_ENTRA,
): IssuerTrust[] {
  const fromFile = config.trustFile ? readTrustFile(config.trustFile) : []
  const result: IssuerTrust[] = [
    ...config.trustIssuers.map((issuer) => genericIssuer(issuer, {}, config)),
    ...config.trustEntraTenants.flatMap((tid) => entraIssuers(tid, {}, config, entra)),
    ...fromFile.flatMap((entry) =>
      entry.entraTenant
        ? entraIssuers(entry.entraTenant, entry, config, entra)
        : [genericIssuer(entry.issuer as string, entry, config)],
    ),
  ]
  const seen = new Set<string>()
  for (const trust of result) {
    if (seen.has(trust.issuer)) {
      throw new ConfigError([`trusted issuer '${trust.issuer}' is configured more than once`])
    }
    seen.add(trust.issuer)
  }
  return result
}

import type { FastifyBaseLogger } from 'fastify'
import type { EventEmitter } from 'node:events'
import Provider, { type AdapterFactory } from 'oidc-provider'
import { secretMatches, isWellFormedSecret } from '../auth/api-token-secret.js'
import type { AccountService } from './accounts.js'
import { staticClients } from './clients.js'
import { entraPaths } from './entra/entra-paths.js'
import { ACCESS_TOKEN_TTL_SECONDS, IDP_PATH, UI_CLIENT_ID } from './constants.js'
import type { Installation } from './installation.js'
import { deviceFlowPages, renderError, signOutPages } from './provider-pages.js'
import { resourceIndicators } from './resource-server.js'
import type { ServicePrincipalService } from './service-principals.js'
import type { SigningKey } from './signing-keys.js'
import { tokenClaimHooks } from './token-claims.js'

export interface ProviderDependencies {
  issuer: string
  publicUrl: string
  installation: Installation
  audiences: readonly string[]
  servicePrincipals: ServicePrincipalService
  accounts: AccountService
  adapter: AdapterFactory
  logger: FastifyBaseLogger
}

const DAY = 86_400

/**
 * One oidc-provider instance for a given set of signing keys. Everything else it keeps lives in
 * the store (through the adapter), so a new instance can take over at any time: that is how a
 * key rotation reaches a running server.
 */
export function buildProvider(deps: ProviderDependencies, keys: readonly SigningKey[]): Provider {
  const entra = entraPaths(deps.publicUrl, deps.installation.tenantId)
  const claims = tokenClaimHooks(entra, deps.servicePrincipals, deps.accounts)
  const provider = new Provider(deps.issuer, {
    adapter: deps.adapter,
    clients: staticClients(deps.publicUrl),
    // The current key first: oidc-provider signs with the first key that fits the algorithm.
    jwks: { keys: keys.map((key) => key.privateJwk) as never[] },
    cookies: { keys: deps.installation.cookieKeys },
    async findAccount(_ctx, sub) {
      const account = await deps.accounts.get(sub)
      if (!account) return undefined
      return {
        accountId: account.objectId,
        claims: () => ({
          sub: account.objectId,
          email: account.email,
          name: account.displayName ?? account.email,
          preferred_username: account.email,
        }),
      }
    },
    claims: { openid: ['sub'], email: ['email'], profile: ['name', 'preferred_username'] },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    // The web application, served from the public URL, calls the token endpoint with fetch; no
    // other client and no other origin is given cross-origin access.
    clientBasedCORS: (_ctx, origin, client) =>
      client.clientId === UI_CLIENT_ID && origin === new URL(deps.publicUrl).origin,
    interactions: { url: (_ctx, interaction) => `${IDP_PATH}/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true, ...deviceFlowPages },
      resourceIndicators: { enabled: true, ...resourceIndicators(deps.audiences) },
      revocation: { enabled: true },
      // The web application's Sign out ends the person's session here too (end_session_endpoint).
      rpInitiatedLogout: { enabled: true, ...signOutPages },
    },
    extraTokenClaims: claims.extraTokenClaims,
    formats: { customizers: { jwt: claims.customizeJwt } },
    renderError,
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_SECONDS,
      ClientCredentials: ACCESS_TOKEN_TTL_SECONDS,
      IdToken: ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      DeviceCode: 600,
      Interaction: 3600,
      RefreshToken: 14 * DAY,
      Session: 14 * DAY,
      Grant: 14 * DAY,
    },
  })

  // Service principal secrets are stored as SHA-256 hashes (`client_secret` holds the hash): hash
  // what is presented and compare in constant time. Malformed secrets are refused without hashing.
  provider.Client.prototype.compareClientSecret = function (
    this: { clientSecret?: string },
    actual: string,
  ) {
    const stored = this.clientSecret
    if (!stored || !isWellFormedSecret(actual)) return false
    return secretMatches(actual, Buffer.from(stored, 'hex'))
  }

  // MSAL addresses its client assertions to the token endpoint it was given, Entra's path here;
  // oidc-provider accepts only its own issuer and endpoint URLs unless told of these.
  const context = (
    provider as unknown as {
      OIDCContext: { prototype: { clientJwtAuthExpectedAudience(): Set<string> } }
    }
  ).OIDCContext.prototype
  const ownAudiences = context.clientJwtAuthExpectedAudience
  context.clientJwtAuthExpectedAudience = function (this: unknown) {
    const accepted = ownAudiences.call(this)
    for (const endpoint of entra.tokenEndpoints()) accepted.add(endpoint)
    return accepted
  }

  provider.on('server_error', (_ctx: unknown, error: Error) => {
    deps.logger.error({ err: error }, 'the identity provider failed to answer a request')
  })
  // Koa prints errors to the console unless someone listens (the typings omit Koa's own event).
  ;(provider as unknown as EventEmitter).on('error', (error: Error) => {
    deps.logger.error({ err: error }, 'the identity provider failed')
  })
  return provider
}

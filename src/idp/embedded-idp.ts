import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify'
import type { JWK as JsonWebKey } from 'jose'
import type { Clock } from '../clock.js'
import type { Config } from '../config/schema.js'
import type { FailureThrottle } from '../operations/failure-throttle.js'
import type { Store } from '../storage/store.js'
import { artifactAdapterFactory, purgeExpiredArtifacts } from './artifact-adapter.js'
import { isFirstPartyClient } from './clients.js'
import { IDP_PATH } from './constants.js'
import { entraPaths } from './entra/entra-paths.js'
import { entraRoutes } from './entra/entra-routes.js'
import { createIdpServices } from './idp-services.js'
import { interactionRoutes } from './interaction-routes.js'
import { buildProvider } from './provider-factory.js'
import { ProviderHolder } from './provider-holder.js'
import { providerMount } from './provider-mount.js'
import { publicUrlOf } from './public-url.js'
import { SigningKeyCache } from './signing-key-cache.js'
import { ensureSigningKey, publicJwkOf } from './signing-keys.js'

export interface EmbeddedIdp {
  readonly issuer: string // `${publicUrl}/oidc`
  readonly tenantId: string // one per installation, generated at first start, kept in the store
  /** The Entra-shaped names of the same issuer: `<public-url>/<tid>/v2.0` and `<public-url>/<tid>/`. */
  readonly entraIssuers: readonly string[]
  /** Public JWKS (current key and retired keys still valid for verification). Cheap: cached, reloaded when keys change (change feed). */
  publicKeys(): Promise<{ keys: JsonWebKey[] }>
  /** Fastify plugin serving the provider under /oidc (discovery at /oidc/.well-known/openid-configuration). */
  readonly plugin: FastifyPluginAsync<{ signInThrottle?: FailureThrottle | null }>
  close(): Promise<void>
}

const PURGE_INTERVAL_MS = 10 * 60 * 1000

/**
 * The embedded OpenID Connect issuer: its tenant id and first signing key are made on first
 * start; service principals, people, keys and the provider's sessions all live in the store, so
 * any number of servers sharing it act as one issuer.
 */
export async function createEmbeddedIdp(
  store: Store,
  config: Config,
  clock: Clock,
  logger: FastifyBaseLogger,
): Promise<EmbeddedIdp> {
  const publicUrl = publicUrlOf(config)
  const issuer = `${publicUrl}${IDP_PATH}`
  const services = await createIdpServices(store, clock)
  await ensureSigningKey(store, Math.floor(clock() / 1000))
  const keys = new SigningKeyCache(store, clock)
  const adapter = artifactAdapterFactory(store, clock, services.servicePrincipals)
  const providers = new ProviderHolder(keys, (current) =>
    buildProvider(
      { ...services, issuer, publicUrl, audiences: config.audiences, adapter, logger },
      current,
    ),
  )
  await providers.get()

  const purge = () =>
    purgeExpiredArtifacts(store, clock).catch((error: unknown) =>
      logger.warn({ err: error }, 'could not purge expired identity provider records'),
    )
  await purge()
  const purgeTimer = setInterval(purge, PURGE_INTERVAL_MS)
  purgeTimer.unref()

  const paths = entraPaths(publicUrl, services.installation.tenantId)
  // The same key set object while the keys are the same: the bearer verifier imports a key set
  // once per object, so a new object on every call would import the keys on every request.
  let published: { from: unknown; jwks: { keys: JsonWebKey[] } } | null = null
  const publicKeys = async () => {
    const current = await keys.get()
    if (published?.from !== current) published = { from: current, jwks: { keys: current.map(publicJwkOf) } }
    return published.jwks
  }
  const clients = {
    isKnown: async (clientId: string) =>
      isFirstPartyClient(clientId) ||
      (await services.servicePrincipals.findByAppId(clientId)) !== undefined,
    hasExpiredSecret: (clientId: string, secret: string) =>
      services.servicePrincipals.hasExpiredSecret(clientId, secret),
  }

  return {
    issuer,
    tenantId: services.installation.tenantId,
    entraIssuers: [paths.issuer('v2'), paths.issuer('v1')],
    publicKeys,
    plugin: async (app, { signInThrottle = null }) => {
      await app.register(interactionRoutes, {
        providers,
        accounts: services.accounts,
        publicUrl,
        throttle: signInThrottle,
      })
      await app.register(providerMount, { providers, publicUrl })
      await app.register(entraRoutes, { paths, publicUrl, publicKeys, clients })
    },
    async close() {
      clearInterval(purgeTimer)
    },
  }
}

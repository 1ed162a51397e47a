import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { LogController, type FastifyInstance, type FastifyBaseLogger } from 'fastify'
import { randomBytes } from 'node:crypto'
import { ApiTokenAuthenticator } from './auth/api-token-authenticator.js'
import { Authenticator } from './auth/authenticator.js'
import { BearerAuthenticator } from './auth/bearer/bearer-authenticator.js'
import { LocalIssuerKeys, RemoteIssuerKeys } from './auth/bearer/issuer-keys.js'
import {
  embeddedIssuerTrust,
  externalIssuers,
  type EntraAuthorities,
} from './auth/bearer/issuer-trust.js'
import { PrincipalMatcher } from './auth/bearer/principal-matcher.js'
import { TokenVerifier, type TrustedIssuer } from './auth/bearer/token-verifier.js'
import type { Config } from './config/schema.js'
import { authenticatePlugin, secureByDefaultPlugin } from './http/plugins/authenticate.js'
import { errorHandlerPlugin, frameworkError, sendError } from './http/plugins/error-handler.js'
import { validatorCompiler } from './http/validation.js'
import { parseQueryString, repeatedParametersPlugin } from './http/query-string.js'
import { withLazyChildren } from './operations/request-logger.js'
import { apiTokenRoutes } from './http/routes/api-tokens/index.js'
import { auditLogRoutes } from './http/routes/audit-logs/index.js'
import { auditPlugin } from './audit/audit-plugin.js'
import { AuditRetention } from './audit/audit-retention.js'
import { RefusalAggregator } from './audit/refusal-aggregator.js'
import { ExpiryWarnings } from './usage/expiry-warnings.js'
import { LastUsedRecorder } from './usage/last-used-recorder.js'
import { usagePlugin } from './usage/usage-plugin.js'
import { deviceTemplateRoutes } from './http/routes/device-templates/index.js'
import { fileUploadRoutes } from './http/routes/file-uploads/index.js'
import { deviceDataRoutes } from './http/routes/device-data/index.js'
import { deviceGroupRoutes } from './http/routes/device-groups/index.js'
import { deviceRoutes } from './http/routes/devices/index.js'
import { deviceConnectionRoutes } from './http/routes/device-connection/index.js'
import { deviceComponentRoutes } from './http/routes/device-components/index.js'
import { deviceRelationshipRoutes } from './http/routes/device-relationships/index.js'
import { deviceAttestationRoutes } from './http/routes/device-attestations/index.js'
import { enrollmentGroupRoutes } from './http/routes/enrollment-groups/index.js'
import { jobRoutes } from './http/routes/jobs/index.js'
import { meRoutes } from './http/routes/me/index.js'
import { organizationRoutes } from './http/routes/organizations/index.js'
import { roleRoutes } from './http/routes/roles/index.js'
import { scheduledJobRoutes } from './http/routes/scheduled-jobs/index.js'
import { serviceRoutes } from './http/routes/service.js'
import { dpsRoutes } from './device-plane/provisioning/dps-routes.js'
import { userRoutes } from './http/routes/users/index.js'
import { createServices, type Services } from './services/index.js'
import { systemClock, type Clock } from './clock.js'
import { createEmbeddedIdp, type EmbeddedIdp } from './idp/embedded-idp.js'
import { UI_CLIENT_ID } from './idp/constants.js'
import { uiPlugin } from './http/ui/ui-plugin.js'
import { uiSettings } from './http/ui/ui-settings.js'
import { AccountService } from './idp/accounts.js'
import { publicUrlOf } from './idp/public-url.js'
import { FirstRunSetup } from './setup/first-run-setup.js'
import { setupRoutes } from './setup/setup-routes.js'
import { openStore } from './storage/open-store.js'
import { serverTls } from './tls/server-tls.js'
import { startDevicePlane, type DevicePlane } from './device-plane/device-plane.js'
import { serverTimeouts } from './http/server-timeouts.js'
import type { Store } from './storage/store.js'
import type { Server } from 'node:http'
import { accessLogPlugin } from './operations/access-log.js'
import { authThrottlePlugin } from './operations/auth-throttle.js'
import { trustProxyOption } from './operations/client-address.js'
import { FailureThrottle } from './operations/failure-throttle.js'
import { healthRoutes } from './operations/health-routes.js'
import { createLogger } from './operations/log-options.js'
import type { Logger } from 'pino'
import { addDeviceMetrics, addTokenExpiryMetrics, createMetrics, requestMetricsPlugin } from './operations/metrics.js'
import { metricsRoute, startMetricsServer } from './operations/metrics-routes.js'
import { rateLimitPlugin } from './operations/rate-limits.js'

export interface AppDependencies {
  /** An already open store; by default the configured one is opened (and closed with the app). */
  store?: Store
  clock?: Clock
  /** The server's pino logger, e.g. one writing to a test stream. */
  logger?: Logger
  /** Where Entra ID's issuers live (Microsoft's by default; tests use a loopback issuer). */
  entra?: EntraAuthorities
}

export interface OpenCentralApp {
  app: FastifyInstance
  store: Store
  services: Services
  /** The embedded identity provider, served under /oidc; null when turned off. */
  idp: EmbeddedIdp | null
  /** The first-run setup link's maker (with the embedded issuer only). */
  setup: FirstRunSetup | null
  /** The device endpoint (MQTT over TLS and WebSockets) and this node's device sessions. */
  devicePlane: DevicePlane
  /** Background work of the audit log and token lifecycle (exposed so tests can run it now). */
  housekeeping: Housekeeping
  /** The unauthenticated metrics listener (`metricsPort`); null when not configured. */
  metricsServer: Server | null
  /** Closes the device endpoint, the metrics listener, the HTTP server, then the store (when the app opened it). */
  close(): Promise<void>
}

export interface Housekeeping {
  refusals: RefusalAggregator
  lastUsed: LastUsedRecorder
  retention: AuditRetention
  expiryWarnings: ExpiryWarnings
}

/**
 * Short lowercase request ids, in the style IoT Central quotes in its errors: a random prefix per
 * process (so nodes differ) and a counter (so ids are unique and cost nothing to make).
 */
function requestIds(): () => string {
  const prefix = randomBytes(3).toString('hex')
  let counter = 0
  return () => prefix + (counter++).toString(36).padStart(4, '0')
}

/** Builds the whole server (store, services, routes) without listening. */
export async function createApp(
  config: Config,
  deps: AppDependencies = {},
): Promise<OpenCentralApp> {
  const store =
    deps.store ??
    (await openStore(config, { schema: config.migrate ? 'migrate' : 'check', create: true }))
  const clock = deps.clock ?? systemClock
  let idp: EmbeddedIdp | null = null
  try {
    const services = await createServices(store, config, clock)
    const realm = config.publicUrl ? new URL(config.publicUrl).host : 'OpenCentral'
    const tls = await serverTls(config)
    const timeouts = serverTimeouts(config)
    const logger = withLazyChildren(deps.logger ?? createLogger(config))
    const app = Fastify({
      // Node reads these when it makes the server (the HTTPS options are the HTTP options too);
      // Fastify then sets the request and keep-alive timeouts itself, from its own options.
      ...(tls ? { https: { ...tls, ...timeouts } } : { http: timeouts }),
      requestTimeout: timeouts.requestTimeout,
      keepAliveTimeout: timeouts.keepAliveTimeout,
      loggerInstance: logger as FastifyBaseLogger,
      genReqId: requestIds(),
      requestIdHeader: false,
      // Per-request lines only when debugging: at info, errors and audit events are the log.
      logController: new LogController({
        requestIdLogLabel: 'requestId',
        disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
      }),
      // Off unless configured: X-Forwarded-For from anyone else would let clients pick their address.
      trustProxy: trustProxyOption(config) as boolean | string[],
      bodyLimit: config.bodyLimit,
      // Ids are checked by the services (422 on create, 404 otherwise), not cut off by the router.
      // Repeats of a query parameter with the same value count once (src/http/query-string.ts).
      routerOptions: { maxParamLength: 1024, querystringParser: parseQueryString },
      frameworkErrors: (error, request, reply) =>
        sendError(request, reply, frameworkError(error), realm),
    }).withTypeProvider<TypeBoxTypeProvider>()

    app.setValidatorCompiler(validatorCompiler())
    app.addContentTypeParser(
      'application/merge-patch+json',
      { parseAs: 'string' },
      app.getDefaultJsonParser('error', 'ignore'),
    )
    app.addHook('onRequest', (request, reply, done) => {
      reply.header('x-ms-request-id', request.id)
      done()
    })

    await app.register(errorHandlerPlugin, { realm })
    // Each costs nothing when turned off: its hooks are not registered.
    const metricsOn = config.metrics || config.metricsPort !== undefined
    const registry = metricsOn ? createMetrics(store) : null
    if (registry) await app.register(requestMetricsPlugin, { registry })
    // Its lines are at info: at a quieter level the hook would build each line for nothing.
    if (config.accessLog && logger.isLevelEnabled('info')) await app.register(accessLogPlugin)
    const throttle =
      config.authFailureLimit > 0 ? new FailureThrottle(config.authFailureLimit, clock) : null
    if (throttle) await app.register(authThrottlePlugin, { throttle })
    await app.register(repeatedParametersPlugin)
    await app.register(fastifySwagger, {
      openapi: {
        info: {
          title: 'OpenCentral — IoT Central REST API',
          version: '2022-07-31',
          description:
            'The IoT Central data-plane API. Every call carries `Authorization: SharedAccessSignature …` (an API token) or `Authorization: Bearer …`.',
        },
        components: {
          securitySchemes: {
            apiToken: { type: 'apiKey', in: 'header', name: 'Authorization' },
            bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          },
        },
        security: [{ apiToken: [] }, { bearer: [] }],
      },
    })
    await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' })
    await app.register(secureByDefaultPlugin)
    if (config.embeddedIdp) idp = await createEmbeddedIdp(store, config, clock, app.log)
    const embedded = idp
    // The embedded issuer under its own name and its two Entra-shaped names: one key source.
    const external = externalIssuers(config, deps.entra)
    const issuers: TrustedIssuer[] = [
      ...(embedded
        ? [embedded.issuer, ...embedded.entraIssuers].map((issuer) => ({
            trust: embeddedIssuerTrust(issuer, embedded.tenantId, config.audiences),
            keys: new LocalIssuerKeys(() => embedded.publicKeys()),
          }))
        : []),
      ...external.map((trust) => ({
        trust,
        keys: new RemoteIssuerKeys(
          { ...trust, discoveryUrl: trust.discoveryUrl as string },
          app.log,
        ),
      })),
    ]
    const bearer =
      issuers.length === 0
        ? null
        : new BearerAuthenticator(
            new TokenVerifier(issuers, clock, config.authCacheSize),
            new PrincipalMatcher(store, services.roles.permissionsOf, config.authCacheSize),
          )
    const authenticator = new Authenticator(
        new ApiTokenAuthenticator(
          store,
          services.applicationId,
          services.roles.permissionsOf,
          clock,
          config.authCacheSize,
        ),
        bearer,
    )
    await app.register(authenticatePlugin, { authenticator })
    app.addHook('onClose', async () => {
      for (const issuer of issuers) issuer.keys.stop()
    })

    services.audit.useLog(app.log)
    const housekeeping: Housekeeping = {
      refusals: new RefusalAggregator(services.audit, clock),
      lastUsed: new LastUsedRecorder(store, clock, app.log),
      retention: new AuditRetention(store, clock, config.auditRetentionDays, app.log),
      expiryWarnings: new ExpiryWarnings(store, clock, app.log),
    }
    await app.register(auditPlugin, { refusals: housekeeping.refusals })
    await app.register(usagePlugin, { recorder: housekeeping.lastUsed })

    await app.register(serviceRoutes, { store })
    await app.register(healthRoutes, {
      store,
      issuers: issuers.map(({ trust, keys }) => ({ issuer: trust.issuer, keys })),
    })
    if (registry) await app.register(metricsRoute, { registry, authenticator })
    await app.register(dpsRoutes, { registrations: services.deviceRegistrations })
    if (embedded) await app.register(embedded.plugin, { signInThrottle: throttle })
    await app.register(
      async (api) => {
        if (config.rateLimit > 0) await api.register(rateLimitPlugin, { config, store, applicationId: services.applicationId })
        await api.register(apiTokenRoutes, { apiTokens: services.apiTokens })
        await api.register(auditLogRoutes, { auditLogs: services.auditLogs, config })
        await api.register(roleRoutes, { roles: services.roles, customRoles: services.customRoles })
        await api.register(organizationRoutes, { organizations: services.organizations })
        await api.register(meRoutes, { callers: services.callers })
        await api.register(userRoutes, { users: services.users, config })
        await api.register(deviceRoutes, { devices: services.devices, config })
        await api.register(deviceConnectionRoutes, { connections: services.deviceConnections })
        await api.register(deviceGroupRoutes, { deviceGroups: services.deviceGroups, config })
        await api.register(deviceDataRoutes, {
          properties: services.deviceProperties,
          telemetry: services.deviceTelemetry,
          commands: services.deviceCommands,
          config,
        })
        await api.register(deviceRelationshipRoutes, { relationships: services.deviceRelationships, config })
        await api.register(deviceComponentRoutes, { models: services.deviceModels })
        await api.register(fileUploadRoutes, { fileUploads: services.fileUploads })
        await api.register(deviceTemplateRoutes, {
          deviceTemplates: services.deviceTemplates,
          config,
        })
        await api.register(enrollmentGroupRoutes, { enrollmentGroups: services.enrollmentGroups, config })
        await api.register(deviceAttestationRoutes, { deviceAttestations: services.deviceAttestations })
        await api.register(jobRoutes, { jobs: services.jobs, config })
        await api.register(scheduledJobRoutes, { scheduledJobs: services.scheduledJobs, config })
      },
      { prefix: '/api' },
    )
    // First-run setup and the web application both sign people in with the embedded issuer.
    let setup: FirstRunSetup | null = null
    if (embedded) {
      const publicUrl = publicUrlOf(config)
      setup = new FirstRunSetup({
        store,
        tenantId: embedded.tenantId,
        accounts: new AccountService(store, clock),
        users: services.users,
        publicUrl,
        clock,
      })
      await app.register(setupRoutes, { setup, publicUrl })
      await app.register(uiPlugin, {
        settings: uiSettings(
          { issuer: embedded.issuer, clientId: UI_CLIENT_ID },
          config.audiences,
          external,
        ),
      })
    }
    await app.ready()
    const devicePlane = await startDevicePlane(app, store, services, config, clock).catch(async (error: unknown) => {
      await app.close()
      throw error
    })
    for (const issuer of issuers) issuer.keys.start()
    services.jobs.runner.start(1000, app.log)
    housekeeping.retention.start()
    housekeeping.expiryWarnings.start()
    services.deviceTelemetry.retention.start(app.log)
    if (registry) addDeviceMetrics(registry, devicePlane.connectedDevices)
    if (registry) addTokenExpiryMetrics(registry, () => housekeeping.expiryWarnings.expiringSoon)
    const metricsServer =
      registry && config.metricsPort !== undefined
        ? await startMetricsServer(registry, config.metricsPort, config.host)
        : null

    return {
      app,
      store,
      services,
      idp,
      setup,
      devicePlane,
      housekeeping,
      metricsServer,
      async close() {
        await services.jobs.runner.stop()
        housekeeping.expiryWarnings.stop()
        await housekeeping.retention.stop()
        await devicePlane.close()
        await new Promise((resolve) => (metricsServer ? metricsServer.close(resolve) : resolve(null)))
        await app.close()
        // After the last answers: what they left to write is written before the store closes.
        await housekeeping.lastUsed.flush()
        await housekeeping.refusals.closeWindow()
        await services.deviceTelemetry.close()
        await idp?.close()
        if (!deps.store) await store.close()
      },
    }
  } catch (error) {
    await idp?.close()
    if (!deps.store) await store.close()
    throw error
  }
}

import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { randomBytes } from 'node:crypto'
import { ApiTokenAuthenticator } from './auth/api-token-authenticator.js'
import { Authenticator } from './auth/authenticator.js'
import type { Config } from './config/schema.js'
import { authenticatePlugin, secureByDefaultPlugin } from './http/plugins/authenticate.js'
import { errorHandlerPlugin, frameworkError, sendError } from './http/plugins/error-handler.js'
import { validatorCompiler } from './http/validation.js'
import { apiTokenRoutes } from './http/routes/api-tokens/index.js'
import { deviceTemplateRoutes } from './http/routes/device-templates/index.js'
import { deviceRoutes } from './http/routes/devices/index.js'
import { roleRoutes } from './http/routes/roles/index.js'
import { serviceRoutes } from './http/routes/service.js'
import { userRoutes } from './http/routes/users/index.js'
import { createServices, type Services } from './services/index.js'
import { systemClock, type Clock } from './clock.js'
import { createEmbeddedIdp, type EmbeddedIdp } from './idp/embedded-idp.js'
import { openStore } from './storage/open-store.js'
import type { Store } from './storage/store.js'

export interface AppDependencies {
  /** An already open store; by default the configured one is opened (and closed with the app). */
  store?: Store
  clock?: Clock
  /** Fastify's logger option, e.g. a pino instance writing to a test stream. */
  logger?: FastifyServerOptions['loggerInstance']
}

export interface OpenCentralApp {
  app: FastifyInstance
  store: Store
  services: Services
  /** The embedded identity provider, served under /oidc; null when turned off. */
  idp: EmbeddedIdp | null
  /** Closes the HTTP server, then the store (when the app opened it). */
  close(): Promise<void>
}

const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization']

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
export async function createApp(config: Config, deps: AppDependencies = {}): Promise<OpenCentralApp> {
  const store = deps.store ?? (await openStore(config))
  const clock = deps.clock ?? systemClock
  let idp: EmbeddedIdp | null = null
  try {
    const services = await createServices(store, config, clock)
    const realm = config.publicUrl ? new URL(config.publicUrl).host : 'OpenCentral'
    const app = Fastify({
      ...(deps.logger
        ? { loggerInstance: deps.logger }
        : { logger: { level: config.logLevel, redact: REDACT } }),
      genReqId: requestIds(),
      requestIdHeader: false,
      // Per-request lines only when debugging: at info, errors and audit events are the log.
      logController: new LogController({
        requestIdLogLabel: 'requestId',
        disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
      }),
      trustProxy: false,
      // Ids are checked by the services (422 on create, 404 otherwise), not cut off by the router.
      routerOptions: { maxParamLength: 1024 },
      frameworkErrors: (error, request, reply) =>
        sendError(request, reply, frameworkError(error), realm),
    }).withTypeProvider<TypeBoxTypeProvider>()

    app.setValidatorCompiler(validatorCompiler())
    app.addContentTypeParser(
      'application/merge-patch+json',
      { parseAs: 'string' },
      app.getDefaultJsonParser('error', 'ignore'),
    )
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-ms-request-id', request.id)
    })

    await app.register(errorHandlerPlugin, { realm })
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
    await app.register(authenticatePlugin, {
      authenticator: new Authenticator(
        new ApiTokenAuthenticator(
          store,
          services.applicationId,
          services.roles.permissionsOf,
          clock,
          config.authCacheSize,
        ),
      ),
    })

    await app.register(serviceRoutes, { store })
    if (config.embeddedIdp) {
      idp = await createEmbeddedIdp(store, config, clock, app.log)
      await app.register(idp.plugin)
    }
    await app.register(
      async (api) => {
        await api.register(apiTokenRoutes, { apiTokens: services.apiTokens })
        await api.register(roleRoutes, { roles: services.roles })
        await api.register(userRoutes, { users: services.users, config })
        await api.register(deviceRoutes, { devices: services.devices, config })
        await api.register(deviceTemplateRoutes, { deviceTemplates: services.deviceTemplates, config })
      },
      { prefix: '/api' },
    )
    await app.ready()

    return {
      app,
      store,
      services,
      idp,
      async close() {
        await app.close()
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

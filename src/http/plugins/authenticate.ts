import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Authenticator } from '../../auth/authenticator.js'
import type { Principal } from '../../auth/principal.js'
import type { Permission } from '../../authz/permissions.js'
import { AppError } from '../../errors/app-error.js'
import { authorizationHeader } from '../authorization-header.js'
import { CURRENT_GA, checkApiVersion, checkCapability, type Capability } from '../api-versions.js'
import '../route-config.js'

type HookDone = (error?: Error) => void

function holdsAny(held: ReadonlySet<Permission>, wanted: Permission | readonly Permission[]) {
  return typeof wanted === 'string' ? held.has(wanted) : wanted.some((p) => held.has(p))
}

/**
 * Authentication, api-version (and whether the route exists in it) and authorization for every
 * protected route, in that order, before the body is read: an unauthenticated or unauthorized
 * caller learns nothing about schemas. The check is attached to each route as it is registered, with its permission bound, so public routes
 * pay nothing and protected ones do not look their configuration up on every request.
 */
export const authenticatePlugin = fp<{ authenticator: Authenticator }>(
  async (app: FastifyInstance, { authenticator }) => {
    app.decorateRequest('principal', null)
    app.decorateRequest('apiVersion', CURRENT_GA)
    /** The checks after authentication; `done` gets the first failure, or nothing. */
    const admit = (
      request: FastifyRequest,
      principal: Principal,
      permission: Permission | readonly Permission[] | undefined,
      capability: Capability | undefined,
      done: HookDone,
    ): void => {
      try {
        request.principal = principal
        const version = checkApiVersion((request.query as Record<string, unknown>)['api-version'])
        request.apiVersion = version
        checkCapability(version, capability)
        if (permission === undefined || holdsAny(principal.permissions, permission)) return done()
        const wanted = typeof permission === 'string' ? permission : permission.join(' or ')
        done(new AppError('Forbidden', `You do not have permission to do this: it needs ${wanted}.`))
      } catch (error) {
        done(error as Error)
      }
    }
    // A callback hook, not an async one: a known credential is answered with no promise at all.
    const guard =
      (permission: Permission | readonly Permission[] | undefined, capability: Capability | undefined) =>
      (request: FastifyRequest, _reply: FastifyReply, done: HookDone): void => {
        let known: Principal | Promise<Principal>
        try {
          known = authenticator.authenticate(authorizationHeader(request))
        } catch (error) {
          return done(error as Error)
        }
        if (!(known instanceof Promise)) return admit(request, known, permission, capability, done)
        known.then((principal) => admit(request, principal, permission, capability, done), done)
      }
    app.addHook('onRoute', (route) => {
      const config = (route.config ?? {}) as FastifyContextConfig
      if (config.public || (config.permission === undefined && !config.authenticated)) return
      const own = route.onRequest === undefined ? [] : [route.onRequest].flat()
      route.onRequest = [guard(config.permission, config.capability), ...own]
    })
  },
)

/** Fails start-up for any route that declares no permission, `authenticated` nor `public: true`. */
export const secureByDefaultPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as {
      permission?: unknown
      authenticated?: boolean
      public?: boolean
    }
    const declared = config.public || config.authenticated || config.permission !== undefined
    if (!declared && route.method !== 'HEAD') {
      throw new TypeError(
        `Route ${String(route.method)} ${route.url} declares neither a permission, authenticated nor public: true`,
      )
    }
  })
})

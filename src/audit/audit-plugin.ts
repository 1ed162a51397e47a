import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../errors/app-error.js'
import { actorOf } from './audit-trail.js'
import { isRecorded } from './audited.js'
import { claimedActor } from './claimed-actor.js'
import type { RefusalAggregator } from './refusal-aggregator.js'
import { requestOrigin } from './request-origin.js'

/**
 * The audit log's two HTTP hooks. Around the handlers of requests that can change something, it
 * makes the request's client address and id known to the service layer, which records changes.
 * On errors only, it records refused requests (failed authentication: `auth.failure`; missing
 * permission at the route: `auth.denied`) through the aggregator that keeps them from flooding
 * the store. Reads that succeed cost nothing here.
 */
export const auditPlugin = fp<{ refusals: RefusalAggregator }>(async (app: FastifyInstance, { refusals }) => {
  const knowOrigin = (request: FastifyRequest, _reply: FastifyReply, done: () => void): void => {
    if (request.method === 'GET' || request.method === 'HEAD') return done()
    requestOrigin.run({ clientAddress: request.ip, requestId: request.id }, done)
  }
  // Attached to the routes that can change something only: a read does not even pass a hook.
  app.addHook('onRoute', (route) => {
    if ([route.method].flat().every((method) => method === 'GET' || method === 'HEAD')) return
    const own = route.preHandler === undefined ? [] : [route.preHandler].flat()
    route.preHandler = [knowOrigin, ...own]
  })
  app.addHook('onError', (request, _reply, error, done) => {
    if (error instanceof AppError && !isRecorded(error)) {
      const where = { clientAddress: request.ip, requestId: request.id }
      if (error.status === 401) {
        refusals.refused({
          action: 'auth.failure',
          actor: claimedActor(request.headers.authorization),
          target: null,
          outcome: 'failed',
          status: 401,
          ...where,
        })
      } else if (error.status === 403 && request.principal) {
        refusals.refused({
          action: 'auth.denied',
          actor: actorOf(request.principal),
          target: `${request.method} ${request.url.split('?')[0]}`.slice(0, 256),
          outcome: 'denied',
          status: 403,
          ...where,
        })
      }
    }
    done()
  })
})

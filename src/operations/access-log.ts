import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { callerKey } from './rate-limits.js'

/**
 * One info line per answered request: who called (token id, user id, or the address when there
 * was no credential), what, the outcome and how long it took. Only ids: never a credential, a
 * query string or a body.
 */
export const accessLogPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        caller: request.principal ? callerKey(request) : null,
        method: request.method,
        route: request.routeOptions.url ?? null,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        client: request.ip,
      },
      'request',
    )
    done()
  })
})

import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../errors/app-error.js'
import { carriesAuthorization } from '../http/authorization-header.js'
import { retryAfterSeconds, type FailureThrottle } from './failure-throttle.js'

/**
 * Locks out an address that keeps failing authentication on the API: every 401 counts, and while
 * locked, any request carrying a credential is answered 429 before it is checked, so a guess
 * cannot be confirmed even when it is right.
 */
export const authThrottlePlugin = fp<{ throttle: FailureThrottle }>(
  async (app: FastifyInstance, { throttle }) => {
    app.addHook('onRequest', (request, _reply, done) => {
      const wait = carriesAuthorization(request) ? throttle.lockedFor(request.ip) : 0
      if (wait === 0) return done()
      const seconds = retryAfterSeconds(wait)
      done(
        new AppError(
          'TooManyRequests',
          `Too many failed authentications from this address; retry after ${seconds} seconds.`,
          { headers: { 'retry-after': seconds } },
        ),
      )
    })
    app.addHook('onResponse', (request, reply, done) => {
      if (reply.statusCode === 401) throttle.fail(request.ip)
      done()
    })
  },
)

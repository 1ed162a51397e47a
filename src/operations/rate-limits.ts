import fastifyRateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'
import { closeRedis } from '../redis/redis-connection.js'
import type { Config } from '../config/schema.js'
import { AppError } from '../errors/app-error.js'
import type { Store } from '../storage/store.js'
import { retryAfterSeconds } from './failure-throttle.js'
import { PostgresRateLimitStore } from './postgres-rate-limit-store.js'

/** Who a limit counts against: the credential when there is one, else the client address. */
export function callerKey(request: FastifyRequest): string {
  const principal = request.principal
  if (!principal) return `address:${request.ip}`
  return principal.type === 'apiToken' ? `token:${principal.id}` : `user:${principal.id}`
}

/** How long a count may wait for Redis before the request goes through uncounted. */
const REDIS_COMMAND_TIMEOUT_MS = 250

/** Where the counters live: Redis when configured, else PostgreSQL, else this process. */
export type RateLimitBackend = 'redis' | 'postgres' | 'memory'

export function rateLimitBackend(config: Pick<Config, 'redisUrl'>, store: Store): RateLimitBackend {
  if (config.redisUrl) return 'redis'
  return store.dialect === 'postgres' ? 'postgres' : 'memory'
}

/**
 * Per-caller request limits on the routes of the scope it is registered in (the API), checked
 * after authentication so a token's requests count against the token wherever they come from.
 * A counter store that cannot be reached lets requests through (logged): limits protect the
 * server, they are not access control.
 */
export const rateLimitPlugin = fp<{ config: Config; store: Store; applicationId: string }>(
  async (app: FastifyInstance, { config, store, applicationId }) => {
    const backend = rateLimitBackend(config, store)
    // Without the offline queue a count asked while Redis is away fails at once, and the request
    // goes through; with it, the request would wait for ioredis to give up reconnecting (a minute).
    // A Redis that takes the connection but does not answer lets the request through after the
    // command timeout.
    const redis =
      backend === 'redis'
        ? new Redis(config.redisUrl as string, {
            lazyConnect: false,
            enableOfflineQueue: false,
            commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
          })
        : null
    const postgres = backend === 'postgres' ? new PostgresRateLimitStore(store.db) : null
    redis?.on('error', (error: Error) =>
      app.log.warn({ err: { message: error.message } }, 'rate-limit counters in Redis unreachable'),
    )
    await app.register(fastifyRateLimit, {
      global: true,
      hook: 'onRequest',
      max: config.rateLimit,
      timeWindow: 1000,
      keyGenerator: callerKey,
      skipOnError: true,
      // Applications sharing one Redis count apart (as their device buses do).
      nameSpace: `opencentral:${applicationId}:rate:`,
      ...(redis ? { redis } : {}),
      // The plugin constructs its store; this one already exists (it holds the purge timer).
      ...(postgres ? { store: function sharedStore() { return postgres } as never } : {}),
      errorResponseBuilder: (_request, context) =>
        new AppError(
          'TooManyRequests',
          `Too many requests: at most ${context.max} per second are allowed; retry after ${retryAfterSeconds(context.ttl)} seconds.`,
          { headers: { 'retry-after': retryAfterSeconds(context.ttl) } },
        ),
    })
    app.addHook('onClose', async () => {
      postgres?.close()
      if (redis) await closeRedis(redis)
    })
  },
)

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { cacheStatistics } from '../auth/bounded-cache.js'
import type { Store } from '../storage/store.js'

/** Why an authentication was refused, read from the challenge the error handler wrote. */
function refusalReason(reply: FastifyReply): string {
  const challenge = reply.getHeader('www-authenticate')
  if (typeof challenge !== 'string') return 'refused'
  const error = /error="([a-z_]+)"/.exec(challenge)
  return error ? (error[1] as string) : 'missing_credential'
}

function schemeOf(request: FastifyRequest): string {
  const header = request.headers.authorization
  if (!header) return 'none'
  if (header.startsWith('SharedAccessSignature ')) return 'SharedAccessSignature'
  if (header.startsWith('Bearer ')) return 'Bearer'
  return 'other'
}

/**
 * The server's Prometheus metrics, in a registry of its own (one per app, so several apps in a
 * process do not mix). Requests are labelled by route pattern, never by raw URL, so the series
 * stay few whatever ids clients send.
 */
export function createMetrics(store: Store): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  new Gauge({
    name: 'opencentral_change_feed_healthy',
    help: '1 while changes made on other nodes are being received (caches are trusted), else 0.',
    registers: [registry],
    collect() {
      this.set(store.changes.sync() ? 1 : 0)
    },
  })
  const lagMs = store.changes.lagMs?.bind(store.changes)
  if (lagMs) {
    new Gauge({
      name: 'opencentral_change_feed_lag_seconds',
      help: 'How late a change made on another node is heard here (the change feed heartbeat round trip); absent while disconnected.',
      registers: [registry],
      collect() {
        this.reset()
        const lag = lagMs()
        if (lag !== null) this.set(lag / 1000)
      },
    })
  }
  new Counter({
    name: 'opencentral_auth_cache_lookups_total',
    help: 'Lookups in the authentication caches (apiTokens, bearerTokens, bearerPrincipals), by result.',
    labelNames: ['cache', 'result'],
    registers: [registry],
    collect() {
      this.reset()
      for (const cache of cacheStatistics()) {
        this.inc({ cache: cache.name, result: 'hit' }, cache.hits)
        this.inc({ cache: cache.name, result: 'miss' }, cache.misses)
      }
    },
  })
  new Gauge({
    name: 'opencentral_auth_cache_entries',
    help: 'Entries held by each authentication cache.',
    labelNames: ['cache'],
    registers: [registry],
    collect() {
      this.reset()
      for (const cache of cacheStatistics()) this.set({ cache: cache.name }, cache.size)
    },
  })
  if (store.poolStats) {
    const stats = store.poolStats
    new Gauge({
      name: 'opencentral_store_pool_connections',
      help: 'PostgreSQL pool connections by state (total, idle) and queued requests (waiting).',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const now = stats()
        this.set({ state: 'total' }, now.total)
        this.set({ state: 'idle' }, now.idle)
        this.set({ state: 'waiting' }, now.waiting)
      },
    })
  }
  return registry
}

/** Counts and times every request, and authentications by outcome, into the registry. */
export const requestMetricsPlugin = fp<{ registry: Registry }>(
  async (app: FastifyInstance, { registry }) => {
    const requests = new Counter({
      name: 'opencentral_http_requests_total',
      help: 'HTTP requests by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    })
    const duration = new Histogram({
      name: 'opencentral_http_request_duration_seconds',
      help: 'Time from request to response, by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    })
    const authentications = new Counter({
      name: 'opencentral_authentications_total',
      help: 'Authentications on protected routes by scheme and outcome (success, or the reason of the refusal).',
      labelNames: ['scheme', 'outcome'],
      registers: [registry],
    })
    app.addHook('onResponse', (request, reply, done) => {
      // Unmatched URLs share one label: a scanner cannot grow the series.
      const route = request.routeOptions.url ?? 'unmatched'
      const status = reply.statusCode
      requests.inc({ method: request.method, route, status })
      duration.observe({ method: request.method, route }, reply.elapsedTime / 1000)
      if (request.principal) {
        authentications.inc({ scheme: request.principal.scheme, outcome: 'success' })
      } else if (status === 401) {
        authentications.inc({ scheme: schemeOf(request), outcome: refusalReason(reply) })
      }
      done()
    })
  },
)

/** Sessions on this node's device endpoint, once it is running. */
export function addDeviceMetrics(registry: Registry, connectedDevices: () => number): void {
  new Gauge({
    name: 'opencentral_connected_devices',
    help: 'Devices and modules connected to this node over MQTT (TLS or WebSockets).',
    registers: [registry],
    collect() {
      this.set(connectedDevices())
    },
  })
}

/** API tokens expiring within the warning window, as of the last hourly check. */
export function addTokenExpiryMetrics(registry: Registry, expiringSoon: () => number | null): void {
  new Gauge({
    name: 'opencentral_api_tokens_expiring_soon',
    help: 'API tokens that expire within 14 days, as of the last hourly check (absent before the first).',
    registers: [registry],
    collect() {
      this.reset()
      const count = expiringSoon()
      if (count !== null) this.set(count)
    },
  })
}

import type { FastifyInstance } from 'fastify'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'
import type { Authenticator } from '../auth/authenticator.js'
import { AppError } from '../errors/app-error.js'

/**
 * GET /metrics on the main port, for callers holding metrics.read (Administrators). It takes no
 * api-version: scrapers speak Prometheus, not the IoT Central API.
 */
export async function metricsRoute(
  app: FastifyInstance,
  { registry, authenticator }: { registry: Registry; authenticator: Authenticator },
) {
  app.get(
    '/metrics',
    {
      config: { public: true },
      schema: { hide: true },
      onRequest: async (request) => {
        const principal = await authenticator.authenticate(request.headers.authorization)
        request.principal = principal
        if (!principal.permissions.has('metrics.read')) {
          throw new AppError('Forbidden', 'You do not have permission to do this: it needs metrics.read.')
        }
      },
    },
    async (_request, reply) => {
      reply.header('content-type', registry.contentType).header('cache-control', 'no-store')
      return registry.metrics()
    },
  )
}

/**
 * A listener of its own that serves only GET /metrics, without authentication: meant for a port
 * only the scraper can reach. Resolves once listening.
 */
export async function startMetricsServer(
  registry: Registry,
  port: number,
  host: string,
): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Only GET /metrics is served here.\n')
      return
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return server
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port
}

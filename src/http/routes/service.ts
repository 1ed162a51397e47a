import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { AppError } from '../../errors/app-error.js'
import type { Store } from '../../storage/store.js'

/** Public routes about the server itself: health and the OpenAPI document. */
export async function serviceRoutes(app: FastifyInstance, { store }: { store: Store }) {
  app.get(
    '/healthz',
    { config: { public: true }, schema: { hide: true } },
    async () => {
      try {
        await sql`select 1`.execute(store.db)
      } catch (error) {
        throw new AppError('ServiceUnavailable', 'The store is unavailable.', {
          headers: { 'retry-after': '5' },
          cause: error,
        })
      }
      return { status: 'ok' }
    },
  )

  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  )
}

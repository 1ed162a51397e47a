import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import type { IssuerKeys } from '../auth/bearer/issuer-keys.js'
import type { Store } from '../storage/store.js'
import { buildInfo } from './build-info.js'

const STORE_TIMEOUT_MS = 2000

export interface HealthOptions {
  store: Store
  /** Every trusted issuer by name, with its key source. */
  issuers: readonly { issuer: string; keys: IssuerKeys }[]
}

async function storeReachable(store: Store): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), STORE_TIMEOUT_MS)
  })
  try {
    return await Promise.race([
      sql`select 1`.execute(store.db).then(
        () => true,
        () => false,
      ),
      timeout,
    ])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Probes for orchestrators and people, public and without secrets: /livez (the process answers),
 * /readyz (the store, every trusted issuer's keys and the change feed are usable) and /version.
 */
export async function healthRoutes(app: FastifyInstance, { store, issuers }: HealthOptions) {
  const info = { ...buildInfo(), node: process.version, store: store.dialect }
  const options = { config: { public: true }, schema: { hide: true } } as const

  app.get('/livez', options, async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return { status: 'alive' }
  })

  app.get('/readyz', options, async (_request, reply) => {
    const failing: string[] = []
    const checks: Record<string, string> = {}
    checks.store = (await storeReachable(store)) ? 'ok' : 'unreachable'
    if (checks.store !== 'ok') failing.push('store')
    checks.changeFeed = store.changes.sync() ? 'ok' : 'disconnected'
    if (checks.changeFeed !== 'ok') failing.push('changeFeed')
    const issuerChecks: Record<string, string> = {}
    for (const { issuer, keys } of issuers) {
      issuerChecks[issuer] = keys.usable() ? 'ok' : 'keys unavailable'
      if (!keys.usable()) failing.push(`issuer ${issuer}`)
    }
    reply.code(failing.length === 0 ? 200 : 503).header('cache-control', 'no-store')
    return {
      status: failing.length === 0 ? 'ready' : 'not ready',
      ...(failing.length > 0 ? { failing } : {}),
      checks: { ...checks, issuers: issuerChecks },
    }
  })

  app.get('/version', options, async () => info)
}

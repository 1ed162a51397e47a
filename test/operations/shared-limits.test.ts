import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { ROLE_IDS } from '../../src/authz/builtin-roles.js'
import { startNodes, type Cluster } from '../helpers/cluster.js'
import { createTestDatabase, DIALECTS } from '../helpers/dialects.js'
import { eventually } from '../helpers/local-links.js'
import { deleteRedisKeys, findRedisKeys, REDIS_URL } from '../helpers/redis.js'
import {
  API_VERSION,
  expectTooMany,
  readResponse,
  startServer,
  type ApiResponse,
  type TestServer,
} from '../helpers/server.js'
import { startTcpRelay, type TcpRelay } from '../helpers/tcp-relay.js'

/** Sets apart every caller (and so every counter key) made here from other runs on the same Redis. */
const RUN = randomBytes(4).toString('hex')
const LIMIT = 3

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs `requests` at the start of a fresh one-second window, and again when a try took too long to
 * fit in one (a busy machine), so that what the test sees is the count, not the clock.
 */
async function inOneWindow<T>(requests: () => Promise<T>): Promise<T> {
  for (let attempt = 0; attempt < 3; attempt++) {
    await sleep(1100)
    const started = Date.now()
    const result = await requests()
    if (Date.now() - started < 900) return result
  }
  throw new Error('three tries each took longer than a window: too busy to count requests')
}

function sharedLimitBehaviour(counters: 'Redis' | 'PostgreSQL') {
  const label = `request limits of two nodes on PostgreSQL, counted in ${counters}`
  describe(label, { skip: !DIALECTS.includes('postgres') }, () => {
    const limited = `limited-${counters}-${RUN}`
    const other = `other-${counters}-${RUN}`
    const tokens = new Map<string, string>()
    let database: Awaited<ReturnType<typeof createTestDatabase>>
    let cluster: Cluster

    before(async () => {
      database = await createTestDatabase()
      cluster = await startNodes(2, {
        databaseUrl: database.url,
        config: { rateLimit: LIMIT, ...(counters === 'Redis' ? { redisUrl: REDIS_URL } : {}) },
      })
      for (const id of [limited, other]) {
        const roles = [{ role: ROLE_IDS.operator }]
        tokens.set(id, (await cluster.nodes[0]!.services.apiTokens.create(null, id, { roles })).token)
      }
    })
    after(async () => {
      await cluster?.close()
      await database?.drop()
      if (counters === 'Redis') await deleteRedisKeys(`*${RUN}`)
    })

    const get = async (node: number, caller: string): Promise<ApiResponse> =>
      readResponse(
        await fetch(`${cluster.urls[node]}/api/devices?api-version=${API_VERSION}`, {
          headers: { authorization: tokens.get(caller)! },
        }),
      )

    it('refuses a caller beyond the limit on either node, counting both; others go on', async () => {
      const { spread, others } = await inOneWindow(async () => {
        // A, B, A, B, A: no node alone sees more than the limit (3); together they see five.
        const spread: ApiResponse[] = []
        for (const node of [0, 1, 0, 1, 0]) spread.push(await get(node, limited))
        const others = [await get(0, other), await get(1, other)]
        return { spread, others }
      })
      assert.deepEqual(spread.map((r) => r.status), [200, 200, 200, 429, 429])
      for (const refused of spread.slice(LIMIT)) {
        expectTooMany(refused)
        assert.match(refused.body.error.message, /at most 3 per second/)
      }
      assert.deepEqual(others.map((r) => r.status), [200, 200])
    })

    it(`keeps the counters in ${counters}`, async () => {
      const rows = await cluster.nodes[0]!.store.db
        .selectFrom('rate_limit_counters')
        .select('key')
        .where('key', '=', `token:${limited}`)
        .execute()
      assert.equal(rows.length, counters === 'PostgreSQL' ? 1 : 0)
      if (counters === 'Redis') {
        // A counter lives for one window: look for it right after a request (counted, answered
        // or refused), and again if it was already gone.
        let keys: string[] = []
        for (let attempt = 0; attempt < 3 && keys.length === 0; attempt++) {
          await get(1, limited)
          keys = await findRedisKeys(`*token:${limited}`)
        }
        assert.equal(keys.length, 1)
      }
    })
  })
}

sharedLimitBehaviour('Redis')
sharedLimitBehaviour('PostgreSQL')

describe('request limits when Redis cannot be reached', () => {
  const caller = `unreachable-${RUN}`
  let relay: TcpRelay
  let server: TestServer
  let token: string

  before(async () => {
    const redis = new URL(REDIS_URL)
    relay = await startTcpRelay({ host: redis.hostname, port: Number(redis.port || 6379) })
    const throughRelay = new URL(REDIS_URL)
    throughRelay.hostname = '127.0.0.1'
    throughRelay.port = String(relay.port)
    server = await startServer('sqlite', { config: { rateLimit: 2, redisUrl: throughRelay.href } })
    token = await server.createToken(caller, [ROLE_IDS.operator])
  })
  after(async () => {
    await server?.close()
    await relay?.cut()
    await deleteRedisKeys(`*${RUN}`)
  })

  const get = () => server.request('GET', '/api/devices', { auth: token })
  const warned = () =>
    server.logs.some((line) => {
      const entry = JSON.parse(line)
      return entry.level === 40 && entry.msg === 'rate-limit counters in Redis unreachable'
    })

  // Limits protect the server, they are not access control.
  it('lets requests through at once, and logs a warning', async () => {
    const counted = await inOneWindow(async () => [await get(), await get(), await get()])
    assert.deepEqual(counted.map((r) => r.status), [200, 200, 429])
    assert.equal(warned(), false)

    await relay.cut()
    const started = Date.now()
    const uncounted = await Promise.all(Array.from({ length: 5 }, get))
    const took = Date.now() - started
    assert.deepEqual(uncounted.map((r) => r.status), [200, 200, 200, 200, 200])
    assert.ok(took < 2000, `answered after ${took} ms`)
    await eventually(warned, 5000, 'the warning')
  })
})

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { DIALECTS, POSTGRES_ADMIN_URL } from '../helpers/dialects.js'
import {
  expectError,
  ROLE_IDS,
  startServer,
  type ApiResponse,
  type TestServer,
} from '../helpers/server.js'

/** Runs one statement on the PostgreSQL server as the admin user. */
async function admin<T extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  await client.connect()
  try {
    return (await client.query<T>(text, values)).rows
  } finally {
    await client.end()
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Asserts a fail-closed answer: 503 ServiceUnavailable with Retry-After and IoT Central's body. */
function expectUnavailable(response: ApiResponse): void {
  expectError(response, 503, 'ServiceUnavailable')
  const retryAfter = response.headers.get('retry-after')
  assert.ok(
    retryAfter !== null && /^\d+$/.test(retryAfter) && Number(retryAfter) > 0,
    `Retry-After: ${retryAfter}`,
  )
}

describe(
  'fail closed when the store is unreachable (postgres)',
  { skip: !DIALECTS.includes('postgres') },
  () => {
    let server: TestServer
    let database: string
    let operatorToken: string
    let outage = false

    /** Refuses new connections to the server's database and ends the open ones. */
    async function takeDown(): Promise<void> {
      await admin(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`)
      outage = true
      await admin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
        database,
      ])
      // pg_terminate_backend only signals: wait until the backends are really gone.
      for (let i = 0; i < 100; i++) {
        const rows = await admin(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
          [database],
        )
        if (rows[0]!.n === 0) break
        await sleep(50)
      }
      // Let the server's event loop read the FATAL messages on its closed sockets.
      await sleep(100)
    }

    async function bringUp(): Promise<void> {
      if (!outage) return
      await admin(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`)
      outage = false
    }

    before(async () => {
      const pattern = `opencentral_test_${process.pid}_%`
      const existing = new Set(
        (
          await admin<{ datname: string }>(
            'SELECT datname FROM pg_database WHERE datname LIKE $1',
            [pattern],
          )
        ).map((r) => r.datname),
      )
      server = await startServer('postgres')
      const created = (
        await admin<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
          pattern,
        ])
      )
        .map((r) => r.datname)
        .filter((name) => !existing.has(name))
      assert.equal(created.length, 1, `the server's database among ${created.join(', ')}`)
      database = created[0]!
      assert.match(database, /^opencentral_test_\d+_[0-9a-f]{8}$/)
      operatorToken = await server.createToken('never-used', [ROLE_IDS.operator])
    })

    after(async () => {
      await bringUp()
      await server?.close()
    })

    it('serves the admin token while the store is up', async () => {
      const response = await server.request('GET', '/api/devices')
      assert.equal(response.status, 200, response.text)
      assert.deepEqual(response.body, { value: [] })
      assert.equal((await server.request('GET', '/healthz', { auth: null })).status, 200)
    })

    it('answers 503 with Retry-After, never 200, to a cached token once the store is down', async () => {
      await takeDown()
      const response = await server.request('GET', '/api/devices')
      assert.notEqual(response.status, 200)
      expectUnavailable(response)
      assert.equal(response.body.error.message.includes(server.adminToken), false)
    })

    it('keeps answering 503 while the store stays down', async () => {
      for (let i = 0; i < 3; i++) expectUnavailable(await server.request('GET', '/api/devices'))
    })

    it('never lets a never-seen token in: 503 or 401', async () => {
      const response = await server.request('GET', '/api/devices', { auth: operatorToken })
      assert.ok(
        response.status === 503 || response.status === 401,
        `status ${response.status}: ${response.text}`,
      )
      if (response.status === 503) expectUnavailable(response)
      else expectError(response, 401, 'Unauthenticated')
    })

    it('does not write while the store is down', async () => {
      const response = await server.request('PUT', '/api/apiTokens/during-outage', {
        body: { roles: [{ role: ROLE_IDS.operator }] },
      })
      expectUnavailable(response)
    })

    it('answers GET /healthz with 503', async () => {
      expectUnavailable(await server.request('GET', '/healthz', { auth: null }))
    })

    it('serves again once the store is back, with nothing written during the outage', async () => {
      await bringUp()
      let response: ApiResponse | undefined
      for (let i = 0; i < 50; i++) {
        response = await server.request('GET', '/api/devices')
        if (response.status === 200) break
        await sleep(100)
      }
      assert.equal(response?.status, 200, response?.text)
      assert.deepEqual(response?.body, { value: [] })
      expectError(await server.request('GET', '/api/apiTokens/during-outage'), 404, 'NotFound')
      assert.equal((await server.request('GET', '/healthz', { auth: null })).status, 200)
    })
  },
)

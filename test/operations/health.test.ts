import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { DIALECTS, POSTGRES_ADMIN_URL } from '../helpers/dialects.js'
import { startServer, type TestServer } from '../helpers/server.js'

async function admin(text: string, values: unknown[] = []): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  await client.connect()
  try {
    return (await client.query(text, values)).rows
  } finally {
    await client.end()
  }
}

const PROBES = ['/livez', '/readyz', '/version']

for (const dialect of DIALECTS) {
  describe(`health and version probes (${dialect})`, () => {
    let server: TestServer
    before(async () => {
      server = await startServer(dialect)
    })
    after(async () => server?.close())

    it('GET /livez answers 200 without credentials', async () => {
      const response = await server.request('GET', '/livez', { auth: null, query: { 'api-version': null } })
      assert.equal(response.status, 200, response.text)
      assert.deepEqual(response.body, { status: 'alive' })
    })

    it('GET /readyz answers 200 naming each check when the store, the feed and the issuers are usable', async () => {
      const response = await server.request('GET', '/readyz', { auth: null, query: { 'api-version': null } })
      assert.equal(response.status, 200, response.text)
      assert.equal(response.body.status, 'ready')
      assert.equal(response.body.checks.store, 'ok')
      assert.equal(response.body.checks.changeFeed, 'ok')
      const issuers = Object.values(response.body.checks.issuers)
      assert.ok(issuers.length >= 1, 'the embedded issuer is checked')
      assert.ok(issuers.every((state) => state === 'ok'))
    })

    it('GET /version names the version, the Node version and the store engine', async () => {
      const response = await server.request('GET', '/version', { auth: null, query: { 'api-version': null } })
      assert.equal(response.status, 200, response.text)
      assert.match(response.body.version, /^\d+\.\d+\.\d+/)
      assert.equal(response.body.node, process.version)
      assert.equal(response.body.store, dialect)
      assert.ok(response.body.commit === null || /^[0-9a-f]{7,40}$/.test(response.body.commit))
    })

    it('the web application never answers the probes, even to a browser', async () => {
      for (const probe of [...PROBES, '/metrics']) {
        const response = await server.request('GET', probe, {
          auth: null,
          query: { 'api-version': null },
          headers: { accept: 'text/html,application/xhtml+xml' },
        })
        assert.ok(!/<html/i.test(response.text), `${probe} answered a page`)
      }
    })
  })

  describe(`readiness with an unreachable trusted issuer (${dialect})`, () => {
    let server: TestServer
    before(async () => {
      // Nobody listens on port 9 of loopback: discovery fails and is retried in the background.
      server = await startServer(dialect, { config: { trustIssuers: ['http://127.0.0.1:9/broken'] } })
    })
    after(async () => server?.close())

    it('GET /readyz answers 503 naming the issuer whose keys are unavailable', async () => {
      const response = await server.request('GET', '/readyz', { auth: null, query: { 'api-version': null } })
      assert.equal(response.status, 503, response.text)
      assert.equal(response.body.status, 'not ready')
      assert.deepEqual(response.body.failing, ['issuer http://127.0.0.1:9/broken'])
      assert.equal(response.body.checks.issuers['http://127.0.0.1:9/broken'], 'keys unavailable')
      assert.equal(response.body.checks.store, 'ok')
      assert.equal((await server.request('GET', '/livez', { auth: null })).status, 200)
    })
  })
}

describe('readiness when the PostgreSQL store is unreachable', { skip: !DIALECTS.includes('postgres') }, () => {
  let server: TestServer
  let database: string
  before(async () => {
    server = await startServer('postgres')
    database = server.app.store.description.split('/').pop() as string
  })
  after(async () => {
    await admin(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`).catch(() => {})
    await server?.close()
  })

  it('GET /readyz answers 503 naming the store (and the feed), while /livez stays 200', async () => {
    await admin(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`)
    await admin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database])
    for (let i = 0; i < 100; i++) {
      const rows = await admin('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [database])
      if (rows[0]!.n === 0) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
    const response = await server.request('GET', '/readyz', { auth: null })
    assert.equal(response.status, 503, response.text)
    assert.ok(response.body.failing.includes('store'), response.text)
    assert.equal(response.body.checks.store, 'unreachable')
    assert.ok(!response.text.includes('postgres://'), 'no connection string')
    assert.equal((await server.request('GET', '/livez', { auth: null })).status, 200)
  })
})

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { portOf } from '../../src/operations/metrics-routes.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectError, ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

const NO_VERSION = { 'api-version': null }

for (const dialect of DIALECTS) {
  describe(`Prometheus metrics on the main port (${dialect})`, () => {
    let server: TestServer
    before(async () => {
      server = await startServer(dialect, { config: { metrics: true } })
    })
    after(async () => server?.close())

    it('refuses a caller without credentials: 401', async () => {
      expectError(await server.request('GET', '/metrics', { auth: null, query: NO_VERSION }), 401, 'Unauthenticated')
    })

    it('refuses a caller without metrics.read: 403', async () => {
      const operator = await server.createToken('metrics-operator', [ROLE_IDS.operator])
      expectError(await server.request('GET', '/metrics', { auth: operator, query: NO_VERSION }), 403, 'Forbidden')
    })

    it('refuses a malformed credential: 401', async () => {
      const response = await server.request('GET', '/metrics', { auth: 'SharedAccessSignature sr=x&sig=y', query: NO_VERSION })
      expectError(response, 401, 'Unauthenticated')
    })

    it('serves an Administrator requests by route pattern and status, latency, authentications and the feed', async () => {
      await server.request('GET', '/api/devices/thermostat-42')
      await server.request('GET', '/api/devices', { auth: 'SharedAccessSignature sr=a&sig=b&skn=c&se=1' })
      const response = await server.request('GET', '/metrics', { query: NO_VERSION })
      assert.equal(response.status, 200, response.text)
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/)
      // Only our own series, so a failure prints something readable.
      const text = response.text.split('\n').filter((line) => line.startsWith('opencentral_') || line.startsWith('process_cpu_user')).join('\n')
      assert.match(text, /opencentral_http_requests_total\{method="GET",route="\/api\/devices\/:deviceId",status="404"\} 1/)
      assert.ok(!text.includes('thermostat-42'), 'the raw URL is never a label')
      assert.match(text, /opencentral_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/devices\/:deviceId"\}/)
      assert.match(text, /opencentral_authentications_total\{scheme="SharedAccessSignature",outcome="success"\} [1-9]/)
      assert.match(text, /opencentral_authentications_total\{scheme="SharedAccessSignature",outcome="invalid_token"\} [1-9]/)
      assert.match(text, /opencentral_change_feed_healthy 1/)
      assert.match(text, /opencentral_connected_devices 0/)
      assert.match(text, /process_cpu_user_seconds_total/)
      if (dialect === 'postgres') assert.match(text, /opencentral_store_pool_connections\{state="total"\} \d+/)
      else assert.ok(!text.includes('opencentral_store_pool_connections'))
    })
  })

  describe(`Prometheus metrics of caches, the change feed and expiring tokens (${dialect})`, () => {
    let server: TestServer
    before(async () => {
      server = await startServer(dialect, { config: { metrics: true } })
    })
    after(async () => server?.close())

    const metrics = async () => {
      const response = await server.request('GET', '/metrics', { query: NO_VERSION })
      assert.equal(response.status, 200, response.text)
      return response.text
    }
    const lookups = (text: string, result: 'hit' | 'miss'): number => {
      const line = text.split('\n').find((l) => l.startsWith(`opencentral_auth_cache_lookups_total{cache="apiTokens",result="${result}"}`))
      return line ? Number(line.split(' ').pop()) : 0
    }

    it('counts API-token cache hits and misses as requests use the cache', async () => {
      const token = await server.createToken('metrics-cache-probe', [ROLE_IDS.operator])
      const before = await metrics()
      await server.request('GET', '/api/devices', { auth: token })
      await server.request('GET', '/api/devices', { auth: token })
      await server.request('GET', '/api/devices', { auth: token })
      const after = await metrics()
      assert.ok(lookups(after, 'miss') >= lookups(before, 'miss') + 1, 'the first use misses')
      assert.ok(lookups(after, 'hit') >= lookups(before, 'hit') + 2, 'the next uses hit')
      assert.match(after, /opencentral_auth_cache_entries\{cache="apiTokens"\} [1-9]/)
    })

    it('reports the change feed lag where other nodes exist (PostgreSQL), and not on SQLite', async () => {
      const text = await metrics()
      if (dialect === 'postgres') {
        // The heartbeat runs every 200 ms: the first round trip is there within a second.
        let lag = text
        for (let i = 0; i < 20 && !/opencentral_change_feed_lag_seconds \d/.test(lag); i++) {
          await new Promise((resolve) => setTimeout(resolve, 100))
          lag = await metrics()
        }
        assert.match(lag, /opencentral_change_feed_lag_seconds \d+(\.\d+)?(e-\d+)?\n/)
      } else assert.ok(!text.includes('opencentral_change_feed_lag_seconds '))
    })

    it('counts API tokens expiring within 14 days after the expiry check', async () => {
      const soon = new Date(server.clock.now + 3 * 86_400_000).toISOString()
      await server.createToken('metrics-expiring', [ROLE_IDS.operator], soon)
      await server.app.housekeeping.expiryWarnings.check()
      assert.match(await metrics(), /opencentral_api_tokens_expiring_soon [1-9]/)
    })
  })

  describe(`Prometheus metrics on a port of their own (${dialect})`, () => {
    let server: TestServer
    let metricsUrl: string
    before(async () => {
      server = await startServer(dialect, { config: { metricsPort: 0 } })
      metricsUrl = `http://127.0.0.1:${portOf(server.app.metricsServer!)}`
    })
    after(async () => server?.close())

    it('serves GET /metrics there without credentials, and nothing else', async () => {
      await server.request('GET', '/api/devices')
      const response = await fetch(`${metricsUrl}/metrics`)
      assert.equal(response.status, 200)
      assert.match(await response.text(), /opencentral_http_requests_total\{method="GET",route="\/api\/devices",status="200"\}/)
      assert.equal((await fetch(`${metricsUrl}/api/devices`)).status, 404)
      assert.equal((await fetch(`${metricsUrl}/metrics`, { method: 'POST' })).status, 404)
    })
  })

  describe(`metrics turned off (${dialect})`, () => {
    let server: TestServer
    before(async () => {
      server = await startServer(dialect)
    })
    after(async () => server?.close())

    it('has no /metrics route and no listener', async () => {
      expectError(await server.request('GET', '/metrics', { query: NO_VERSION }), 404, 'NotFound')
      assert.equal(server.app.metricsServer, null)
    })
  })
}

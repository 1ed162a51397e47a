import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ROLE_IDS } from '../../src/authz/builtin-roles.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectError, expectTooMany, startServer, type TestServer } from '../helpers/server.js'

/** A capability model with enough telemetry to make its template about 1.5 MiB of JSON. */
function largeTemplate(id: string): Record<string, unknown> {
  const contents = Array.from({ length: 6000 }, (_, i) => ({
    '@type': 'Telemetry',
    name: `reading${i}`,
    schema: 'double',
    displayName: `Reading ${i} ${'x'.repeat(180)}`,
  }))
  return {
    '@type': ['ModelDefinition', 'DeviceModel'],
    displayName: 'Large',
    capabilityModel: { '@id': id, '@type': 'Interface', contents },
  }
}

for (const dialect of DIALECTS) {
  describe(`request limits per caller (${dialect})`, () => {
    let server: TestServer
    before(async () => {
      server = await startServer(dialect, { config: { rateLimit: 3 } })
    })
    after(async () => server?.close())

    it('answers 429 with Retry-After in IoT Central\'s error shape beyond the rate, per token', async () => {
      const burst = await Promise.all(
        Array.from({ length: 8 }, () => server.request('GET', '/api/devices')),
      )
      const ok = burst.filter((r) => r.status === 200).length
      const refused = burst.filter((r) => r.status === 429)
      assert.ok(ok >= 3 && ok <= 6, `${ok} answered`)
      assert.ok(refused.length >= 2, `${refused.length} refused`)
      for (const response of refused) {
        expectTooMany(response)
        assert.match(response.body.error.message, /at most 3 per second/)
      }
      // Another token has a budget of its own.
      const other = await server.createToken('other-caller', [ROLE_IDS.operator])
      assert.equal((await server.request('GET', '/api/devices', { auth: other })).status, 200)
    })

    it('leaves the probes out of the limits', async () => {
      const probes = await Promise.all(
        Array.from({ length: 8 }, () => server.request('GET', '/livez', { auth: null })),
      )
      assert.ok(probes.every((r) => r.status === 200))
    })
  })

  describe(`request bodies (${dialect})`, () => {
    let small: TestServer
    let defaults: TestServer
    before(async () => {
      small = await startServer(dialect, { config: { bodyLimit: 2048 } })
      defaults = await startServer(dialect)
    })
    after(async () => {
      await small?.close()
      await defaults?.close()
    })

    it('answers 413 in IoT Central\'s error shape to a body over bodyLimit, creating nothing', async () => {
      const id = 'dtmi:contoso:tooLarge;1'
      const response = await small.request('PUT', `/api/deviceTemplates/${id}`, {
        body: largeTemplate(id),
      })
      expectError(response, 413, 'PayloadTooLarge')
      expectError(await small.request('GET', `/api/deviceTemplates/${id}`), 404, 'NotFound')
    })

    it('accepts a device template over 1 MiB by default (4 MiB)', async () => {
      const id = 'dtmi:contoso:large;1'
      const body = largeTemplate(id)
      assert.ok(JSON.stringify(body).length > 1.4 * 1024 * 1024)
      const response = await defaults.request('PUT', `/api/deviceTemplates/${id}`, { body })
      assert.equal(response.status, 200, response.text.slice(0, 500))
    })
  })

  describe(`failed-authentication lockout on the API (${dialect})`, () => {
    let server: TestServer
    before(async () => {
      server = await startServer(dialect, { config: { authFailureLimit: 3 } })
    })
    after(async () => server?.close())

    it('locks an address out after repeated 401s, whatever it then sends, and lets it back later', async () => {
      for (let i = 0; i < 3; i++) {
        const response = await server.request('GET', '/api/devices', {
          auth: `SharedAccessSignature sr=x&sig=guess${i}&skn=test-admin&se=9999999999`,
        })
        expectError(response, 401, 'Unauthenticated')
      }
      // Even the right token gets no answer but 429: a correct guess is not confirmed.
      const locked = await server.request('GET', '/api/devices')
      assert.equal(expectTooMany(locked), 60)
      assert.match(locked.body.error.message, /failed authentications from this address/)
      // Requests without a credential (probes, the web application) are not locked out.
      assert.equal((await server.request('GET', '/livez', { auth: null })).status, 200)
      server.clock.advance(61_000)
      assert.equal((await server.request('GET', '/api/devices')).status, 200)
    })

    it('doubles the lock when the address starts again at once', async () => {
      for (let i = 0; i < 3; i++) {
        await server.request('GET', '/api/devices', { auth: 'SharedAccessSignature sr=x&sig=y&skn=z&se=1' })
      }
      assert.equal(expectTooMany(await server.request('GET', '/api/devices')), 120)
      server.clock.advance(121_000)
    })
  })

  describe(`client addresses behind a proxy (${dialect})`, () => {
    let direct: TestServer
    let proxied: TestServer
    before(async () => {
      direct = await startServer(dialect, { config: { authFailureLimit: 2 } })
      proxied = await startServer(dialect, { config: { authFailureLimit: 2, trustProxy: ['127.0.0.1/8'] } })
    })
    after(async () => {
      await direct?.close()
      await proxied?.close()
    })

    const bad = { auth: 'SharedAccessSignature sr=x&sig=y&skn=z&se=1' }
    const from = (address: string) => ({ 'x-forwarded-for': address })
    const accessLine = (server: TestServer, requestId: string) =>
      server.logs.map((l) => JSON.parse(l)).find((l) => l.requestId === requestId && l.msg === 'request')

    it('believes X-Forwarded-For only from a configured proxy, for logs and lockouts', async () => {
      for (const server of [direct, proxied]) {
        for (let i = 0; i < 2; i++) {
          await server.request('GET', '/api/devices', { ...bad, headers: from('203.0.113.7') })
        }
      }
      const honest = { headers: from('198.51.100.9') }
      // Without trustProxy every request is the proxy's own address: it is locked out.
      expectTooMany(await direct.request('GET', '/api/devices', honest))
      // With it, only the address that failed is locked out.
      expectTooMany(await proxied.request('GET', '/api/devices', { headers: from('203.0.113.7') }))
      const ok = await proxied.request('GET', '/api/devices', honest)
      assert.equal(ok.status, 200, ok.text)
      assert.equal(accessLine(proxied, ok.headers.get('x-ms-request-id')!)?.client, '198.51.100.9')
      const seen = await direct.request('GET', '/livez', { auth: null, headers: from('198.51.100.9') })
      assert.equal(accessLine(direct, seen.headers.get('x-ms-request-id')!)?.client, '127.0.0.1')
    })
  })
}

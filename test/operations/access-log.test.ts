import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isPretty, loggerOptions } from '../../src/operations/log-options.js'
import { DIALECTS } from '../helpers/dialects.js'
import { ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

const lines = (server: TestServer) => server.logs.map((line) => JSON.parse(line) as Record<string, any>)

for (const dialect of DIALECTS) {
  describe(`access log (${dialect})`, () => {
    let server: TestServer
    before(async () => {
      // At debug, Fastify's own request lines are written too: they must not leak either.
      server = await startServer(dialect, { config: { logLevel: 'debug' } })
    })
    after(async () => server?.close())

    it('writes one info line per request naming the caller, route, status, duration, request id and client', async () => {
      const response = await server.request('GET', '/api/devices/thermostat-7')
      const requestId = response.headers.get('x-ms-request-id')
      const line = lines(server).find((l) => l.msg === 'request' && l.requestId === requestId)
      assert.ok(line, 'an access line')
      assert.equal(line.level, 30)
      assert.equal(line.caller, 'token:test-admin')
      assert.equal(line.method, 'GET')
      assert.equal(line.route, '/api/devices/:deviceId')
      assert.equal(line.status, 404)
      assert.equal(typeof line.durationMs, 'number')
      assert.equal(line.client, '127.0.0.1')
    })

    it('names no caller when the credential was refused', async () => {
      const response = await server.request('GET', '/api/devices', { auth: null })
      const line = lines(server).find((l) => l.msg === 'request' && l.requestId === response.headers.get('x-ms-request-id'))
      assert.equal(line?.caller, null)
      assert.equal(line?.status, 401)
    })

    it('never writes a token, a refused token or a cookie, at any level', async () => {
      const token = await server.createToken('logged-reader', [ROLE_IDS.operator])
      assert.equal((await server.request('GET', '/api/devices', { auth: token })).status, 200)
      const refused = 'SharedAccessSignature sr=a&sig=refused-secret-value&skn=x&se=1'
      await server.request('GET', '/api/devices', { auth: refused, headers: { cookie: 'session=cookie-secret' } })
      const log = server.logs.join('\n')
      const secrets = [token, server.adminToken, 'refused-secret-value', 'cookie-secret']
      for (const t of [token, server.adminToken]) secrets.push(decodeURIComponent(/sig=([^&]+)/.exec(t)![1]!))
      for (const secret of secrets) assert.ok(!log.includes(secret), 'a secret reached the log')
      assert.ok(lines(server).some((l) => l.caller === 'token:logged-reader'))
    })
  })

  describe(`access log turned off (${dialect})`, () => {
    let server: TestServer
    before(async () => {
      server = await startServer(dialect, { config: { accessLog: false } })
    })
    after(async () => server?.close())

    it('writes no access lines', async () => {
      assert.equal((await server.request('GET', '/api/devices')).status, 200)
      assert.ok(!lines(server).some((l) => l.msg === 'request'))
    })
  })
}

describe('log format', () => {
  it('is JSON lines off a terminal and pretty on one, unless set', () => {
    assert.equal(isPretty({ logFormat: 'auto' }, false), false)
    assert.equal(isPretty({ logFormat: 'auto' }, true), true)
    assert.equal(isPretty({ logFormat: 'json' }, true), false)
    assert.equal(isPretty({ logFormat: 'pretty' }, false), true)
    const redact = loggerOptions({ logLevel: 'info' }).redact as string[]
    assert.ok(redact.includes('req.headers.authorization') && redact.includes('req.headers.cookie'))
  })
})

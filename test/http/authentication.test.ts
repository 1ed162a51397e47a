import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import { expectError, ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

for (const dialect of DIALECTS) {
  describe(`authentication (${dialect})`, () => {
    let server: TestServer
    before(async () => {
      server = await startServer(dialect)
    })
    after(async () => server?.close())

    it('answers 401 without a credential, with a bare Bearer challenge', async () => {
      const response = await server.request('GET', '/api/devices', { auth: null })
      expectError(response, 401, 'Unauthenticated')
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="OpenCentral"')
    })

    it('answers 401 invalid_token for garbage, any scheme', async () => {
      for (const auth of ['garbage', 'Basic dXNlcjpwYXNz', 'SharedAccessSignature', 'SharedAccessSignature sr=x']) {
        const response = await server.request('GET', '/api/devices', { auth })
        expectError(response, 401, 'Unauthenticated', 'The provided authentication token is invalid.')
        assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/)
      }
    })

    it('accepts the scheme name in any case', async () => {
      const lower = server.adminToken.replace('SharedAccessSignature', 'sharedaccesssignature')
      const response = await server.request('GET', '/api/devices', { auth: lower })
      assert.equal(response.status, 200)
    })

    it('accepts the fields in any order', async () => {
      const [, params] = server.adminToken.split(' ')
      const reordered = `SharedAccessSignature ${params!.split('&').reverse().join('&')}`
      const response = await server.request('GET', '/api/devices', { auth: reordered })
      assert.equal(response.status, 200)
    })

    it('refuses missing, empty, duplicated and unknown fields', async () => {
      const [, params] = server.adminToken.split(' ')
      const fields = params!.split('&')
      const variants = [
        fields.slice(1).join('&'),
        [...fields, 'x=1'].join('&'),
        [...fields, fields[0]].join('&'),
        fields.map((f) => (f.startsWith('skn=') ? 'skn=' : f)).join('&'),
      ]
      for (const variant of variants) {
        const response = await server.request('GET', '/api/devices', { auth: `SharedAccessSignature ${variant}` })
        expectError(response, 401, 'Unauthenticated')
      }
    })

    it('gives byte-identical bodies for an unknown token id and a wrong secret', async () => {
      const unknownId = server.adminToken.replace('skn=test-admin', 'skn=nobody')
      const sig = /sig=([^&]+)/.exec(server.adminToken)![1]!
      const otherToken = await server.createToken('other-admin', [ROLE_IDS.administrator])
      const otherSig = /sig=([^&]+)/.exec(otherToken)![1]!
      const wrongSecret = server.adminToken.replace(sig, otherSig)
      const a = await server.request('GET', '/api/devices', { auth: unknownId })
      const b = await server.request('GET', '/api/devices', { auth: wrongSecret })
      expectError(a, 401, 'Unauthenticated')
      expectError(b, 401, 'Unauthenticated')
      const strip = (r: typeof a) => JSON.stringify({ ...r.body.error, requestId: '', time: '' })
      assert.equal(strip(a), strip(b))
    })

    it('refuses a token of another application (sr)', async () => {
      const forged = server.adminToken.replace(/sr=[^&]+/, 'sr=00000000-0000-0000-0000-000000000000')
      expectError(await server.request('GET', '/api/devices', { auth: forged }), 401, 'Unauthenticated')
    })

    it('refuses an edited expiry (se) even when later or earlier', async () => {
      const se = Number(/se=(\d+)/.exec(server.adminToken)![1])
      for (const edited of [se + 86_400_000, se - 1]) {
        const auth = server.adminToken.replace(/se=\d+/, `se=${edited}`)
        expectError(await server.request('GET', '/api/devices', { auth }), 401, 'Unauthenticated')
      }
    })

    it('refuses "Bearer SharedAccessSignature …"', async () => {
      const response = await server.request('GET', '/api/devices', { auth: `Bearer ${server.adminToken}` })
      expectError(response, 401, 'Unauthenticated')
    })

    it('answers 400 invalid_request to two Authorization headers', async () => {
      // fetch folds repeated headers into one, so write the request by hand.
      const { port } = new URL(server.url)
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.end(
            'GET /api/devices?api-version=2022-07-31 HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
              `Authorization: ${server.adminToken}\r\nAuthorization: ${server.adminToken}\r\n` +
              'Connection: close\r\n\r\n',
          )
        })
        let data = ''
        socket.on('data', (chunk) => (data += chunk))
        socket.on('end', () => resolve(data))
        socket.on('error', reject)
      })
      assert.match(raw, /^HTTP\/1\.1 400 /)
      assert.match(raw, /www-authenticate: Bearer realm="OpenCentral", error="invalid_request"/i)
      assert.match(raw, /"code":"BadRequest"/)
    })

    it('never reads a token from the query string', async () => {
      const response = await server.request('GET', '/api/devices', {
        auth: null,
        query: { authorization: server.adminToken },
      })
      expectError(response, 401, 'Unauthenticated')
    })

    it('checks api-version after authentication: missing or unknown → 404 NotFound', async () => {
      expectError(
        await server.request('GET', '/api/devices', { query: { 'api-version': null } }),
        404,
        'NotFound',
        /^"undefined" is not a valid API version\. Accepted versions: 1\.0, .*2022-10-31-preview\.$/,
      )
      expectError(
        await server.request('GET', '/api/devices', { query: { 'api-version': '2099-01-01' } }),
        404,
        'NotFound',
        /^"2099\-01\-01" is not a valid API version\. Accepted versions: 1\.0, .*2022-10-31-preview\.$/,
      )
      // Before authentication, the version is not looked at.
      expectError(
        await server.request('GET', '/api/devices', { auth: null, query: { 'api-version': null } }),
        401,
        'Unauthenticated',
      )
    })

    it('answers unknown routes with the same error body', async () => {
      expectError(await server.request('GET', '/api/nothing-here'), 404, 'NotFound')
    })

    it('rejects a revoked token on the very next request', async () => {
      const token = await server.createToken('short-lived', [ROLE_IDS.operator])
      assert.equal((await server.request('GET', '/api/devices', { auth: token })).status, 200)
      const deleted = await server.request('DELETE', '/api/apiTokens/short-lived')
      assert.equal(deleted.status, 204)
      expectError(await server.request('GET', '/api/devices', { auth: token }), 401, 'Unauthenticated')
    })

    it('rejects an expired token on the next request, saying when it expired', async () => {
      const expiry = new Date(server.clock.now + 60_000).toISOString()
      const token = await server.createToken('expiring', [ROLE_IDS.operator], expiry)
      assert.equal((await server.request('GET', '/api/devices', { auth: token })).status, 200)
      server.clock.advance(60_001)
      expectError(
        await server.request('GET', '/api/devices', { auth: token }),
        401,
        'Unauthenticated',
        `The API token expired at ${expiry}.`,
      )
    })

    it('never writes a credential to the log', async () => {
      await server.request('GET', '/api/devices', { auth: 'SharedAccessSignature sr=a&sig=secret-value&skn=x&se=1' })
      const created = await server.request('PUT', '/api/apiTokens/logged', {
        body: { roles: [{ role: ROLE_IDS.operator }] },
      })
      assert.equal(created.status, 200)
      const sig = /sig=([^&]+)/.exec(created.body.token)![1]!
      const adminSig = /sig=([^&]+)/.exec(server.adminToken)![1]!
      const log = server.logs.join('\n')
      assert.ok(log.length > 0, 'the server logged something')
      for (const secret of [sig, adminSig, 'secret-value']) assert.ok(!log.includes(secret))
    })
  })
}

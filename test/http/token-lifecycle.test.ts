import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ServicePrincipalService } from '../../src/idp/service-principals.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectError, ROLE_IDS, startServerWithRoleTokens, type ServerWithRoleTokens, type TestServer } from '../helpers/server.js'

const DAY_MS = 86_400_000
const MINUTE_MS = 60_000

const operatorBody = { roles: [{ role: ROLE_IDS.operator }] }
const devices = (server: TestServer, auth: string) => server.request('GET', '/api/devices', { auth })
const tokenOf = (server: TestServer, id: string) => server.request('GET', `/api/apiTokens/${id}`)
const secretOf = (token: string) => /sig=([^&]+)/.exec(token)![1]!

async function created(server: TestServer, id: string, body: unknown = operatorBody) {
  const response = await server.request('PUT', `/api/apiTokens/${id}`, { body })
  assert.equal(response.status, 200, response.text)
  return response.body
}

for (const dialect of DIALECTS) {
  describe(`Token lifecycle (${dialect})`, () => {
    let server: ServerWithRoleTokens
    before(async () => {
      server = await startServerWithRoleTokens(dialect)
    })
    after(async () => server?.close())

    describe('createdAt, lastUsedAt and the last client address', () => {
      it('shows when a token was made, and nothing of its use before it is used', async () => {
        const token = await created(server, 'fresh')
        assert.equal(token.createdAt, new Date(Math.floor(server.clock.now / 1000) * 1000).toISOString())
        const read = await tokenOf(server, 'fresh')
        assert.equal(read.body.createdAt, token.createdAt)
        assert.equal(read.body.lastUsedAt, undefined)
        assert.equal(read.body.lastUsedAddress, undefined)
      })

      it('records a use at most once a minute per token, written after the answer', async () => {
        const { token } = await created(server, 'used')
        const firstUse = server.clock.now
        assert.equal((await devices(server, token)).status, 200)
        await server.app.housekeeping.lastUsed.flush()
        let read = await tokenOf(server, 'used')
        assert.equal(read.body.lastUsedAt, new Date(firstUse).toISOString())
        assert.equal(read.body.lastUsedAddress, '127.0.0.1')

        // Within the minute: served, not written again.
        server.clock.advance(30_000)
        assert.equal((await devices(server, token)).status, 200)
        await server.app.housekeeping.lastUsed.flush()
        read = await tokenOf(server, 'used')
        assert.equal(read.body.lastUsedAt, new Date(firstUse).toISOString())

        // A minute after the last write: written again.
        server.clock.advance(31_000)
        assert.equal((await devices(server, token)).status, 200)
        await server.app.housekeeping.lastUsed.flush()
        read = await tokenOf(server, 'used')
        assert.equal(read.body.lastUsedAt, new Date(server.clock.now).toISOString())
        const listed = (await server.request('GET', '/api/apiTokens')).body.value.find((t: { id: string }) => t.id === 'used')
        assert.equal(listed.lastUsedAt, read.body.lastUsedAt)
      })

      it('does not count a refused credential as a use', async () => {
        const { token } = await created(server, 'unused')
        const wrong = token.replace(secretOf(token), 'ocsk_wrong')
        expectError(await devices(server, wrong), 401, 'Unauthenticated')
        await server.app.housekeeping.lastUsed.flush()
        assert.equal((await tokenOf(server, 'unused')).body.lastUsedAt, undefined)
      })

      it('shows createdAt on users too', async () => {
        const response = await server.request('PUT', '/api/users/ann', {
          body: { type: 'email', email: 'ann@example.com', roles: [{ role: ROLE_IDS.operator }] },
        })
        assert.equal(response.status, 200, response.text)
        assert.equal(response.body.createdAt, new Date(Math.floor(server.clock.now / 1000) * 1000).toISOString())
        assert.equal(response.body.lastUsedAt, undefined)
        const listed = (await server.request('GET', '/api/users')).body.value.find((u: { id: string }) => u.id === 'ann')
        assert.equal(listed.createdAt, response.body.createdAt)
      })
    })

    describe('users', () => {
      it('records a user\'s last use (a service principal with a bearer token), and its changes as its own', async () => {
        server.clock.now = Math.max(server.clock.now, Date.now())
        const idp = server.app.idp!
        const bot = await new ServicePrincipalService(server.app.store, idp.tenantId, server.clock.read).create('usage-bot')
        const issued = await fetch(`${idp.issuer}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: bot.appId,
            client_secret: bot.password,
            resource: 'https://apps.azureiotcentral.com',
          }).toString(),
        })
        const { access_token: accessToken } = (await issued.json()) as { access_token: string }
        const added = await server.request('PUT', '/api/users/usage-bot', {
          body: { type: 'servicePrincipal', tenantId: bot.tenant, objectId: bot.objectId, roles: [{ role: ROLE_IDS.administrator }] },
        })
        assert.equal(added.status, 200, added.text)
        assert.equal(added.body.lastUsedAt, undefined)
        const auth = `Bearer ${accessToken}`
        assert.equal((await devices(server, auth)).status, 200)
        await server.app.housekeeping.lastUsed.flush()
        const read = await server.request('GET', '/api/users/usage-bot')
        assert.equal(read.body.lastUsedAt, new Date(server.clock.now).toISOString())
        assert.equal(read.body.lastUsedAddress, '127.0.0.1')

        assert.equal((await server.request('PUT', '/api/apiTokens/made-by-bot', { auth, body: operatorBody })).status, 200)
        const audit = await server.request('GET', '/api/auditLogs', { query: { actor: 'usage-bot' } })
        assert.deepEqual(
          audit.body.value.map((r: { action: string; actor: unknown; target: string }) => [r.action, r.actor, r.target]),
          [['apiToken.create', { type: 'user', id: 'usage-bot' }, 'made-by-bot']],
        )
      })
    })

    describe('description', () => {
      it('is accepted on PUT and shown on GET and in the list', async () => {
        const token = await created(server, 'described', { ...operatorBody, description: '  Nightly export job  ' })
        assert.equal(token.description, 'Nightly export job')
        assert.equal((await tokenOf(server, 'described')).body.description, 'Nightly export job')
        const listed = (await server.request('GET', '/api/apiTokens')).body.value.find((t: { id: string }) => t.id === 'described')
        assert.equal(listed.description, 'Nightly export job')
      })

      it('refuses one longer than 256 characters, creating nothing', async () => {
        const response = await server.request('PUT', '/api/apiTokens/wordy', {
          body: { ...operatorBody, description: 'x'.repeat(257) },
        })
        expectError(response, 422, 'UnprocessableEntity', /^description/)
        expectError(await tokenOf(server, 'wordy'), 404, 'NotFound')
      })

      it('tolerates the read-only members a client sends back', async () => {
        const read = (await tokenOf(server, 'described')).body
        const response = await server.request('PUT', '/api/apiTokens/described-copy', {
          body: { roles: read.roles, description: read.description, createdAt: read.createdAt, expiringSoon: false },
        })
        assert.equal(response.status, 200, response.text)
        assert.notEqual(response.body.createdAt, undefined)
      })
    })

    describe('expiry warnings', () => {
      it('flags tokens expiring within 14 days, in GET and the list, and warns once in the log', async () => {
        const soon = new Date(server.clock.now + 10 * DAY_MS).toISOString()
        const later = new Date(server.clock.now + 30 * DAY_MS).toISOString()
        assert.equal((await created(server, 'soon', { ...operatorBody, expiry: soon })).expiringSoon, true)
        assert.equal((await created(server, 'later', { ...operatorBody, expiry: later })).expiringSoon, false)
        const listed = (await server.request('GET', '/api/apiTokens')).body.value
        assert.equal(listed.find((t: { id: string }) => t.id === 'soon').expiringSoon, true)
        assert.equal(listed.find((t: { id: string }) => t.id === 'later').expiringSoon, false)

        const warned = await server.app.housekeeping.expiryWarnings.check()
        assert.ok(warned.includes('soon') && !warned.includes('later'))
        assert.ok(server.logs.some((line) => line.includes("API token 'soon' expires in 10 days")))
        assert.ok(!(await server.app.housekeeping.expiryWarnings.check()).includes('soon'), 'once a day')

        server.clock.advance(17 * DAY_MS)
        assert.equal((await tokenOf(server, 'later')).body.expiringSoon, true)
        // Expired: no longer "soon".
        assert.equal((await tokenOf(server, 'soon')).body.expiringSoon, false)
      })
    })

    describe('POST /api/apiTokens/{id}/rotate', () => {
      it('answers 401 without a credential or with a wrong one, rotating nothing', async () => {
        const { token } = await created(server, 'guarded')
        for (const auth of [null, 'garbage']) {
          expectError(await server.request('POST', '/api/apiTokens/guarded/rotate', { auth, body: {} }), 401, 'Unauthenticated')
        }
        assert.equal((await devices(server, token)).status, 200)
      })

      it('answers 403 to Builder and Operator tokens, rotating nothing', async () => {
        const { token } = await created(server, 'guarded-2')
        for (const auth of [server.builderToken, server.operatorToken]) {
          expectError(
            await server.request('POST', '/api/apiTokens/guarded-2/rotate', { auth, body: {} }),
            403,
            'Forbidden',
            'You do not have permission to do this: it needs apiTokens.create.',
          )
        }
        assert.equal((await devices(server, token)).status, 200)
      })

      it('answers 403 to a caller who could not grant the token\'s roles (no escalation)', async () => {
        assert.equal(
          (
            await server.request('PUT', '/api/roles/token-maker', {
              body: { displayName: 'Token maker', type: 'application', permissions: ['apiTokens.create', 'apiTokens.read'] },
            })
          ).status,
          200,
        )
        const maker = await server.createToken('maker', ['token-maker'])
        const admin = await server.createToken('admin-2', [ROLE_IDS.administrator])
        expectError(await server.request('POST', '/api/apiTokens/admin-2/rotate', { auth: maker, body: {} }), 403, 'Forbidden')
        assert.equal((await devices(server, admin)).status, 200)
      })

      it('answers 404 for an unknown token and an impossible id (tokens are application-wide: no organization hides one)', async () => {
        expectError(await server.request('POST', '/api/apiTokens/nobody/rotate', { body: {} }), 404, 'NotFound', "The API token 'nobody' was not found.")
        expectError(await server.request('POST', '/api/apiTokens/-bad-/rotate', { body: {} }), 404, 'NotFound')
        expectError(await tokenOf(server, 'nobody'), 404, 'NotFound')
      })

      it('issues a new value once; the old one works during the overlap, then stops', async () => {
        const original = await created(server, 'rotated')
        const rotated = await server.request('POST', '/api/apiTokens/rotated/rotate', { body: { overlapMinutes: 5 } })
        assert.equal(rotated.status, 200, rotated.text)
        assert.match(rotated.body.token, /^SharedAccessSignature sr=.+&sig=ocsk_.+&skn=rotated&se=\d+$/)
        assert.notEqual(secretOf(rotated.body.token), secretOf(original.token))
        assert.equal(rotated.body.expiry, original.expiry, 'a rotation keeps the expiry')
        assert.deepEqual(rotated.body.roles, original.roles)
        assert.equal((await devices(server, rotated.body.token)).status, 200)
        assert.equal((await devices(server, original.token)).status, 200)
        const read = await tokenOf(server, 'rotated')
        assert.ok(!read.text.includes(secretOf(rotated.body.token)) && !('token' in read.body))

        server.clock.advance(5 * MINUTE_MS)
        expectError(await devices(server, original.token), 401, 'Unauthenticated')
        assert.equal((await devices(server, rotated.body.token)).status, 200)

        const audit = await server.request('GET', '/api/auditLogs', { query: { action: 'apiToken.rotate' } })
        const record = audit.body.value.find((r: { target: string }) => r.target === 'rotated')
        assert.ok(record)
        assert.equal(record.outcome, 'success')
        assert.ok(!audit.text.includes(secretOf(rotated.body.token)))
      })

      it('defaults to a 60-minute overlap, and overlapMinutes 0 ends the old value at once', async () => {
        const first = await created(server, 'default-overlap')
        const rotated = await server.request('POST', '/api/apiTokens/default-overlap/rotate')
        assert.equal(rotated.status, 200, rotated.text)
        server.clock.advance(59 * MINUTE_MS)
        assert.equal((await devices(server, first.token)).status, 200)
        server.clock.advance(MINUTE_MS)
        expectError(await devices(server, first.token), 401, 'Unauthenticated')

        const second = await server.request('POST', '/api/apiTokens/default-overlap/rotate', { body: { overlapMinutes: 0 } })
        assert.equal(second.status, 200)
        expectError(await devices(server, rotated.body.token), 401, 'Unauthenticated')
        assert.equal((await devices(server, second.body.token)).status, 200)
      })

      it('is served in every api-version; 1.0 shows role assignments without organization', async () => {
        await created(server, 'versions')
        for (const version of ['1.0', '2022-05-31', '2022-10-31-preview']) {
          const response = await server.request('POST', '/api/apiTokens/versions/rotate', {
            body: {},
            query: { 'api-version': version },
          })
          assert.equal(response.status, 200, `${version}: ${response.text}`)
        }
        expectError(
          await server.request('POST', '/api/apiTokens/versions/rotate', { body: {}, query: { 'api-version': 'nope' } }),
          404,
          'NotFound',
        )
      })

      it('refuses bad input with a clear error, rotating nothing', async () => {
        const { token } = await created(server, 'kept')
        const cases: Array<[unknown, number, RegExp]> = [
          [{ overlapMinutes: -1 }, 422, /overlapMinutes/],
          [{ overlapMinutes: 1441 }, 422, /overlapMinutes/],
          [{ overlapMinutes: 'soon' }, 422, /overlapMinutes/],
          [{ overlapMinutes: 1.5 }, 422, /overlapMinutes/],
          [{ secret: 'mine' }, 422, /secret: is not a known member/],
        ]
        for (const [body, status, message] of cases) {
          const response = await server.request('POST', '/api/apiTokens/kept/rotate', { body })
          expectError(response, status, 'UnprocessableEntity', message)
        }
        expectError(
          await server.request('POST', '/api/apiTokens/kept/rotate', { rawBody: '{"overlap', contentType: 'application/json' }),
          400,
          'BadRequest',
        )
        // Nothing changed: the one value still works, and no previous one exists.
        server.clock.advance(2 * DAY_MS)
        assert.equal((await devices(server, token)).status, 200)
      })

      it('refuses to rotate an expired token (409)', async () => {
        const { token } = await created(server, 'short', { ...operatorBody, expiry: new Date(server.clock.now + DAY_MS).toISOString() })
        server.clock.advance(DAY_MS + 1)
        expectError(await server.request('POST', '/api/apiTokens/short/rotate', { body: {} }), 409, 'Conflict', /expired/)
        expectError(await devices(server, token), 401, 'Unauthenticated')
      })

      it('deleting a rotated token ends both values at once', async () => {
        const original = await created(server, 'doomed')
        const rotated = await server.request('POST', '/api/apiTokens/doomed/rotate', { body: { overlapMinutes: 60 } })
        assert.equal((await devices(server, original.token)).status, 200)
        assert.equal((await devices(server, rotated.body.token)).status, 200)
        assert.equal((await server.request('DELETE', '/api/apiTokens/doomed')).status, 204)
        expectError(await devices(server, original.token), 401, 'Unauthenticated')
        expectError(await devices(server, rotated.body.token), 401, 'Unauthenticated')
      })
    })
  })
}

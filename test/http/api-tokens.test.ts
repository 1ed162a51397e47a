import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Principal } from '../../src/auth/principal.js'
import { applicationAccess } from '../../src/authz/policy.js'
import { AppError } from '../../src/errors/app-error.js'
import { DIALECTS } from '../helpers/dialects.js'
import {
  expectError,
  ROLE_IDS,
  startServer,
  type ApiResponse,
  type TestServer,
} from '../helpers/server.js'

const DAY_MS = 86_400_000
const TOKEN_SHAPE = /^SharedAccessSignature sr=([^&]+)&sig=([^&]+)&skn=([^&]+)&se=(\d+)$/

/** The secret part of a token value, as written in it and decoded. */
function secretsOf(token: string): string[] {
  const sig = /sig=([^&]+)/.exec(token)![1]!
  return [sig, decodeURIComponent(sig)]
}

function assertNoSecret(response: ApiResponse, token: string): void {
  for (const secret of [token, ...secretsOf(token)]) {
    assert.ok(!response.text.includes(secret), `the response holds the secret: ${response.text}`)
  }
}

async function assertAbsent(server: TestServer, id: string): Promise<void> {
  expectError(
    await server.request('GET', `/api/apiTokens/${encodeURIComponent(id)}`),
    404,
    'NotFound',
  )
  const list = await server.request('GET', '/api/apiTokens')
  assert.equal(list.status, 200)
  assert.ok(!list.body.value.some((t: { id: string }) => t.id === id), `'${id}' is listed`)
}

const operatorBody = { roles: [{ role: ROLE_IDS.operator }] }

for (const dialect of DIALECTS) {
  describe(`API tokens (${dialect})`, () => {
    let server: TestServer
    let builderToken: string
    let operatorToken: string
    before(async () => {
      server = await startServer(dialect)
      builderToken = await server.createToken('builder', [ROLE_IDS.builder])
      operatorToken = await server.createToken('operator', [ROLE_IDS.operator])
    })
    after(async () => server?.close())

    const routes = (): Array<{
      method: string
      path: string
      body?: unknown
      permission: string
    }> => [
      { method: 'GET', path: '/api/apiTokens', permission: 'apiTokens.read' },
      { method: 'GET', path: '/api/apiTokens/operator', permission: 'apiTokens.read' },
      {
        method: 'PUT',
        path: '/api/apiTokens/intruder',
        body: operatorBody,
        permission: 'apiTokens.create',
      },
      { method: 'DELETE', path: '/api/apiTokens/operator', permission: 'apiTokens.delete' },
    ]

    it('answers 401 without a credential on every route, changing nothing', async () => {
      for (const route of routes()) {
        const response = await server.request(route.method, route.path, {
          auth: null,
          body: route.body,
        })
        expectError(response, 401, 'Unauthenticated')
        assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="OpenCentral"')
      }
      await assertAbsent(server, 'intruder')
      assert.equal((await server.request('GET', '/api/apiTokens/operator')).status, 200)
    })

    it('answers 401 to a garbage credential on every route, changing nothing', async () => {
      const forged = server.adminToken.replace(
        /sig=[^&]+/,
        'sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D',
      )
      for (const auth of ['garbage', 'SharedAccessSignature sr=x&sig=y&skn=z&se=1', forged]) {
        for (const route of routes()) {
          const response = await server.request(route.method, route.path, {
            auth,
            body: route.body,
          })
          expectError(
            response,
            401,
            'Unauthenticated',
            'The provided authentication token is invalid.',
          )
          assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/)
        }
      }
      await assertAbsent(server, 'intruder')
      assert.equal((await server.request('GET', '/api/apiTokens/operator')).status, 200)
    })

    it('answers 403 to Builder and Operator tokens on every route, changing nothing', async () => {
      for (const auth of [builderToken, operatorToken]) {
        for (const route of routes()) {
          const response = await server.request(route.method, route.path, {
            auth,
            body: route.body,
          })
          expectError(
            response,
            403,
            'Forbidden',
            `You do not have permission to do this: it needs ${route.permission}.`,
          )
        }
      }
      await assertAbsent(server, 'intruder')
      const operator = await server.request('GET', '/api/apiTokens/operator')
      assert.equal(operator.status, 200)
      assert.deepEqual(operator.body.roles, [{ role: ROLE_IDS.operator }])
      assert.equal(
        (await server.request('GET', '/api/devices', { auth: operatorToken })).status,
        200,
      )
    })

    it('answers 404 for an unknown token id on GET and DELETE', async () => {
      expectError(
        await server.request('GET', '/api/apiTokens/no-such-token'),
        404,
        'NotFound',
        "The API token 'no-such-token' was not found.",
      )
      expectError(
        await server.request('DELETE', '/api/apiTokens/no-such-token'),
        404,
        'NotFound',
        "The API token 'no-such-token' was not found.",
      )
      await assertAbsent(server, 'no-such-token')
    })

    it('creates a token in the IoT Central shape that works with its role', async () => {
      const response = await server.request('PUT', '/api/apiTokens/created-op', {
        body: operatorBody,
      })
      assert.equal(response.status, 200, response.text)
      assert.equal(response.body.id, 'created-op')
      assert.deepEqual(response.body.roles, [{ role: ROLE_IDS.operator }])
      assert.equal(typeof response.body.expiry, 'string')
      const match = TOKEN_SHAPE.exec(response.body.token)
      assert.ok(match, `token ${response.body.token} does not have the IoT Central shape`)
      assert.equal(match[1], server.app.services.applicationId)
      assert.ok(match[2]!.length >= 16, 'the secret is long')
      assert.equal(match[3], 'created-op')
      assert.equal(Number(match[4]), Date.parse(response.body.expiry))

      const token: string = response.body.token
      assert.equal((await server.request('GET', '/api/devices', { auth: token })).status, 200)
      expectError(await server.request('GET', '/api/apiTokens', { auth: token }), 403, 'Forbidden')
    })

    it('gives a token one year of life by default', async () => {
      const now = server.clock.now
      const response = await server.request('PUT', '/api/apiTokens/default-expiry', {
        body: operatorBody,
      })
      assert.equal(response.status, 200, response.text)
      assert.equal(response.body.expiry, new Date(now + 365 * DAY_MS).toISOString())
      assert.ok(response.body.token.endsWith(`&se=${now + 365 * DAY_MS}`))
      const read = await server.request('GET', '/api/apiTokens/default-expiry')
      assert.equal(read.body.expiry, response.body.expiry)
    })

    it('keeps a chosen expiry exactly', async () => {
      const expiry = new Date(server.clock.now + 10 * DAY_MS + 123).toISOString()
      const response = await server.request('PUT', '/api/apiTokens/chosen-expiry', {
        body: { ...operatorBody, expiry },
      })
      assert.equal(response.status, 200, response.text)
      assert.equal(response.body.expiry, expiry)
      assert.ok(response.body.token.endsWith(`&se=${Date.parse(expiry)}`))
      const read = await server.request('GET', '/api/apiTokens/chosen-expiry')
      assert.equal(read.status, 200)
      assert.equal(read.body.expiry, expiry)
      assert.equal(
        (await server.request('GET', '/api/devices', { auth: response.body.token })).status,
        200,
      )
    })

    it('accepts a body id equal to the path id', async () => {
      const response = await server.request('PUT', '/api/apiTokens/same-id', {
        body: { id: 'same-id', ...operatorBody },
      })
      assert.equal(response.status, 200, response.text)
      assert.equal(response.body.id, 'same-id')
      assert.equal((await server.request('GET', '/api/apiTokens/same-id')).status, 200)
    })

    it('shows the value once: never in GET one nor in the list', async () => {
      const created = await server.request('PUT', '/api/apiTokens/shown-once', {
        body: operatorBody,
      })
      assert.equal(created.status, 200, created.text)
      const token: string = created.body.token

      const one = await server.request('GET', '/api/apiTokens/shown-once')
      assert.equal(one.status, 200)
      assert.deepEqual(one.body, {
        id: 'shown-once',
        roles: [{ role: ROLE_IDS.operator }],
        expiry: created.body.expiry,
        expiringSoon: false,
        createdAt: created.body.createdAt,
      })
      assert.ok(!('token' in one.body))
      assertNoSecret(one, token)

      const list = await server.request('GET', '/api/apiTokens')
      assert.equal(list.status, 200)
      const item = list.body.value.find((t: { id: string }) => t.id === 'shown-once')
      assert.deepEqual(item, {
        id: 'shown-once',
        roles: [{ role: ROLE_IDS.operator }],
        expiry: created.body.expiry,
        expiringSoon: false,
        createdAt: created.body.createdAt,
      })
      for (const entry of list.body.value)
        assert.ok(!('token' in entry), `token field in ${entry.id}`)
      assertNoSecret(list, token)
      assertNoSecret(list, server.adminToken)
    })

    it('refuses to overwrite an existing token (409) and leaves it as it was', async () => {
      const expiry = new Date(server.clock.now + 30 * DAY_MS).toISOString()
      const created = await server.request('PUT', '/api/apiTokens/existing', {
        body: { ...operatorBody, expiry },
      })
      assert.equal(created.status, 200, created.text)
      const original: string = created.body.token

      const again = await server.request('PUT', '/api/apiTokens/existing', {
        body: {
          roles: [{ role: ROLE_IDS.administrator }],
          expiry: new Date(server.clock.now + 60 * DAY_MS).toISOString(),
        },
      })
      expectError(again, 409, 'Conflict', /already exists/)
      assert.ok(!again.text.includes('SharedAccessSignature'))

      const read = await server.request('GET', '/api/apiTokens/existing')
      assert.equal(read.status, 200)
      const { lastUsedAt, lastUsedAddress, ...stored } = read.body
      assert.deepEqual(stored, {
        id: 'existing',
        roles: [{ role: ROLE_IDS.operator }],
        expiry,
        expiringSoon: false,
        createdAt: created.body.createdAt,
      })
      assert.equal((await server.request('GET', '/api/devices', { auth: original })).status, 200)
      expectError(
        await server.request('GET', '/api/apiTokens', { auth: original }),
        403,
        'Forbidden',
      )
    })

    describe('bad input', () => {
      const cases: Array<{
        name: string
        id: string
        body?: unknown
        rawBody?: string
        field?: RegExp
      }> = [
        {
          name: 'missing roles',
          id: 'bad-missing-roles',
          body: {},
          field: /^roles: is required\.$/,
        },
        {
          name: 'an empty roles array',
          id: 'bad-empty-roles',
          body: { roles: [] },
          field: /^roles: /,
        },
        {
          name: 'an unknown role id',
          id: 'bad-unknown-role',
          body: { roles: [{ role: '00000000-0000-0000-0000-000000000000' }] },
          field: /^roles\[0\]\.role: /,
        },
        {
          name: 'an unknown member in the body',
          id: 'bad-member',
          body: { ...operatorBody, colour: 'red' },
          field: /^colour: is not a known member\.$/,
        },
        {
          name: 'an expiry in the past',
          id: 'bad-past',
          body: { ...operatorBody, expiry: '2001-01-01T00:00:00.000Z' },
          field: /^expiry: .*in the past/,
        },
        {
          name: 'an expiry that is not a date',
          id: 'bad-not-date',
          body: { ...operatorBody, expiry: 'next tuesday' },
          field: /^expiry: 'next tuesday' is not a date-time\.$/,
        },
        {
          name: 'a token id with a space',
          id: 'bad id',
          body: operatorBody,
          field: /^tokenId: /,
        },
        {
          name: 'a token id starting with a hyphen',
          id: '-bad',
          body: operatorBody,
          field: /^tokenId: /,
        },
        {
          name: 'a body id different from the path id',
          id: 'bad-other-id',
          body: { id: 'someone-else', ...operatorBody },
          field: /^id: /,
        },
      ]
      for (const c of cases) {
        it(`answers 422 naming the field for ${c.name}, creating nothing`, async () => {
          const response = await server.request(
            'PUT',
            `/api/apiTokens/${encodeURIComponent(c.id)}`,
            {
              body: c.body,
            },
          )
          expectError(response, 422, 'UnprocessableEntity', c.field)
          assert.ok(!response.text.includes('SharedAccessSignature'))
          await assertAbsent(server, c.id)
          if (c.body && typeof c.body === 'object' && 'id' in c.body) {
            await assertAbsent(server, (c.body as { id: string }).id)
          }
        })
      }

      it('answers 422 for an expiry beyond 730 days, but accepts exactly 730', async () => {
        const now = server.clock.now
        const tooLate = new Date(now + 730 * DAY_MS + 1).toISOString()
        const response = await server.request('PUT', '/api/apiTokens/bad-too-late', {
          body: { ...operatorBody, expiry: tooLate },
        })
        expectError(response, 422, 'UnprocessableEntity', /^expiry: .*730 days/)
        await assertAbsent(server, 'bad-too-late')

        const longest = new Date(now + 730 * DAY_MS).toISOString()
        const ok = await server.request('PUT', '/api/apiTokens/longest-life', {
          body: { ...operatorBody, expiry: longest },
        })
        assert.equal(ok.status, 200, ok.text)
        assert.equal(ok.body.expiry, longest)
      })

      it('answers 400 BadRequest to unparsable JSON, creating nothing', async () => {
        const response = await server.request('PUT', '/api/apiTokens/bad-json', {
          rawBody: '{"roles": [',
        })
        expectError(response, 400, 'BadRequest', 'The body is not valid JSON.')
        await assertAbsent(server, 'bad-json')
      })
    })

    describe('no escalation', () => {
      const fabricated = async (): Promise<Principal> => {
        const operator = (await server.app.services.roles.current()).get(ROLE_IDS.operator)!
        return {
          type: 'apiToken',
          id: 'fabricated',
          scheme: 'SharedAccessSignature',
          assignments: [{ role: ROLE_IDS.operator }],
          ...applicationAccess(new Set([...operator.permissions, 'apiTokens.create'])),
        }
      }

      it('refuses a caller granting a role whose permissions it lacks', async () => {
        const caller = await fabricated()
        await assert.rejects(
          server.app.services.apiTokens.create(caller, 'escalated', {
            roles: [{ role: ROLE_IDS.administrator }],
          }),
          (error: unknown) => {
            assert.ok(error instanceof AppError, `not an AppError: ${String(error)}`)
            assert.equal(error.code, 'Forbidden')
            assert.equal(error.status, 403)
            assert.ok(
              error.message.startsWith("You cannot grant the role 'Administrator'"),
              error.message,
            )
            return true
          },
        )
        await assertAbsent(server, 'escalated')
      })

      it('lets that caller grant a role it fully holds', async () => {
        const caller = await fabricated()
        const created = await server.app.services.apiTokens.create(caller, 'granted-op', {
          roles: [{ role: ROLE_IDS.operator }],
        })
        assert.equal(created.id, 'granted-op')
        assert.deepEqual(created.roles, [{ role: ROLE_IDS.operator }])
        assert.equal(
          (await server.request('GET', '/api/devices', { auth: created.token })).status,
          200,
        )
        const read = await server.request('GET', '/api/apiTokens/granted-op')
        assert.equal(read.status, 200)
        assert.deepEqual(read.body.roles, [{ role: ROLE_IDS.operator }])
      })
    })

    it('revokes at once: the very next request with a deleted token is 401', async () => {
      const created = await server.request('PUT', '/api/apiTokens/revoked', { body: operatorBody })
      assert.equal(created.status, 200, created.text)
      const token: string = created.body.token
      assert.equal((await server.request('GET', '/api/devices', { auth: token })).status, 200)
      const deleted = await server.request('DELETE', '/api/apiTokens/revoked')
      assert.equal(deleted.status, 204)
      assert.equal(deleted.text, '')
      expectError(
        await server.request('GET', '/api/devices', { auth: token }),
        401,
        'Unauthenticated',
      )
      await assertAbsent(server, 'revoked')
    })
  })

  describe(`API tokens: the last Administrator (${dialect})`, () => {
    let server: TestServer
    before(async () => {
      server = await startServer(dialect)
    })
    after(async () => server?.close())

    const stillWorks = async (token: string) => {
      const response = await server.request('GET', '/api/apiTokens/test-admin', { auth: token })
      assert.equal(response.status, 200, response.text)
      assert.deepEqual(response.body.roles, [{ role: ROLE_IDS.administrator }])
    }

    it('refuses to delete the only Administrator, even by itself (409)', async () => {
      const response = await server.request('DELETE', '/api/apiTokens/test-admin')
      expectError(response, 409, 'Conflict', /last Administrator/)
      await stillWorks(server.adminToken)
    })

    it('does not count an expired Administrator token', async () => {
      const expiry = new Date(server.clock.now + 60_000).toISOString()
      const created = await server.request('PUT', '/api/apiTokens/short-admin', {
        body: { roles: [{ role: ROLE_IDS.administrator }], expiry },
      })
      assert.equal(created.status, 200, created.text)
      server.clock.advance(60_001)
      expectError(
        await server.request('GET', '/api/devices', { auth: created.body.token }),
        401,
        'Unauthenticated',
      )

      const response = await server.request('DELETE', '/api/apiTokens/test-admin')
      expectError(response, 409, 'Conflict', /last Administrator/)
      await stillWorks(server.adminToken)
    })

    it('deletes the first Administrator once a second exists', async () => {
      const created = await server.request('PUT', '/api/apiTokens/second-admin', {
        body: { roles: [{ role: ROLE_IDS.administrator }] },
      })
      assert.equal(created.status, 200, created.text)
      const second: string = created.body.token

      const deleted = await server.request('DELETE', '/api/apiTokens/test-admin')
      assert.equal(deleted.status, 204, deleted.text)
      expectError(await server.request('GET', '/api/devices'), 401, 'Unauthenticated')
      await assertAbsentWith(server, second, 'test-admin')
      assert.equal((await server.request('GET', '/api/devices', { auth: second })).status, 200)

      // Now the second is the last one.
      expectError(
        await server.request('DELETE', '/api/apiTokens/second-admin', { auth: second }),
        409,
        'Conflict',
        /last Administrator/,
      )
      assert.equal(
        (await server.request('GET', '/api/apiTokens/second-admin', { auth: second })).status,
        200,
      )
    })
  })
}

async function assertAbsentWith(server: TestServer, auth: string, id: string): Promise<void> {
  expectError(await server.request('GET', `/api/apiTokens/${id}`, { auth }), 404, 'NotFound')
}

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import { expectError, ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

const EXPECTED = [
  { id: 'ca310b8d-2f4a-44e0-a36e-957c202cd8d4', displayName: 'Administrator' },
  { id: '344138e9-8de4-4497-8c54-5237e96d6aaf', displayName: 'Builder' },
  { id: 'ae2c9854-393b-4f97-8c42-479d70ce626e', displayName: 'Operator' },
]

interface RoleBody {
  id: string
  displayName: string
  permissions: string[]
}

for (const dialect of DIALECTS) {
  describe(`roles (${dialect})`, () => {
    let server: TestServer
    let builderToken: string
    let operatorToken: string
    before(async () => {
      server = await startServer(dialect)
      builderToken = await server.createToken('builder', [ROLE_IDS.builder])
      operatorToken = await server.createToken('operator', [ROLE_IDS.operator])
    })
    after(async () => server?.close())

    const paths = ['/api/roles', `/api/roles/${ROLE_IDS.administrator}`]

    it('answers 401 without a credential', async () => {
      for (const path of paths) {
        const response = await server.request('GET', path, { auth: null })
        expectError(response, 401, 'Unauthenticated')
        assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="OpenCentral"')
        assert.ok(!response.text.includes('Administrator'))
      }
    })

    it('answers 403 to Builder and Operator tokens, which lack roles.read', async () => {
      for (const auth of [builderToken, operatorToken]) {
        for (const path of paths) {
          const response = await server.request('GET', path, { auth })
          expectError(
            response,
            403,
            'Forbidden',
            'You do not have permission to do this: it needs roles.read.',
          )
          assert.ok(!response.text.includes('permissions'))
        }
      }
    })

    it('answers 404 for an unknown role id', async () => {
      const response = await server.request(
        'GET',
        '/api/roles/00000000-0000-0000-0000-000000000000',
      )
      expectError(
        response,
        404,
        'NotFound',
        "The role '00000000-0000-0000-0000-000000000000' was not found.",
      )
    })

    it('lists Administrator, Builder and Operator, in order, with IoT Central ids', async () => {
      const response = await server.request('GET', '/api/roles')
      assert.equal(response.status, 200, response.text)
      assert.ok(Array.isArray(response.body.value))
      assert.deepEqual(
        response.body.value.map((r: RoleBody) => ({ id: r.id, displayName: r.displayName })),
        EXPECTED,
      )
      for (const role of response.body.value as RoleBody[]) {
        assert.ok(Array.isArray(role.permissions), `${role.displayName} has no permissions array`)
        assert.ok(role.permissions.length > 0, `${role.displayName} has no permissions`)
      }
      assert.equal(response.body.nextLink, undefined)
    })

    it('gets each role by id, the same as in the list', async () => {
      const list = await server.request('GET', '/api/roles')
      assert.equal(list.status, 200)
      for (const expected of EXPECTED) {
        const response = await server.request('GET', `/api/roles/${expected.id}`)
        assert.equal(response.status, 200, response.text)
        assert.equal(response.body.id, expected.id)
        assert.equal(response.body.displayName, expected.displayName)
        assert.deepEqual(
          response.body,
          list.body.value.find((r: RoleBody) => r.id === expected.id),
        )
      }
    })

    it('gives the Administrator every administrative permission', async () => {
      const response = await server.request('GET', `/api/roles/${ROLE_IDS.administrator}`)
      assert.equal(response.status, 200, response.text)
      const permissions: string[] = response.body.permissions
      for (const p of [
        'apiTokens.create',
        'apiTokens.read',
        'apiTokens.delete',
        'users.delete',
        'roles.read',
      ]) {
        assert.ok(permissions.includes(p), `Administrator lacks ${p}`)
      }
    })

    it('gives the Builder device and template permissions but no administration', async () => {
      const response = await server.request('GET', `/api/roles/${ROLE_IDS.builder}`)
      assert.equal(response.status, 200, response.text)
      const permissions: string[] = response.body.permissions
      for (const p of ['deviceTemplates.manage', 'devices.delete']) {
        assert.ok(permissions.includes(p), `Builder lacks ${p}`)
      }
      for (const p of ['users.read', 'roles.read', 'apiTokens.read']) {
        assert.ok(!permissions.includes(p), `Builder holds ${p}`)
      }
    })

    it('gives the Operator device permissions but no template changes', async () => {
      const response = await server.request('GET', `/api/roles/${ROLE_IDS.operator}`)
      assert.equal(response.status, 200, response.text)
      const permissions: string[] = response.body.permissions
      for (const p of ['devices.create', 'devices.delete', 'deviceTemplates.read']) {
        assert.ok(permissions.includes(p), `Operator lacks ${p}`)
      }
      for (const p of ['deviceTemplates.manage', 'roles.read', 'apiTokens.create']) {
        assert.ok(!permissions.includes(p), `Operator holds ${p}`)
      }
    })

    it('answers 404 NotFound without an api-version', async () => {
      for (const path of paths) {
        const response = await server.request('GET', path, { query: { 'api-version': null } })
        expectError(response, 404, 'NotFound', /^"undefined" is not a valid API version\. Accepted versions: 1\.0, .*2022-10-31-preview\.$/)
        assert.ok(!response.text.includes('permissions'))
      }
    })
  })
}

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import { must } from '../helpers/organizations.js'
import { expectError, ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

const DEVICE_READER = {
  displayName: 'Device reader',
  type: 'application',
  permissions: ['devices.read'],
}

for (const dialect of DIALECTS) {
  describe(`custom roles (${dialect})`, () => {
    let server: TestServer
    let builderToken: string
    before(async () => {
      server = await startServer(dialect)
      builderToken = await server.createToken('builder', [ROLE_IDS.builder])
    })
    after(async () => server?.close())

    const put = (id: string, body: unknown, auth?: string) =>
      server.request('PUT', `/api/roles/${id}`, { body, ...(auth ? { auth } : {}) })
    const patch = (id: string, body: unknown, auth?: string) =>
      server.request('PATCH', `/api/roles/${id}`, { body, ...(auth ? { auth } : {}) })
    const del = (id: string, auth?: string) =>
      server.request('DELETE', `/api/roles/${id}`, auth ? { auth } : {})
    const get = (id: string) => server.request('GET', `/api/roles/${id}`)

    describe('authentication and authorization', () => {
      it('answers 401 without a credential on PUT, PATCH and DELETE', async () => {
        for (const response of [
          await server.request('PUT', '/api/roles/r1', { auth: null, body: DEVICE_READER }),
          await server.request('PATCH', '/api/roles/r1', { auth: null, body: {} }),
          await server.request('DELETE', '/api/roles/r1', { auth: null }),
        ]) {
          expectError(response, 401, 'Unauthenticated')
        }
        expectError(await get('r1'), 404, 'NotFound')
      })

      it('answers 403 to a Builder, which holds no roles permission', async () => {
        expectError(
          await put('r1', DEVICE_READER, builderToken),
          403,
          'Forbidden',
          'You do not have permission to do this: it needs roles.create or roles.update.',
        )
        expectError(await patch(ROLE_IDS.operator, {}, builderToken), 403, 'Forbidden')
        expectError(await del(ROLE_IDS.operator, builderToken), 403, 'Forbidden')
        expectError(await get('r1'), 404, 'NotFound')
      })
    })

    describe('create, read, change, delete', () => {
      it('creates a role with its permissions closed under their dependencies', async () => {
        const response = await put('3f8a1d2e-0000-4000-8000-00000000c0de', {
          displayName: 'Commander',
          type: 'application',
          permissions: ['devices.executeCommands'],
        })
        assert.equal(response.status, 200, response.text)
        const expected = {
          id: '3f8a1d2e-0000-4000-8000-00000000c0de',
          displayName: 'Commander',
          type: 'application',
          permissions: [
            'deviceGroups.read',
            'deviceTemplates.read',
            'devices.executeCommands',
            'devices.read',
            'devices.update',
          ],
        }
        assert.deepEqual(response.body, expected)
        assert.deepEqual((await get(expected.id)).body, expected)
        const list = await server.request('GET', '/api/roles')
        assert.deepEqual(list.body.value.at(-1), expected)
      })

      it('replaces on PUT and merges on PATCH, keeping the type', async () => {
        await must(server, 'PUT', '/api/roles/editable', DEVICE_READER)
        const replaced = await put('editable', { ...DEVICE_READER, permissions: ['users.read'] })
        assert.deepEqual(replaced.body.permissions, ['roles.read', 'users.read'])
        const renamed = await patch('editable', { displayName: 'Renamed' })
        assert.equal(renamed.status, 200, renamed.text)
        assert.deepEqual(renamed.body, {
          id: 'editable',
          displayName: 'Renamed',
          type: 'application',
          permissions: ['roles.read', 'users.read'],
        })
        const same = await patch('editable', { type: 'application', permissions: ['jobs.read'] })
        assert.deepEqual(same.body.permissions, ['jobs.read'])
      })

      it('deletes an unused role', async () => {
        await must(server, 'PUT', '/api/roles/doomed', { ...DEVICE_READER, displayName: 'Doomed' })
        const response = await del('doomed')
        assert.equal(response.status, 204, response.text)
        expectError(await get('doomed'), 404, 'NotFound', "The role 'doomed' was not found.")
        expectError(await del('doomed'), 404, 'NotFound')
        expectError(await patch('doomed', {}), 404, 'NotFound')
      })
    })

    describe('input rules', () => {
      const bodies: [string, string, unknown, number, string | RegExp][] = [
        [
          'an unknown permission, named',
          'bad1',
          { ...DEVICE_READER, permissions: ['devices.read', 'devices.fly'] },
          422,
          "permissions[1]: 'devices.fly' is not a permission (see GET /api/roles or docs/permissions.md).",
        ],
        [
          'no permission',
          'bad2',
          { ...DEVICE_READER, permissions: [] },
          422,
          'permissions: a role needs at least one permission.',
        ],
        [
          'an application-wide area in an organization role',
          'bad3',
          {
            displayName: 'X',
            type: 'organization',
            permissions: ['devices.read', 'apiTokens.read'],
          },
          422,
          "permissions[1]: 'apiTokens.read' is application-wide, and organization roles never reach application-wide areas.",
        ],
        [
          'an unknown type',
          'bad4',
          { ...DEVICE_READER, type: 'global' },
          422,
          /^type: must be one of application, organization\.$/,
        ],
        [
          'no displayName',
          'bad5',
          { type: 'application', permissions: ['devices.read'] },
          422,
          'displayName: is required.',
        ],
        [
          'a blank displayName',
          'bad6',
          { ...DEVICE_READER, displayName: '   ' },
          422,
          'displayName: must not be blank.',
        ],
        [
          'an unknown member',
          'bad7',
          { ...DEVICE_READER, colour: 'red' },
          422,
          'colour: is not a known member.',
        ],
        [
          'an invalid id',
          'bad.id',
          DEVICE_READER,
          422,
          /^roleId: 'bad\.id' is not a valid role id/,
        ],
        [
          'a different body id',
          'bad8',
          { ...DEVICE_READER, id: 'other' },
          422,
          /^id: is read-only/,
        ],
      ]
      for (const [what, id, body, status, message] of bodies) {
        it(`refuses ${what}, creating nothing`, async () => {
          expectError(await put(id, body), status, 'UnprocessableEntity', message)
          expectError(await get(id), 404, 'NotFound')
        })
      }

      it("refuses to change a role's type", async () => {
        await must(server, 'PUT', '/api/roles/typed', { ...DEVICE_READER, displayName: 'Typed' })
        const message = "type: a role's type cannot change (it is 'application')."
        expectError(
          await patch('typed', { type: 'organization' }),
          422,
          'UnprocessableEntity',
          message,
        )
        expectError(
          await put('typed', { ...DEVICE_READER, displayName: 'Typed', type: 'organization' }),
          422,
          'UnprocessableEntity',
          message,
        )
        assert.equal((await get('typed')).body.type, 'application')
      })

      it('refuses a display name another role has, whatever its case', async () => {
        expectError(
          await put('twin', { ...DEVICE_READER, displayName: 'ADMINISTRATOR' }),
          409,
          'Conflict',
          `The role '${ROLE_IDS.administrator}' is already named 'Administrator'.`,
        )
        expectError(await get('twin'), 404, 'NotFound')
      })
    })

    describe('built-in roles', () => {
      const message = (name: string) =>
        `'${name}' is a built-in role: built-in roles cannot be created, changed or deleted.`

      it('refuses to change or delete one (403), even for the Administrator', async () => {
        expectError(
          await put(ROLE_IDS.builder, DEVICE_READER),
          403,
          'Forbidden',
          message('Builder'),
        )
        expectError(
          await patch(ROLE_IDS.operator, { displayName: 'Op' }),
          403,
          'Forbidden',
          message('Operator'),
        )
        expectError(await del(ROLE_IDS.administrator), 403, 'Forbidden', message('Administrator'))
        assert.equal((await get(ROLE_IDS.operator)).body.displayName, 'Operator')
      })

      it('reserves the organization role ids before the first organization exists', async () => {
        expectError(
          await put(ROLE_IDS.orgAdmin, { ...DEVICE_READER, displayName: 'Squatter' }),
          403,
          'Forbidden',
          message('Org Admin'),
        )
        expectError(await get(ROLE_IDS.orgAdmin), 404, 'NotFound')
      })
    })

    describe('in use', () => {
      it('refuses to delete a role someone holds, naming who', async () => {
        await must(server, 'PUT', '/api/roles/held', { ...DEVICE_READER, displayName: 'Held' })
        await server.createScopedToken('holder-token', [{ role: 'held' }])
        await must(server, 'PUT', '/api/users/holder', {
          type: 'email',
          email: 'holder@example.com',
          roles: [{ role: 'held' }],
        })
        expectError(
          await del('held'),
          409,
          'Conflict',
          "The role 'Held' is assigned to API token 'holder-token' and user 'holder'; change their roles first.",
        )
        await must(server, 'DELETE', '/api/users/holder')
        await must(server, 'DELETE', '/api/apiTokens/holder-token')
        assert.equal((await del('held')).status, 204)
      })
    })

    describe('a change applies on the next request of every holder', () => {
      it('narrows and widens a token through its role', async () => {
        await must(server, 'PUT', '/api/roles/live', { ...DEVICE_READER, displayName: 'Live' })
        const token = await server.createScopedToken('live-token', [{ role: 'live' }])
        const as = (path: string) => server.request('GET', path, { auth: token })
        assert.equal((await as('/api/devices')).status, 200)
        expectError(await as('/api/users'), 403, 'Forbidden')

        await must(server, 'PATCH', '/api/roles/live', { permissions: ['users.read'] })
        expectError(await as('/api/devices'), 403, 'Forbidden')
        assert.equal((await as('/api/users')).status, 200)
        assert.equal((await as('/api/roles')).status, 200)
      })
    })

    describe('no escalation', () => {
      let editor: string
      before(async () => {
        await must(server, 'PUT', '/api/roles/role-editor', {
          displayName: 'Role editor',
          type: 'application',
          permissions: ['roles.create', 'roles.update', 'roles.delete', 'devices.update'],
        })
        editor = await server.createScopedToken('editor', [{ role: 'role-editor' }])
      })

      it('creates a role within what the caller holds', async () => {
        const response = await put('small', { ...DEVICE_READER, displayName: 'Small' }, editor)
        assert.equal(response.status, 200, response.text)
      })

      it('refuses to create or widen a role beyond what the caller holds', async () => {
        expectError(
          await put(
            'big',
            { ...DEVICE_READER, displayName: 'Big', permissions: ['devices.delete'] },
            editor,
          ),
          403,
          'Forbidden',
          'You cannot create a role with permissions you do not hold application-wide (devices.delete).',
        )
        expectError(await get('big'), 404, 'NotFound')
        expectError(
          await patch('small', { permissions: ['users.read'] }, editor),
          403,
          'Forbidden',
          'You cannot change a role with permissions you do not hold application-wide (users.read).',
        )
        assert.deepEqual((await get('small')).body.permissions, [
          'deviceGroups.read',
          'deviceTemplates.read',
          'devices.read',
        ])
      })

      it('refuses to change or delete a role that holds more than the caller', async () => {
        await must(server, 'PUT', '/api/roles/strong', {
          displayName: 'Strong',
          type: 'application',
          permissions: ['users.delete'],
        })
        expectError(await patch('strong', { displayName: 'Weak' }, editor), 403, 'Forbidden')
        expectError(await del('strong', editor), 403, 'Forbidden')
        assert.equal((await get('strong')).body.displayName, 'Strong')
      })
    })

    describe('limits', () => {
      it('holds at most 50 roles, counting the six built-in ones', async () => {
        const custom = (await server.request('GET', '/api/roles')).body.value.length - 3
        for (let i = custom; i < 44; i++) {
          await server.app.services.customRoles.put(null, `bulk-${i}`, {
            displayName: `Bulk ${i}`,
            type: 'application',
            permissions: ['devices.read'],
          })
        }
        expectError(
          await put('one-too-many', { ...DEVICE_READER, displayName: 'One too many' }),
          409,
          'Conflict',
          'An application has at most 50 roles, the 6 built-in ones included; delete a custom role first.',
        )
        // The organization roles still fit when the first organization adds them.
        await must(server, 'PUT', '/api/organizations/first', { displayName: 'First' })
        assert.equal((await server.request('GET', '/api/roles')).body.value.length, 50)
      })
    })
  })
}

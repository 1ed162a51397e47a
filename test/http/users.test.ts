import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Principal } from '../../src/auth/principal.js'
import { applicationAccess } from '../../src/authz/policy.js'
import type { Permission } from '../../src/authz/permissions.js'
import { DIALECTS } from '../helpers/dialects.js'
import { expectError, ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'

/** A user as IoT Central shows it: without the lifecycle members (checked in token-lifecycle.test.ts). */
function withoutUsage<T>(user: T): T {
  if (user === null || typeof user !== 'object') return user
  const { createdAt, lastUsedAt, lastUsedAddress, ...rest } = user as Record<string, unknown>
  return rest as T
}

const emailUser = (email: string, role: string = ROLE_IDS.operator) => ({
  type: 'email' as const,
  email,
  roles: [{ role }],
})

const directoryUser = (
  type: 'servicePrincipal' | 'adGroup',
  objectId: string,
  role: string = ROLE_IDS.operator,
) => ({ type, tenantId: TENANT, objectId, roles: [{ role }] })

async function put(server: TestServer, id: string, body: unknown, auth?: string) {
  return server.request('PUT', `/api/users/${id}`, { body, ...(auth ? { auth } : {}) })
}

/** PUTs a user and insists it worked, so a later assertion never rests on a failed setup. */
async function create(server: TestServer, id: string, body: unknown) {
  const response = await put(server, id, body)
  assert.equal(response.status, 200, response.text)
  return response.body
}

async function expectAbsent(server: TestServer, id: string): Promise<void> {
  expectError(
    await server.request('GET', `/api/users/${encodeURIComponent(id)}`),
    404,
    'NotFound',
    `The user '${id}' was not found.`,
  )
}

async function expectStored(server: TestServer, id: string, expected: unknown): Promise<void> {
  const response = await server.request('GET', `/api/users/${id}`)
  assert.equal(response.status, 200, response.text)
  assert.deepEqual(withoutUsage(response.body), expected)
}

async function rolePermissions(
  server: TestServer,
  roleId: string,
): Promise<ReadonlySet<Permission>> {
  const role = (await server.app.services.roles.current()).get(roleId)
  assert.ok(role, `role ${roleId} exists`)
  return role.permissions
}

const principal = (id: string, role: string, permissions: Iterable<Permission>): Principal => ({
  type: 'user',
  id,
  scheme: 'Bearer',
  assignments: [{ role }],
  ...applicationAccess(new Set(permissions)),
})

for (const dialect of DIALECTS) {
  describe(`users (${dialect})`, () => {
    let server: TestServer
    let builderToken: string
    let operatorToken: string
    before(async () => {
      server = await startServer(dialect)
      builderToken = await server.createToken('builder', [ROLE_IDS.builder])
      operatorToken = await server.createToken('operator', [ROLE_IDS.operator])
    })
    after(async () => server?.close())

    describe('authentication and authorization', () => {
      const target = {
        id: 'target',
        type: 'email',
        email: 'target@example.com',
        roles: [{ role: ROLE_IDS.operator }],
      }
      const routes: { method: string; path: string; body?: unknown; permission: string }[] = [
        { method: 'GET', path: '/api/users', permission: 'users.read' },
        { method: 'GET', path: '/api/users/target', permission: 'users.read' },
        {
          method: 'PUT',
          path: '/api/users/target',
          body: emailUser('changed@example.com'),
          permission: 'users.create',
        },
        {
          method: 'PUT',
          path: '/api/users/newcomer',
          body: emailUser('newcomer@example.com'),
          permission: 'users.create',
        },
        {
          method: 'PATCH',
          path: '/api/users/target',
          body: { roles: [{ role: ROLE_IDS.builder }] },
          permission: 'users.update',
        },
        { method: 'DELETE', path: '/api/users/target', permission: 'users.delete' },
      ]

      before(async () => {
        await create(server, 'target', emailUser('target@example.com'))
      })

      it('answers 401 without a credential on every route, and changes nothing', async () => {
        for (const route of routes) {
          const response = await server.request(route.method, route.path, {
            auth: null,
            body: route.body,
          })
          expectError(response, 401, 'Unauthenticated')
          assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="OpenCentral"')
        }
        await expectStored(server, 'target', target)
        await expectAbsent(server, 'newcomer')
      })

      it('answers 401 to a garbage credential on every route, and changes nothing', async () => {
        for (const auth of ['garbage', 'SharedAccessSignature sr=x&sig=y&skn=z&se=1']) {
          for (const route of routes) {
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
        await expectStored(server, 'target', target)
        await expectAbsent(server, 'newcomer')
      })

      it('answers 403 to Builder and Operator tokens on every route, and changes nothing', async () => {
        for (const auth of [builderToken, operatorToken]) {
          for (const route of routes) {
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
        await expectStored(server, 'target', target)
        await expectAbsent(server, 'newcomer')
      })

      it('answers 404 for an unknown id on GET, PATCH and DELETE', async () => {
        const message = "The user 'nobody' was not found."
        expectError(await server.request('GET', '/api/users/nobody'), 404, 'NotFound', message)
        expectError(
          await server.request('PATCH', '/api/users/nobody', {
            body: { roles: [{ role: ROLE_IDS.operator }] },
          }),
          404,
          'NotFound',
          message,
        )
        expectError(await server.request('DELETE', '/api/users/nobody'), 404, 'NotFound', message)
        await expectAbsent(server, 'nobody')
      })
    })

    describe('create and read', () => {
      const ann = {
        id: 'ann',
        type: 'email',
        email: 'ann@example.com',
        roles: [{ role: ROLE_IDS.operator }],
      }
      const robot = {
        id: 'robot',
        type: 'servicePrincipal',
        tenantId: TENANT,
        objectId: '3f1d0c5e-0000-4000-8000-000000000001',
        roles: [{ role: ROLE_IDS.builder }],
      }
      const team = {
        id: 'team_1',
        type: 'adGroup',
        tenantId: TENANT,
        objectId: '3f1d0c5e-0000-4000-8000-000000000002',
        roles: [{ role: ROLE_IDS.operator }, { role: ROLE_IDS.builder }],
      }

      it('adds an email user', async () => {
        const { id: _id, ...body } = ann
        const response = await put(server, 'ann', body)
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(withoutUsage(response.body), ann)
        await expectStored(server, 'ann', ann)
      })

      it('adds a servicePrincipal user', async () => {
        const { id: _id, ...body } = robot
        const response = await put(server, 'robot', body)
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(withoutUsage(response.body), robot)
        await expectStored(server, 'robot', robot)
      })

      it('adds an adGroup user with several roles, in order', async () => {
        const { id: _id, ...body } = team
        const response = await put(server, 'team_1', body)
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(withoutUsage(response.body), team)
        await expectStored(server, 'team_1', team)
      })

      it('lists the users it added, each as GET returns it', async () => {
        const response = await server.request('GET', '/api/users', { query: { maxpagesize: 100 } })
        assert.equal(response.status, 200, response.text)
        assert.equal(response.body.nextLink, undefined)
        const byId = new Map((response.body.value as { id: string }[]).map((u) => [u.id, u]))
        assert.deepEqual(withoutUsage(byId.get('ann')), ann)
        assert.deepEqual(withoutUsage(byId.get('robot')), robot)
        assert.deepEqual(withoutUsage(byId.get('team_1')), team)
      })

      it('tolerates an id in the body equal to the path id', async () => {
        const body = { id: 'bea', ...emailUser('bea@example.com') }
        const response = await put(server, 'bea', body)
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(withoutUsage(response.body), body)
        await expectStored(server, 'bea', body)
      })

      it('refuses an id in the body different from the path id, and writes nothing', async () => {
        const response = await put(server, 'cid', { id: 'other', ...emailUser('cid@example.com') })
        expectError(
          response,
          422,
          'UnprocessableEntity',
          "id: is read-only and must be 'cid', the id in the path.",
        )
        await expectAbsent(server, 'cid')
        await expectAbsent(server, 'other')
      })
    })

    describe('input validation', () => {
      const invalid: { name: string; id?: string; body: unknown; field: RegExp }[] = [
        {
          name: 'a missing type',
          body: { email: 'v1@example.com', roles: [{ role: ROLE_IDS.operator }] },
          field: /^type: is required\.$/,
        },
        {
          name: 'an unknown type',
          body: { ...emailUser('v2@example.com'), type: 'robot' },
          field: /^type: must be one of /,
        },
        {
          name: 'an email user without an email',
          body: { type: 'email', roles: [{ role: ROLE_IDS.operator }] },
          field: /^email: /,
        },
        {
          name: 'an email user with an invalid email',
          body: emailUser('not-an-email'),
          field: /^email: /,
        },
        {
          name: 'a servicePrincipal without tenantId',
          body: { type: 'servicePrincipal', objectId: 'o-1', roles: [{ role: ROLE_IDS.operator }] },
          field: /^tenantId: /,
        },
        {
          name: 'a servicePrincipal without objectId',
          body: {
            type: 'servicePrincipal',
            tenantId: TENANT,
            roles: [{ role: ROLE_IDS.operator }],
          },
          field: /^objectId: /,
        },
        {
          name: 'an adGroup without objectId',
          body: { type: 'adGroup', tenantId: TENANT, roles: [{ role: ROLE_IDS.operator }] },
          field: /^objectId: /,
        },
        {
          name: 'an email user with a tenantId',
          body: { ...emailUser('v3@example.com'), tenantId: TENANT },
          field: /tenantId/,
        },
        {
          name: 'a servicePrincipal with an email',
          body: { ...directoryUser('servicePrincipal', 'o-2'), email: 'v4@example.com' },
          field: /^email: /,
        },
        {
          name: 'missing roles',
          body: { type: 'email', email: 'v5@example.com' },
          field: /^roles: is required\.$/,
        },
        {
          name: 'empty roles',
          body: { type: 'email', email: 'v6@example.com', roles: [] },
          field: /^roles: /,
        },
        {
          name: 'an unknown role id',
          body: emailUser('v7@example.com', '00000000-0000-0000-0000-000000000000'),
          field:
            /^roles\[0\]\.role: the role '00000000-0000-0000-0000-000000000000' does not exist\.$/,
        },
        {
          name: 'an unknown member',
          body: { ...emailUser('v8@example.com'), nickname: 'v' },
          field: /^nickname: is not a known member\.$/,
        },
        {
          name: 'an id with a space in the path',
          id: 'has space',
          body: emailUser('v9@example.com'),
          field: /^userId: /,
        },
        {
          name: 'a 49-character id in the path',
          id: 'a'.repeat(49),
          body: emailUser('v10@example.com'),
          field: /^userId: /,
        },
      ]

      for (const [index, testCase] of invalid.entries()) {
        it(`answers 422 naming the field to ${testCase.name}, and writes nothing`, async () => {
          const id = testCase.id ?? `invalid-${index}`
          const response = await put(server, encodeURIComponent(id), testCase.body)
          expectError(response, 422, 'UnprocessableEntity', testCase.field)
          await expectAbsent(server, id)
        })
      }

      it('accepts a 48-character id, the longest IoT Central allows', async () => {
        const id = 'A-z_9'.repeat(9) + 'abc'
        assert.equal(id.length, 48)
        const response = await put(server, id, emailUser('longest@example.com'))
        assert.equal(response.status, 200, response.text)
        assert.equal(response.body.id, id)
        await expectStored(server, id, { id, ...emailUser('longest@example.com') })
      })

      it('answers a path id of over 100 characters with an IoT Central error body', async () => {
        const id = 'a'.repeat(101)
        expectError(
          await put(server, id, emailUser('v11@example.com')),
          422,
          'UnprocessableEntity',
          /^userId: /,
        )
        expectError(
          await server.request('GET', `/api/users/${id}`),
          404,
          'NotFound',
          `The user '${id}' was not found.`,
        )
      })

      it('answers 400 to unparsable JSON, and writes nothing', async () => {
        const response = await server.request('PUT', '/api/users/broken', {
          rawBody: '{"type":"email",',
        })
        expectError(response, 400, 'BadRequest', 'The body is not valid JSON.')
        await expectAbsent(server, 'broken')
      })
    })

    describe('uniqueness', () => {
      const dana = {
        id: 'dana',
        type: 'email',
        email: 'dana@example.com',
        roles: [{ role: ROLE_IDS.operator }],
      }
      const agent = {
        id: 'agent',
        ...directoryUser('servicePrincipal', '5b0e2d11-0000-4000-8000-00000000000a'),
      }
      before(async () => {
        await create(server, 'dana', emailUser('dana@example.com'))
        await create(server, 'agent', directoryUser('servicePrincipal', agent.objectId))
      })

      it('answers 409 to a second user with the same email, in any case', async () => {
        for (const [id, email] of [
          ['dana-2', 'dana@example.com'],
          ['dana-3', 'DANA@Example.COM'],
        ] as const) {
          const response = await put(server, id, emailUser(email, ROLE_IDS.builder))
          expectError(
            response,
            409,
            'Conflict',
            "The user 'dana' already has the email address '" + email + "'.",
          )
          await expectAbsent(server, id)
        }
        await expectStored(server, 'dana', dana)
      })

      it('answers 409 to a second servicePrincipal with the same tenantId and objectId', async () => {
        const response = await put(
          server,
          'agent-2',
          directoryUser('servicePrincipal', agent.objectId, ROLE_IDS.builder),
        )
        expectError(
          response,
          409,
          'Conflict',
          /^The user 'agent' is already this service principal/,
        )
        await expectAbsent(server, 'agent-2')
        await expectStored(server, 'agent', agent)
      })

      it('answers 409 when a PATCH takes another user’s email', async () => {
        await create(server, 'eve', emailUser('eve@example.com'))
        const response = await server.request('PATCH', '/api/users/eve', {
          body: { email: 'Dana@example.com' },
        })
        expectError(response, 409, 'Conflict', /^The user 'dana' already has the email address/)
        await expectStored(server, 'eve', { id: 'eve', ...emailUser('eve@example.com') })
        await expectStored(server, 'dana', dana)
      })
    })

    describe('replace and merge patch', () => {
      it('replaces an existing user on PUT, freeing its old email', async () => {
        await create(server, 'carol', emailUser('carol@example.com'))
        const replacement = emailUser('carol.new@example.com', ROLE_IDS.builder)
        const response = await put(server, 'carol', replacement)
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(withoutUsage(response.body), { id: 'carol', ...replacement })
        await expectStored(server, 'carol', { id: 'carol', ...replacement })
        // The old address belongs to nobody now.
        assert.equal((await put(server, 'carol-2', emailUser('carol@example.com'))).status, 200)
      })

      it('changes only the roles on PATCH {"roles"}', async () => {
        await create(server, 'frank', emailUser('frank@example.com'))
        const roles = [{ role: ROLE_IDS.builder }, { role: ROLE_IDS.operator }]
        const response = await server.request('PATCH', '/api/users/frank', { body: { roles } })
        assert.equal(response.status, 200, response.text)
        const expected = { id: 'frank', type: 'email', email: 'frank@example.com', roles }
        assert.deepEqual(withoutUsage(response.body), expected)
        await expectStored(server, 'frank', expected)
      })

      it('changes only the email on PATCH {"email"}', async () => {
        await create(server, 'gina', emailUser('gina@example.com', ROLE_IDS.builder))
        const response = await server.request('PATCH', '/api/users/gina', {
          body: { email: 'new@example.com' },
        })
        assert.equal(response.status, 200, response.text)
        const expected = { id: 'gina', ...emailUser('new@example.com', ROLE_IDS.builder) }
        assert.deepEqual(withoutUsage(response.body), expected)
        await expectStored(server, 'gina', expected)
      })

      it('accepts application/merge-patch+json', async () => {
        const sp = directoryUser('servicePrincipal', '9c4a7e11-0000-4000-8000-000000000003')
        await create(server, 'hal', sp)
        const response = await server.request('PATCH', '/api/users/hal', {
          rawBody: JSON.stringify({ objectId: '9c4a7e11-0000-4000-8000-000000000004' }),
          contentType: 'application/merge-patch+json',
        })
        assert.equal(response.status, 200, response.text)
        const expected = { id: 'hal', ...sp, objectId: '9c4a7e11-0000-4000-8000-000000000004' }
        assert.deepEqual(withoutUsage(response.body), expected)
        await expectStored(server, 'hal', expected)
      })

      it('tolerates the path id and the current type in a PATCH body', async () => {
        await create(server, 'ian', emailUser('ian@example.com'))
        const response = await server.request('PATCH', '/api/users/ian', {
          body: { id: 'ian', type: 'email', roles: [{ role: ROLE_IDS.builder }] },
        })
        assert.equal(response.status, 200, response.text)
        await expectStored(server, 'ian', {
          id: 'ian',
          ...emailUser('ian@example.com', ROLE_IDS.builder),
        })
      })

      it('refuses a PATCH that changes the type, and changes nothing', async () => {
        await create(server, 'jon', emailUser('jon@example.com'))
        const response = await server.request('PATCH', '/api/users/jon', {
          body: { type: 'servicePrincipal', tenantId: TENANT, objectId: 'o-jon' },
        })
        expectError(response, 422, 'UnprocessableEntity', /^type: /)
        await expectStored(server, 'jon', { id: 'jon', ...emailUser('jon@example.com') })
      })

      it('refuses "email": null in a PATCH, and changes nothing', async () => {
        await create(server, 'kim', emailUser('kim@example.com'))
        const response = await server.request('PATCH', '/api/users/kim', { body: { email: null } })
        expectError(response, 422, 'UnprocessableEntity', /^email: /)
        await expectStored(server, 'kim', { id: 'kim', ...emailUser('kim@example.com') })
      })

      it('refuses other invalid PATCH bodies, and changes nothing', async () => {
        await create(server, 'lea', emailUser('lea@example.com'))
        const cases: [unknown, RegExp][] = [
          [{ roles: [] }, /^roles: /],
          [{ roles: [{ role: 'no-such-role' }] }, /^roles\[0\]\.role: /],
          [{ email: 'not-an-email' }, /^email: /],
          [{ tenantId: TENANT }, /tenantId/],
          [{ nickname: 'lea' }, /^nickname: is not a known member\.$/],
          [{ id: 'someone-else' }, /^id: is read-only/],
        ]
        for (const [body, field] of cases) {
          const response = await server.request('PATCH', '/api/users/lea', { body })
          expectError(response, 422, 'UnprocessableEntity', field)
        }
        const broken = await server.request('PATCH', '/api/users/lea', { rawBody: '{"email":' })
        expectError(broken, 400, 'BadRequest', 'The body is not valid JSON.')
        await expectStored(server, 'lea', { id: 'lea', ...emailUser('lea@example.com') })
      })

      it('deletes a user: 204, then 404', async () => {
        await create(server, 'max', emailUser('max@example.com'))
        const response = await server.request('DELETE', '/api/users/max')
        assert.equal(response.status, 204)
        assert.equal(response.text, '')
        await expectAbsent(server, 'max')
        expectError(await server.request('DELETE', '/api/users/max'), 404, 'NotFound')
      })
    })

    describe('role assignment rules', () => {
      it('refuses a change of its own role assignments, but allows a change of its own email', async () => {
        await create(server, 'me', emailUser('me@example.com', ROLE_IDS.administrator))
        const self = principal(
          'me',
          ROLE_IDS.administrator,
          await rolePermissions(server, ROLE_IDS.administrator),
        )
        await assert.rejects(
          server.app.services.users.patch(self, 'me', { roles: [{ role: ROLE_IDS.operator }] }),
          {
            name: 'AppError',
            code: 'Forbidden',
            message: 'You cannot change your own role assignments.',
          },
        )
        await expectStored(server, 'me', {
          id: 'me',
          ...emailUser('me@example.com', ROLE_IDS.administrator),
        })

        const patched = await server.app.services.users.patch(self, 'me', {
          email: 'me.too@example.com',
        })
        const expected = { id: 'me', ...emailUser('me.too@example.com', ROLE_IDS.administrator) }
        assert.deepEqual(withoutUsage(patched), expected)
        await expectStored(server, 'me', expected)
      })

      it('refuses to let a user manager grant a role it does not hold, but allows one it holds', async () => {
        const operatorPermissions = await rolePermissions(server, ROLE_IDS.operator)
        const manager = principal('manager', ROLE_IDS.operator, [
          ...operatorPermissions,
          'users.read',
          'users.create',
          'roles.read',
        ])
        await assert.rejects(
          server.app.services.users.put(manager, 'promoted', {
            type: 'email',
            email: 'promoted@example.com',
            roles: [{ role: ROLE_IDS.administrator }],
          }),
          {
            name: 'AppError',
            code: 'Forbidden',
            message: /^You cannot grant the role 'Administrator'/,
          },
        )
        await expectAbsent(server, 'promoted')

        const added = await server.app.services.users.put(manager, 'helper', {
          type: 'email',
          email: 'helper@example.com',
          roles: [{ role: ROLE_IDS.operator }],
        })
        const expected = { id: 'helper', ...emailUser('helper@example.com') }
        assert.deepEqual(withoutUsage(added), expected)
        await expectStored(server, 'helper', expected)

        // Replacing an existing user is an update, which this manager may not do.
        await assert.rejects(
          server.app.services.users.put(manager, 'helper', {
            type: 'email',
            email: 'helper.2@example.com',
            roles: [{ role: ROLE_IDS.operator }],
          }),
          { name: 'AppError', code: 'Forbidden', message: /users\.update/ },
        )
        await expectStored(server, 'helper', expected)
      })

      it('refuses to let a user manager delete a more privileged user, but allows a peer', async () => {
        await create(server, 'boss', emailUser('boss@example.com', ROLE_IDS.administrator))
        await create(server, 'peer', emailUser('peer@example.com'))
        const operatorPermissions = await rolePermissions(server, ROLE_IDS.operator)
        const manager = principal('manager', ROLE_IDS.operator, [
          ...operatorPermissions,
          'users.read',
          'users.create',
          'users.delete',
          'roles.read',
        ])
        await assert.rejects(server.app.services.users.delete(manager, 'boss'), {
          name: 'AppError',
          code: 'Forbidden',
          message: /^You cannot change the user 'boss'/,
        })
        await expectStored(server, 'boss', {
          id: 'boss',
          ...emailUser('boss@example.com', ROLE_IDS.administrator),
        })

        await server.app.services.users.delete(manager, 'peer')
        await expectAbsent(server, 'peer')
      })
    })
  })

  describe(`users: the last Administrator (${dialect})`, () => {
    let server: TestServer
    let observer: string
    let spareAdmin: string
    before(async () => {
      server = await startServer(dialect)
      // Made while 'test-admin' still exists, to watch and act after it is gone.
      observer = await server.createToken('observer', [ROLE_IDS.operator])
      spareAdmin = await server.createToken('spare-admin', [ROLE_IDS.administrator])
    })
    after(async () => server?.close())

    it('allows deleting an Administrator user while an Administrator token remains', async () => {
      await create(server, 'ada', emailUser('ada@example.com', ROLE_IDS.administrator))
      const response = await server.request('DELETE', '/api/users/ada')
      assert.equal(response.status, 204, response.text)
      await expectAbsent(server, 'ada')
    })

    it('lets the Administrator tokens revoke themselves once an Administrator user remains', async () => {
      const root = { id: 'root', ...emailUser('root@example.com', ROLE_IDS.administrator) }
      await create(server, 'root', emailUser('root@example.com', ROLE_IDS.administrator))

      const first = await server.request('DELETE', '/api/apiTokens/test-admin')
      assert.equal(first.status, 204, first.text)
      expectError(await server.request('GET', '/api/users'), 401, 'Unauthenticated')

      const second = await server.request('DELETE', '/api/apiTokens/spare-admin', {
        auth: spareAdmin,
      })
      assert.equal(second.status, 204, second.text)
      expectError(
        await server.request('GET', '/api/users', { auth: spareAdmin }),
        401,
        'Unauthenticated',
      )

      assert.deepEqual(
        (await server.app.services.apiTokens.list(null)).map((t) => t.id),
        ['observer'],
      )
      assert.deepEqual(withoutUsage(await server.app.services.users.get(null, 'root')), root)
      // The application is not locked out: the remaining principals still work.
      assert.equal((await server.request('GET', '/api/devices', { auth: observer })).status, 200)
    })

    it('refuses to demote, replace or delete the last Administrator, even for the operator', async () => {
      const root = { id: 'root', ...emailUser('root@example.com', ROLE_IDS.administrator) }
      const users = server.app.services.users
      await assert.rejects(users.patch(null, 'root', { roles: [{ role: ROLE_IDS.operator }] }), {
        name: 'AppError',
        code: 'Conflict',
        message:
          "This is the application's last Administrator: add another Administrator before changing its roles.",
      })
      await assert.rejects(
        users.put(null, 'root', emailUser('root@example.com', ROLE_IDS.operator)),
        {
          name: 'AppError',
          code: 'Conflict',
          message: /^This is the application's last Administrator/,
        },
      )
      await assert.rejects(users.delete(null, 'root'), {
        name: 'AppError',
        code: 'Conflict',
        message:
          "This is the application's last Administrator: add another Administrator before removing it.",
      })
      assert.deepEqual(withoutUsage(await users.get(null, 'root')), root)

      // Over HTTP, a caller without the permission is refused before the rule is reached.
      expectError(
        await server.request('PATCH', '/api/users/root', {
          auth: observer,
          body: { roles: [{ role: ROLE_IDS.operator }] },
        }),
        403,
        'Forbidden',
      )
      expectError(
        await server.request('DELETE', '/api/users/root', { auth: observer }),
        403,
        'Forbidden',
      )
      assert.deepEqual(withoutUsage(await users.get(null, 'root')), root)
    })

    it('still allows changing the last Administrator’s email', async () => {
      const patched = await server.app.services.users.patch(null, 'root', {
        email: 'root.2@example.com',
      })
      const expected = { id: 'root', ...emailUser('root.2@example.com', ROLE_IDS.administrator) }
      assert.deepEqual(withoutUsage(patched), expected)
      assert.deepEqual(withoutUsage(await server.app.services.users.get(null, 'root')), expected)
    })

    it('does not count an expired Administrator token', async () => {
      const expiry = new Date(server.clock.now + 60_000).toISOString()
      await server.createToken('brief-admin', [ROLE_IDS.administrator], expiry)
      server.clock.advance(60_001)
      await assert.rejects(
        server.app.services.users.patch(null, 'root', { roles: [{ role: ROLE_IDS.operator }] }),
        { name: 'AppError', code: 'Conflict' },
      )
      assert.deepEqual((await server.app.services.users.get(null, 'root')).roles, [
        { role: ROLE_IDS.administrator },
      ])
    })

    it('allows the demotion once another Administrator exists', async () => {
      const token = await server.createToken('new-admin', [ROLE_IDS.administrator])
      const response = await server.request('PATCH', '/api/users/root', {
        auth: token,
        body: { roles: [{ role: ROLE_IDS.operator }] },
      })
      assert.equal(response.status, 200, response.text)
      assert.deepEqual(response.body.roles, [{ role: ROLE_IDS.operator }])
      expectError(
        await server.request('DELETE', '/api/apiTokens/new-admin', { auth: token }),
        409,
        'Conflict',
      )
    })
  })

  describe(`users: paging (${dialect})`, () => {
    let server: TestServer
    const ids = Array.from({ length: 30 }, (_, i) => `user-${String(i).padStart(2, '0')}`)
    before(async () => {
      server = await startServer(dialect)
      for (const id of ids) await create(server, id, emailUser(`${id}@example.com`))
    })
    after(async () => server?.close())

    it('pages by maxpagesize with absolute nextLinks until every user is seen once', async () => {
      const seen: string[] = []
      let response = await server.request('GET', '/api/users', { query: { maxpagesize: 10 } })
      const sizes: number[] = []
      for (;;) {
        assert.equal(response.status, 200, response.text)
        const page = response.body.value as { id: string; email: string }[]
        sizes.push(page.length)
        for (const user of page) {
          assert.equal(user.email, `${user.id}@example.com`)
          seen.push(user.id)
        }
        const nextLink = response.body.nextLink as string | undefined
        if (nextLink === undefined) break
        assert.ok(nextLink.startsWith(`${server.url}/api/users?`), nextLink)
        assert.equal(new URL(nextLink).searchParams.get('api-version'), '2022-07-31')
        assert.ok(sizes.length < 10, 'paging ends')
        response = await server.request('GET', nextLink)
      }
      assert.deepEqual(sizes, [10, 10, 10])
      assert.equal(new Set(seen).size, seen.length, 'no user twice')
      assert.deepEqual([...seen].sort(), ids)
    })

    it('answers 400 to maxpagesize 0 or 101', async () => {
      for (const maxpagesize of [0, 101]) {
        const response = await server.request('GET', '/api/users', { query: { maxpagesize } })
        expectError(response, 400, 'BadRequest', /^maxpagesize: /)
      }
    })

    it('answers 400 to a tampered $skiptoken', async () => {
      const first = await server.request('GET', '/api/users', { query: { maxpagesize: 10 } })
      assert.equal(first.status, 200, first.text)
      const token = new URL(first.body.nextLink).searchParams.get('$skiptoken')
      assert.ok(token)
      const tampered = [
        token.slice(0, -4),
        `AAAA${token}`,
        'not-a-token',
        Buffer.from(JSON.stringify({ after: 5 })).toString('base64url'),
      ]
      for (const $skiptoken of tampered) {
        const response = await server.request('GET', '/api/users', {
          query: { maxpagesize: 10, $skiptoken },
        })
        expectError(
          response,
          400,
          'BadRequest',
          '$skiptoken: is not a valid continuation; follow nextLink as given.',
        )
      }
    })
  })
}

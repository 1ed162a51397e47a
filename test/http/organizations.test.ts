import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import { HIERARCHY, must, seedHierarchy } from '../helpers/organizations.js'
import { expectError, ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

const ORG_ROLE_IDS = [ROLE_IDS.orgAdmin, ROLE_IDS.orgOperator, ROLE_IDS.orgViewer]

for (const dialect of DIALECTS) {
  describe(`organizations (${dialect})`, () => {
    let server: TestServer
    let operatorToken: string
    before(async () => {
      server = await startServer(dialect)
      operatorToken = await server.createToken('operator', [ROLE_IDS.operator])
    })
    after(async () => server?.close())

    const get = (id: string, auth?: string) =>
      server.request('GET', `/api/organizations/${id}`, auth ? { auth } : {})
    const put = (id: string, body: unknown, auth?: string) =>
      server.request('PUT', `/api/organizations/${id}`, { body, ...(auth ? { auth } : {}) })
    const patch = (id: string, body: unknown, auth?: string) =>
      server.request('PATCH', `/api/organizations/${id}`, { body, ...(auth ? { auth } : {}) })
    const ids = async (auth?: string) => {
      const response = await server.request('GET', '/api/organizations', auth ? { auth } : {})
      assert.equal(response.status, 200, response.text)
      return (response.body.value as { id: string }[]).map((o) => o.id)
    }

    describe('before the first organization', () => {
      it('lists none, and no organization roles', async () => {
        assert.deepEqual(await ids(), [])
        const roles = await server.request('GET', '/api/roles')
        const roleIds = roles.body.value.map((r: { id: string }) => r.id)
        for (const id of ORG_ROLE_IDS) assert.ok(!roleIds.includes(id), `${id} is listed`)
      })

      it('refuses an organization role in an assignment: no organization exists', async () => {
        const response = await server.request('PUT', '/api/apiTokens/early', {
          body: { roles: [{ role: ROLE_IDS.orgViewer, organization: 'us' }] },
        })
        expectError(
          response,
          422,
          'UnprocessableEntity',
          /^roles\[0\]\.role: the role .* does not exist\.$/,
        )
      })
    })

    describe('create and read', () => {
      before(async () => seedHierarchy(server))

      it('creates top-level organizations without a parent member, and children with one', async () => {
        const response = await server.request('GET', '/api/organizations')
        assert.equal(response.status, 200, response.text)
        const byId = [...HIERARCHY].sort((a, b) => a.id.localeCompare(b.id))
        assert.deepEqual(response.body, { value: byId })
        assert.deepEqual((await get('wa')).body, {
          id: 'wa',
          displayName: 'Washington',
          parent: 'us',
        })
        assert.ok(!('parent' in (await get('us')).body))
      })

      it('adds the three organization roles with the first organization', async () => {
        const roles = await server.request('GET', '/api/roles')
        assert.deepEqual(
          roles.body.value.map((r: { id: string; displayName: string; type: string }) => [
            r.displayName,
            r.type,
          ]),
          [
            ['Administrator', 'application'],
            ['Builder', 'application'],
            ['Operator', 'application'],
            ['Org Admin', 'organization'],
            ['Org Operator', 'organization'],
            ['Org Viewer', 'organization'],
          ],
        )
        assert.deepEqual(
          roles.body.value.slice(3).map((r: { id: string }) => r.id),
          ORG_ROLE_IDS,
        )
      })

      it('answers 404 for an unknown or malformed id', async () => {
        expectError(
          await get('nowhere'),
          404,
          'NotFound',
          "The organization 'nowhere' was not found.",
        )
        expectError(await get('Not-Valid'), 404, 'NotFound')
      })

      it('answers 401 without a credential and 403 to a caller without the permission', async () => {
        expectError(
          await server.request('GET', '/api/organizations', { auth: null }),
          401,
          'Unauthenticated',
        )
        expectError(
          await put('op-made', { displayName: 'X' }, operatorToken),
          403,
          'Forbidden',
          'You do not have permission to do this: it needs organizations.create or organizations.update.',
        )
        expectError(await patch('us', { displayName: 'X' }, operatorToken), 403, 'Forbidden')
        expectError(
          await server.request('DELETE', '/api/organizations/eu', { auth: operatorToken }),
          403,
          'Forbidden',
        )
        assert.equal((await get('us')).body.displayName, 'United States')
        expectError(await get('op-made'), 404, 'NotFound')
      })
    })

    describe('input rules', () => {
      const invalid: [string, string][] = [
        ['Upper', 'upper case'],
        ['-lead', 'a leading hyphen'],
        ['trail-', 'a trailing hyphen'],
        ['a'.repeat(49), '49 characters'],
        ['dot.ted', 'a dot'],
      ]
      for (const [id, what] of invalid) {
        it(`refuses an id with ${what} (422), creating nothing`, async () => {
          expectError(
            await put(id, { displayName: 'X' }),
            422,
            'UnprocessableEntity',
            /^organizationId: /,
          )
          assert.ok(!(await ids()).includes(id))
        })
      }

      it('accepts a two-character id and one of 48', async () => {
        for (const id of ['x1', 'b'.repeat(48)]) {
          assert.equal((await put(id, { displayName: 'Edge' })).status, 200)
          assert.equal((await server.request('DELETE', `/api/organizations/${id}`)).status, 204)
        }
      })

      const bodies: [string, unknown, RegExp][] = [
        ['no displayName', {}, /^displayName: is required\.$/],
        ['an empty displayName', { displayName: '' }, /^displayName: /],
        [
          'an unknown member',
          { displayName: 'X', colour: 'red' },
          /^colour: is not a known member\.$/,
        ],
        [
          'an unknown parent',
          { displayName: 'X', parent: 'atlantis' },
          /^parent: the organization 'atlantis' does not exist\.$/,
        ],
        ['a different body id', { id: 'other', displayName: 'X' }, /^id: is read-only/],
      ]
      for (const [what, body, message] of bodies) {
        it(`refuses ${what} (422), creating nothing`, async () => {
          expectError(await put('fresh', body), 422, 'UnprocessableEntity', message)
          expectError(await get('fresh'), 404, 'NotFound')
        })
      }

      it('answers 400 to unparsable JSON', async () => {
        const response = await server.request('PUT', '/api/organizations/fresh', { rawBody: '{' })
        expectError(response, 400, 'BadRequest', 'The body is not valid JSON.')
      })
    })

    describe('hierarchy rules', () => {
      before(async () => {
        // d1 ── d2 ── d3 ── d4 ── d5 (depth 5), and a separate side ── side-2
        await must(server, 'PUT', '/api/organizations/d1', { displayName: 'D1' })
        for (let depth = 2; depth <= 5; depth++) {
          await must(server, 'PUT', `/api/organizations/d${depth}`, {
            displayName: `D${depth}`,
            parent: `d${depth - 1}`,
          })
        }
        await must(server, 'PUT', '/api/organizations/side', { displayName: 'Side' })
        await must(server, 'PUT', '/api/organizations/side-2', {
          displayName: 'S2',
          parent: 'side',
        })
      })

      it('refuses a sixth level', async () => {
        expectError(
          await put('d6', { displayName: 'D6', parent: 'd5' }),
          422,
          'UnprocessableEntity',
          'parent: the hierarchy would be more than 5 organizations deep.',
        )
      })

      it('refuses a move into its own subtree, or under itself', async () => {
        expectError(await patch('d2', { parent: 'd4' }), 422, 'UnprocessableEntity', /own subtree/)
        expectError(
          await patch('d2', { parent: 'd2' }),
          422,
          'UnprocessableEntity',
          /its own parent/,
        )
        assert.equal((await get('d2')).body.parent, 'd1')
      })

      it('refuses a move that would make the hierarchy too deep', async () => {
        // d2 carries 4 levels (d2..d5): under side (depth 1) fits, under side-2 (depth 2) does not.
        expectError(
          await patch('d2', { parent: 'side-2' }),
          422,
          'UnprocessableEntity',
          /more than 5/,
        )
        assert.equal((await get('d2')).body.parent, 'd1')
      })

      it('re-parents a subtree, renames, and moves to the top with parent null', async () => {
        const moved = await patch('d4', { parent: 'side', displayName: 'Four' })
        assert.equal(moved.status, 200, moved.text)
        assert.deepEqual(moved.body, { id: 'd4', displayName: 'Four', parent: 'side' })
        assert.equal((await get('d5')).body.parent, 'd4')
        const top = await patch('d4', { parent: null })
        assert.deepEqual(top.body, { id: 'd4', displayName: 'Four' })
        assert.deepEqual((await get('d4')).body, { id: 'd4', displayName: 'Four' })
      })

      it('replaces on PUT: a parent left out moves the organization to the top', async () => {
        assert.equal((await put('d5', { displayName: 'Five' })).status, 200)
        assert.deepEqual((await get('d5')).body, { id: 'd5', displayName: 'Five' })
      })

      it('answers 404 to PATCH of an unknown organization', async () => {
        expectError(await patch('ghost', { displayName: 'X' }), 404, 'NotFound')
        expectError(await get('ghost'), 404, 'NotFound')
      })
    })

    describe('deletion', () => {
      it('refuses while devices, users, tokens or children are left, saying what is left', async () => {
        await must(server, 'PUT', '/api/organizations/busy', { displayName: 'Busy' })
        await must(server, 'PUT', '/api/organizations/busy-child', {
          displayName: 'C',
          parent: 'busy',
        })
        await must(server, 'PUT', '/api/devices/busy-device', { organizations: ['busy'] })
        await must(server, 'PUT', '/api/users/busy-user', {
          type: 'email',
          email: 'busy@example.com',
          roles: [{ role: ROLE_IDS.orgViewer, organization: 'busy' }],
        })
        await must(server, 'PUT', '/api/apiTokens/busy-token', {
          roles: [{ role: ROLE_IDS.orgOperator, organization: 'busy' }],
        })
        const del = () => server.request('DELETE', '/api/organizations/busy')
        expectError(
          await del(),
          409,
          'Conflict',
          "The organization 'busy' still has 1 device, 1 user, 1 API token and 1 child organization; move or delete them first.",
        )
        await must(server, 'DELETE', '/api/organizations/busy-child')
        await must(server, 'DELETE', '/api/devices/busy-device')
        await must(server, 'DELETE', '/api/apiTokens/busy-token')
        expectError(await del(), 409, 'Conflict', /still has 1 user;/)
        await must(server, 'DELETE', '/api/users/busy-user')
        const done = await del()
        assert.equal(done.status, 204, done.text)
        assert.equal(done.text, '')
        expectError(await get('busy'), 404, 'NotFound')
        expectError(await del(), 404, 'NotFound', "The organization 'busy' was not found.")
      })

      it('keeps the organization roles once every organization is gone', async () => {
        const roles = await server.request('GET', `/api/roles/${ROLE_IDS.orgViewer}`)
        assert.equal(roles.status, 200)
      })
    })

    describe('an Org Admin in us', () => {
      let orgAdmin: string
      before(async () => {
        orgAdmin = await server.createScopedToken('us-admin', [
          { role: ROLE_IDS.orgAdmin, organization: 'us' },
        ])
      })

      it('lists only us and what lies below it', async () => {
        assert.deepEqual(await ids(orgAdmin), ['ca', 'us', 'wa'])
      })

      it('creates, renames and deletes below us, but not at the top or elsewhere', async () => {
        const created = await put('seattle', { displayName: 'Seattle', parent: 'wa' }, orgAdmin)
        assert.equal(created.status, 200, created.text)
        assert.equal((await patch('seattle', { displayName: 'Emerald' }, orgAdmin)).status, 200)
        expectError(
          await put('top', { displayName: 'Top' }, orgAdmin),
          403,
          'Forbidden',
          'You do not have permission to do this outside your organizations: it needs organizations.create application-wide.',
        )
        expectError(
          await put('euro', { displayName: 'Euro', parent: 'eu' }, orgAdmin),
          422,
          'UnprocessableEntity',
          "parent: the organization 'eu' does not exist.",
        )
        expectError(await patch('seattle', { parent: 'eu' }, orgAdmin), 422, 'UnprocessableEntity')
        expectError(await patch('wa', { parent: null }, orgAdmin), 403, 'Forbidden')
        expectError(await patch('eu', { displayName: 'Mine' }, orgAdmin), 404, 'NotFound')
        expectError(
          await put('eu', { displayName: 'Mine' }, orgAdmin),
          409,
          'Conflict',
          "The organization id 'eu' is already taken; choose another.",
        )
        assert.equal((await get('eu')).body.displayName, 'Europe')
        const removed = await server.request('DELETE', '/api/organizations/seattle', {
          auth: orgAdmin,
        })
        assert.equal(removed.status, 204, removed.text)
      })

      it('cannot delete its own organization while it is assigned there', async () => {
        expectError(
          await server.request('DELETE', '/api/organizations/us', { auth: orgAdmin }),
          409,
          'Conflict',
          /API token/,
        )
      })
    })

    describe('role assignments that name organizations', () => {
      const token = (id: string, roles: unknown) =>
        server.request('PUT', `/api/apiTokens/${id}`, { body: { roles } })

      it('refuses an application role with an organization, and an organization role without', async () => {
        expectError(
          await token('t1', [{ role: ROLE_IDS.operator, organization: 'us' }]),
          422,
          'UnprocessableEntity',
          "roles[0].organization: 'Operator' is an application role and applies to the whole application; remove the organization.",
        )
        expectError(
          await token('t2', [{ role: ROLE_IDS.orgViewer }]),
          422,
          'UnprocessableEntity',
          "roles[0].organization: 'Org Viewer' is an organization role and needs an organization.",
        )
        expectError(
          await token('t3', [{ role: ROLE_IDS.orgViewer, organization: 'atlantis' }]),
          422,
          'UnprocessableEntity',
          "roles[0].organization: the organization 'atlantis' does not exist.",
        )
        for (const id of ['t1', 't2', 't3']) {
          expectError(await server.request('GET', `/api/apiTokens/${id}`), 404, 'NotFound')
        }
      })

      it('lets a user manager grant only roles it holds in the organization it names', async () => {
        await must(server, 'PUT', '/api/roles/wa-hr', {
          displayName: 'HR',
          type: 'organization',
          permissions: ['users.create', 'devices.read'],
        })
        const hr = await server.createScopedToken('wa-hr', [{ role: 'wa-hr', organization: 'wa' }])
        const user = (id: string, roles: unknown) =>
          server.request('PUT', `/api/users/${id}`, {
            auth: hr,
            body: { type: 'email', email: `${id}@example.com`, roles },
          })
        expectError(
          await user('u1', [{ role: ROLE_IDS.orgViewer, organization: 'wa' }]),
          403,
          'Forbidden',
          /^You cannot grant the role 'Org Viewer' in the organization 'wa': it has permissions you do not hold \(/,
        )
        expectError(
          await user('u2', [{ role: ROLE_IDS.orgViewer, organization: 'ca' }]),
          422,
          'UnprocessableEntity',
          "roles[0].organization: the organization 'ca' does not exist.",
        )
        const ok = await user('u3', [{ role: 'wa-hr', organization: 'wa' }])
        assert.equal(ok.status, 200, ok.text)
        expectError(await server.request('GET', '/api/users/u1'), 404, 'NotFound')
        expectError(await server.request('GET', '/api/users/u2'), 404, 'NotFound')
      })
    })

    describe('limits', () => {
      it('holds at most 200 organizations', async () => {
        const existing = (await ids()).length
        for (let i = existing; i < 200; i++) {
          await server.app.services.organizations.put(null, `bulk-${i}`, { displayName: 'Bulk' })
        }
        assert.equal((await ids()).length, 200)
        expectError(
          await put('one-too-many', { displayName: 'X' }),
          409,
          'Conflict',
          'An application has at most 200 organizations; delete one first.',
        )
        expectError(await get('one-too-many'), 404, 'NotFound')
      })
    })
  })
}

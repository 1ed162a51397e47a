import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ALL_PERMISSIONS } from '../../src/authz/permissions.js'
import { DIALECTS } from '../helpers/dialects.js'
import { must, seedHierarchy } from '../helpers/organizations.js'
import { expectError, ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

const ORG_VIEWER = [
  'dashboards.read',
  'deviceGroups.read',
  'deviceTemplates.read',
  'devices.read',
  'devices.readRawData',
  'organizations.read',
]

for (const dialect of DIALECTS) {
  describe(`GET /api/me (${dialect})`, () => {
    let server: TestServer
    before(async () => {
      server = await startServer(dialect)
      await seedHierarchy(server)
    })
    after(async () => server?.close())

    const me = (auth?: string | null) =>
      server.request('GET', '/api/me', auth === undefined ? {} : { auth })

    it('answers 401 without a credential, or with a garbage one', async () => {
      expectError(await me(null), 401, 'Unauthenticated')
      expectError(await me('SharedAccessSignature sr=x&sig=y&skn=z&se=1'), 401, 'Unauthenticated')
    })

    it('answers 404 without an api-version, as every route does', async () => {
      const response = await server.request('GET', '/api/me', { query: { 'api-version': null } })
      expectError(response, 404, 'NotFound', /^"undefined" is not a valid API version\. Accepted versions: 1\.0, .*2022-10-31-preview\.$/)
    })

    it('needs no permission: a token whose role grants nothing still gets an answer', async () => {
      await must(server, 'PUT', '/api/roles/empty-ish', {
        displayName: 'Dashboards only',
        type: 'application',
        permissions: ['personalDashboards.read'],
      })
      const token = await server.createScopedToken('powerless', [{ role: 'empty-ish' }])
      const response = await me(token)
      assert.equal(response.status, 200, response.text)
      assert.deepEqual(response.body.permissions, {
        application: ['personalDashboards.read'],
        organizations: {},
      })
    })

    it('shows the Administrator every permission, application-wide', async () => {
      const response = await me()
      assert.equal(response.status, 200, response.text)
      assert.deepEqual(response.body, {
        principal: { type: 'apiToken', id: 'test-admin' },
        roles: [{ role: ROLE_IDS.administrator }],
        permissions: { application: [...ALL_PERMISSIONS].sort(), organizations: {} },
      })
    })

    it('shows organization roles per organization, descendants included', async () => {
      const token = await server.createScopedToken('mixed', [
        { role: ROLE_IDS.orgViewer, organization: 'us' },
        { role: ROLE_IDS.orgOperator, organization: 'wa' },
      ])
      const response = await me(token)
      assert.equal(response.status, 200, response.text)
      assert.deepEqual(response.body.principal, { type: 'apiToken', id: 'mixed' })
      assert.deepEqual(response.body.roles, [
        { role: ROLE_IDS.orgViewer, organization: 'us' },
        { role: ROLE_IDS.orgOperator, organization: 'wa' },
      ])
      const operatorInWa = [
        ...ORG_VIEWER,
        'devices.create',
        'devices.executeCommands',
        'devices.update',
        'personalDashboards.read',
      ].sort()
      assert.deepEqual(response.body.permissions, {
        application: [],
        organizations: { ca: ORG_VIEWER, us: ORG_VIEWER, wa: operatorInWa },
      })
    })

    it('follows a role change on the next request', async () => {
      await must(server, 'PUT', '/api/roles/shifting', {
        displayName: 'Shifting',
        type: 'organization',
        permissions: ['devices.read'],
      })
      const token = await server.createScopedToken('shifter', [
        { role: 'shifting', organization: 'eu' },
      ])
      const before = await me(token)
      assert.deepEqual(before.body.permissions.organizations, {
        eu: ['deviceGroups.read', 'deviceTemplates.read', 'devices.read'],
      })
      await must(server, 'PATCH', '/api/roles/shifting', { permissions: ['users.read'] })
      const after = await me(token)
      assert.deepEqual(after.body.permissions.organizations, { eu: ['users.read'] })
    })
  })
}

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { API_VERSIONS } from '../../src/http/api-versions.js'
import { DIALECTS } from '../helpers/dialects.js'
import { must, seedHierarchy } from '../helpers/organizations.js'
import { expectError, ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

const EXPECTED_VERSIONS = [
  '1.0',
  '1.1-preview',
  '1.2-preview',
  '2022-05-31',
  '2022-06-30-preview',
  '2022-07-31',
  '2022-10-31-preview',
]

const TEMPLATE_ID = 'dtmi:contoso:versionsThermostat;1'

/** The body `az iot central device-template create` sends (the file's content, as is). */
const TEMPLATE = {
  '@type': ['ModelDefinition', 'DeviceModel'],
  displayName: 'Thermostat',
  capabilityModel: {
    '@id': 'dtmi:contoso:versionsThermostat:cm;1',
    '@type': 'Interface',
    displayName: 'Thermostat',
    contents: [{ '@type': 'Telemetry', name: 'temperature', schema: 'double' }],
  },
}

for (const dialect of DIALECTS) {
  describe(`api-versions (${dialect})`, () => {
    let server: TestServer
    before(async () => {
      server = await startServer(dialect)
      await seedHierarchy(server)
      await must(server, 'PUT', `/api/deviceTemplates/${encodeURIComponent(TEMPLATE_ID)}`, TEMPLATE)
      await must(server, 'PUT', '/api/devices/in-wa', {
        displayName: 'In Washington',
        template: TEMPLATE_ID,
        organizations: ['wa'],
      })
      await must(server, 'PUT', '/api/devices/at-root', { displayName: 'At the root' })
      await must(server, 'PUT', '/api/users/wa-operator', {
        type: 'email',
        email: 'wa-operator@contoso.com',
        roles: [{ role: ROLE_IDS.orgOperator, organization: 'wa' }],
      })
    })
    after(async () => server?.close())

    const asVersion = (method: string, path: string, version: string, body?: unknown) =>
      server.request(method, path, { query: { 'api-version': version }, ...(body === undefined ? {} : { body }) })

    it('lists exactly the published versions, oldest first', () => {
      assert.deepEqual([...API_VERSIONS], EXPECTED_VERSIONS)
    })

    it('accepts every published version on protected routes', async () => {
      for (const version of EXPECTED_VERSIONS) {
        for (const path of ['/api/devices', '/api/users', '/api/roles', '/api/apiTokens', '/api/deviceTemplates']) {
          const response = await asVersion('GET', path, version)
          assert.equal(response.status, 200, `${path} ${version}: ${response.text}`)
          assert.ok(Array.isArray(response.body.value), `${path} ${version}`)
        }
      }
    })

    it('answers an unknown or missing version with 404 listing the accepted ones, after authentication', async () => {
      for (const value of ['2099-01-01', '1.1', '2022-07-31-preview', null]) {
        const response = await server.request('GET', '/api/devices', { query: { 'api-version': value } })
        expectError(response, 404, 'NotFound', `"${value ?? 'undefined'}" is not a valid API version. Accepted versions: ${EXPECTED_VERSIONS.join(', ')}.`)
      }
      const anonymous = await server.request('GET', '/api/devices', { auth: null, query: { 'api-version': '2099-01-01' } })
      expectError(anonymous, 401, 'Unauthenticated')
    })

    it('accepts a repeated identical api-version, as az sends when it follows nextLink', async () => {
      const first = await server.request('GET', '/api/devices?maxpagesize=1')
      assert.equal(first.status, 200, first.text)
      const next = new URL(first.body.nextLink as string)
      // az adds its own parameters again to the nextLink it follows.
      const again = `${next.pathname}${next.search}&api-version=2022-07-31`
      assert.equal(again.split('api-version=2022-07-31').length - 1, 2)
      const second = await server.request('GET', again)
      assert.equal(second.status, 200, second.text)
      assert.equal(second.body.value.length, 1)
      assert.notEqual(second.body.value[0].id, first.body.value[0].id)
      const doubled = await server.request('GET', '/api/devices/in-wa?api-version=1.0&api-version=1.0')
      assert.equal(doubled.status, 200, doubled.text)
      assert.equal('organizations' in doubled.body, false, 'answered in the shape of 1.0')
    })

    it('refuses two different api-versions with 400 naming both, after authentication', async () => {
      const response = await server.request('GET', '/api/devices?api-version=2022-07-31&api-version=1.0')
      expectError(response, 400, 'BadRequest', /api-version: .*"2022-07-31".*"1\.0"/)
      const write = await server.request('PUT', '/api/devices/never?api-version=2022-07-31&api-version=2022-05-31', {
        body: { displayName: 'Never' },
      })
      expectError(write, 400, 'BadRequest', /"2022-07-31".*"2022-05-31"/)
      assert.equal((await server.request('GET', '/api/devices/never')).status, 404, 'nothing written')
      const anonymous = await server.request('GET', '/api/devices?api-version=2022-07-31&api-version=1.0', { auth: null })
      expectError(anonymous, 401, 'Unauthenticated')
    })

    it('folds other repeated parameters with one value, and refuses them with two', async () => {
      const same = await server.request('GET', '/api/devices?maxpagesize=1&maxpagesize=1')
      assert.equal(same.status, 200, same.text)
      assert.equal(same.body.value.length, 1)
      const different = await server.request('GET', '/api/devices?maxpagesize=1&maxpagesize=2')
      expectError(different, 400, 'BadRequest', /^maxpagesize: .*"1", "2"/)
    })

    describe('devices', () => {
      it('show organizations from 1.1-preview on, and not in 1.0', async () => {
        for (const version of EXPECTED_VERSIONS) {
          const one = await asVersion('GET', '/api/devices/in-wa', version)
          assert.equal(one.status, 200, one.text)
          const list = await asVersion('GET', '/api/devices', version)
          const listed = (list.body.value as { id: string; organizations?: string[] }[]).find((d) => d.id === 'in-wa')
          if (version === '1.0') {
            assert.equal('organizations' in one.body, false, version)
            assert.equal(listed && 'organizations' in listed, false, version)
          } else {
            assert.deepEqual(one.body.organizations, ['wa'], version)
            assert.deepEqual(listed?.organizations, ['wa'], version)
          }
          assert.equal(one.body.template, TEMPLATE_ID, version)
          assert.equal(one.body.enabled, true, version)
        }
      })

      it('refuse organizations in a 1.0 body, changing nothing', async () => {
        const put = await asVersion('PUT', '/api/devices/at-root', '1.0', { displayName: 'Moved', organizations: ['eu'] })
        expectError(put, 422, 'UnprocessableEntity', 'organizations: is not a known member in api-version 1.0.')
        const patch = await asVersion('PATCH', '/api/devices/at-root', '1.0', { organizations: ['eu'] })
        expectError(patch, 422, 'UnprocessableEntity', /^organizations: /)
        const now = await server.request('GET', '/api/devices/at-root')
        assert.equal(now.body.displayName, 'At the root')
        assert.equal(now.body.organizations, undefined)
      })

      it('keep their organization when replaced in 1.0, which cannot name it', async () => {
        const put = await asVersion('PUT', '/api/devices/in-wa', '1.0', {
          displayName: 'Still in Washington',
          template: TEMPLATE_ID,
        })
        assert.equal(put.status, 200, put.text)
        assert.equal('organizations' in put.body, false)
        const now = await server.request('GET', '/api/devices/in-wa')
        assert.deepEqual(now.body.organizations, ['wa'])
        assert.equal(now.body.displayName, 'Still in Washington')
        // In a version with organizations, leaving them out of a PUT still means "none".
        const ga = await asVersion('PUT', '/api/devices/at-root', '2022-05-31', { displayName: 'At the root' })
        assert.equal(ga.status, 200, ga.text)
      })

      it('take the shapes az sends with 2022-06-30-preview (device list) and 2022-07-31 (create, update)', async () => {
        const created = await asVersion('PUT', '/api/devices/az-made', '2022-07-31', {
          displayName: 'Made by az',
          simulated: false,
          enabled: true,
          template: TEMPLATE_ID,
        })
        assert.equal(created.status, 200, created.text)
        const patched = await asVersion('PATCH', '/api/devices/az-made', '2022-07-31', { displayName: 'Renamed by az' })
        assert.equal(patched.body.displayName, 'Renamed by az')
        const list = await asVersion('GET', '/api/devices', '2022-06-30-preview')
        const listed = (list.body.value as { id: string }[]).find((d) => d.id === 'az-made')
        assert.deepEqual(Object.keys(listed ?? {}).sort(), ['displayName', 'enabled', 'etag', 'id', 'provisioned', 'simulated', 'template'])
      })
    })

    describe('device templates', () => {
      it('are created, listed and shown with 2022-06-30-preview as az does', async () => {
        const id = 'dtmi:contoso:azMade;1'
        const put = await asVersion('PUT', `/api/deviceTemplates/${encodeURIComponent(id)}`, '2022-06-30-preview', {
          ...TEMPLATE,
          capabilityModel: { ...TEMPLATE.capabilityModel, '@id': 'dtmi:contoso:azMade:cm;1' },
        })
        assert.equal(put.status, 200, put.text)
        assert.equal(put.body['@id'], id)
        const shown = await asVersion('GET', `/api/deviceTemplates/${encodeURIComponent(id)}`, '2022-06-30-preview')
        assert.equal(shown.body['@id'], id)
        assert.equal(shown.body.capabilityModel['@id'], 'dtmi:contoso:azMade:cm;1')
        assert.equal(typeof shown.body.etag, 'string')
        const list = await asVersion('GET', '/api/deviceTemplates', '2022-06-30-preview')
        assert.ok((list.body.value as { '@id': string }[]).some((t) => t['@id'] === id))
      })
    })

    describe('organizations', () => {
      it('do not exist in 1.0: 404 naming the versions that have them', async () => {
        for (const [method, path, body] of [
          ['GET', '/api/organizations', undefined],
          ['GET', '/api/organizations/wa', undefined],
          ['PUT', '/api/organizations/new-one', { displayName: 'New' }],
          ['PATCH', '/api/organizations/wa', { displayName: 'Changed' }],
          ['DELETE', '/api/organizations/eu', undefined],
        ] as const) {
          const response = await asVersion(method, path, '1.0', body)
          expectError(response, 404, 'NotFound', /^This operation does not exist in api-version 1\.0; it is available in 1\.1-preview, .*2022-10-31-preview\.$/)
        }
        assert.equal((await server.request('GET', '/api/organizations/new-one')).status, 404, 'nothing created')
        assert.equal((await server.request('GET', '/api/organizations/eu')).status, 200, 'nothing deleted')
        assert.equal((await server.request('GET', '/api/organizations/wa')).body.displayName, 'Washington')
      })

      it('exist in every later version', async () => {
        for (const version of EXPECTED_VERSIONS.slice(1)) {
          const response = await asVersion('GET', '/api/organizations/wa', version)
          assert.equal(response.status, 200, `${version}: ${response.text}`)
          assert.equal(response.body.parent, 'us')
        }
      })

      it('answer 401 before 404 for a caller without a credential', async () => {
        const response = await server.request('GET', '/api/organizations', { auth: null, query: { 'api-version': '1.0' } })
        expectError(response, 401, 'Unauthenticated')
      })
    })

    describe('users', () => {
      it('show role assignments without organization in 1.0', async () => {
        const old = await asVersion('GET', '/api/users/wa-operator', '1.0')
        assert.deepEqual(old.body.roles, [{ role: ROLE_IDS.orgOperator }])
        const list = await asVersion('GET', '/api/users', '1.0')
        const listed = (list.body.value as { id: string; roles: object[] }[]).find((u) => u.id === 'wa-operator')
        assert.deepEqual(listed?.roles, [{ role: ROLE_IDS.orgOperator }])
        const current = await asVersion('GET', '/api/users/wa-operator', '2022-05-31')
        assert.deepEqual(current.body.roles, [{ role: ROLE_IDS.orgOperator, organization: 'wa' }])
      })

      it('refuse an organization or an adGroup user in 1.0, changing nothing', async () => {
        const scoped = await asVersion('PUT', '/api/users/old-scoped', '1.0', {
          type: 'email',
          email: 'old-scoped@contoso.com',
          roles: [{ role: ROLE_IDS.orgOperator, organization: 'wa' }],
        })
        expectError(scoped, 422, 'UnprocessableEntity', 'roles[0].organization: is not a known member in api-version 1.0.')
        const group = await asVersion('PUT', '/api/users/old-group', '1.0', {
          type: 'adGroup',
          tenantId: 'tenant',
          objectId: 'object',
          roles: [{ role: ROLE_IDS.operator }],
        })
        expectError(group, 422, 'UnprocessableEntity', /^type: 'adGroup' users do not exist in api-version 1\.0/)
        const patch = await asVersion('PATCH', '/api/users/wa-operator', '1.0', {
          roles: [{ role: ROLE_IDS.orgViewer, organization: 'us' }],
        })
        expectError(patch, 422, 'UnprocessableEntity', /^roles\[0\]\.organization: /)
        for (const id of ['old-scoped', 'old-group']) {
          assert.equal((await server.request('GET', `/api/users/${id}`)).status, 404)
        }
        const unchanged = await server.request('GET', '/api/users/wa-operator')
        assert.deepEqual(unchanged.body.roles, [{ role: ROLE_IDS.orgOperator, organization: 'wa' }])
      })

      it('accept adGroup users from 1.1-preview on', async () => {
        const group = await asVersion('PUT', '/api/users/new-group', '1.1-preview', {
          type: 'adGroup',
          tenantId: '11111111-1111-1111-1111-111111111111',
          objectId: '22222222-2222-2222-2222-222222222222',
          roles: [{ role: ROLE_IDS.operator }],
        })
        assert.equal(group.status, 200, group.text)
        assert.equal(group.body.type, 'adGroup')
      })
    })

    describe('API tokens', () => {
      it('show and take role assignments without organization in 1.0', async () => {
        const created = await asVersion('PUT', '/api/apiTokens/scoped', '2022-07-31', {
          roles: [{ role: ROLE_IDS.orgOperator, organization: 'ca' }],
        })
        assert.equal(created.status, 200, created.text)
        const old = await asVersion('GET', '/api/apiTokens/scoped', '1.0')
        assert.deepEqual(old.body.roles, [{ role: ROLE_IDS.orgOperator }])
        const listed = (await asVersion('GET', '/api/apiTokens', '1.0')).body.value as { id: string; roles: object[] }[]
        assert.deepEqual(listed.find((t) => t.id === 'scoped')?.roles, [{ role: ROLE_IDS.orgOperator }])
        const refused = await asVersion('PUT', '/api/apiTokens/old-scoped', '1.0', {
          roles: [{ role: ROLE_IDS.orgOperator, organization: 'ca' }],
        })
        expectError(refused, 422, 'UnprocessableEntity', /^roles\[0\]\.organization: /)
        assert.equal((await server.request('GET', '/api/apiTokens/old-scoped')).status, 404)
        const plain = await asVersion('PUT', '/api/apiTokens/old-plain', '1.0', { roles: [{ role: ROLE_IDS.operator }] })
        assert.equal(plain.status, 200, plain.text)
        assert.match(plain.body.token, /^SharedAccessSignature /)
      })
    })
  })
}

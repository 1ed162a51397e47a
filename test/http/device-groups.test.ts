import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MAX_DEVICE_GROUPS } from '../../src/services/device-group.service.js'
import { DIALECTS } from '../helpers/dialects.js'
import { must, seedHierarchy } from '../helpers/organizations.js'
import { expectError, ROLE_IDS, startServer, type ApiResponse, type TestServer } from '../helpers/server.js'

/*
 *   root ─┬─ us ─┬─ wa          devices at the root, in us, wa, ca and eu;
 *         │      └─ ca          groups at the root and in us, wa, eu
 *         └─ eu
 */

const T1 = 'dtmi:groups:thermostat;1'
const T2 = 'dtmi:groups:lamp;1'
const templateBody = (id: string) => ({
  '@type': ['ModelDefinition', 'DeviceModel'],
  displayName: id,
  capabilityModel: { '@id': id, '@type': 'Interface', contents: [] },
})

interface Seed {
  id: string
  displayName: string
  template?: string
  simulated: boolean
  enabled: boolean
  organization?: string
  provisioned: boolean
}

const DEVICES: Seed[] = [
  { id: 'a-01', displayName: 'Thermostat 1', template: T1, simulated: false, enabled: true, provisioned: true },
  { id: 'a-02', displayName: 'Thermostat 2', template: T1, simulated: true, enabled: true, organization: 'us', provisioned: false },
  { id: 'a-03', displayName: 'Lamp 3', template: T2, simulated: false, enabled: false, organization: 'wa', provisioned: true },
  { id: 'b-04', displayName: `O'Brien "lamp"`, template: T2, simulated: true, enabled: true, organization: 'ca', provisioned: false },
  { id: 'b-05', displayName: 'Sensor 5', simulated: false, enabled: true, organization: 'eu', provisioned: false },
  { id: 'c-06', displayName: '100% sure_x', template: T1, simulated: false, enabled: false, organization: 'wa', provisioned: true },
  { id: 'c-07', displayName: 'Sensor 7', simulated: true, enabled: true, provisioned: false },
  { id: 'C-08', displayName: 'thermostat lower', template: T1, simulated: false, enabled: true, organization: 'us', provisioned: false },
  { id: 'd-09', displayName: 'Zürich 東京 🌡', template: T2, simulated: false, enabled: true, organization: 'eu', provisioned: true },
]

const ids = (devices: Seed[]) => devices.map((d) => d.id).sort()
const where = (filter: string) => `SELECT * FROM devices WHERE ${filter}`

/** Filters and, for each, which seeded devices it holds (written out, not computed by the server's code). */
const MEMBERSHIP: [string, (d: Seed) => boolean][] = [
  ['SELECT * FROM devices', () => true],
  [where(`$template = "${T1}"`), (d) => d.template === T1],
  [where(`$template != "${T1}"`), (d) => d.template !== T1],
  [where(`$template <> "${T1}"`), (d) => d.template !== T1],
  [where(`$template = "${T1}" AND $provisioned = true`), (d) => d.template === T1 && d.provisioned],
  [where('$provisioned = true'), (d) => d.provisioned],
  [where('$provisioned != true'), (d) => !d.provisioned],
  [where('$simulated = true'), (d) => d.simulated],
  [where('$simulated = false'), (d) => !d.simulated],
  [where('$enabled = false'), (d) => !d.enabled],
  [where('$id = "a-02"'), (d) => d.id === 'a-02'],
  [where('$id = "A-02"'), () => false],
  [where('$displayName = "Sensor 5"'), (d) => d.displayName === 'Sensor 5'],
  [where(`$provisioned = false OR $template = "${T2}"`), (d) => !d.provisioned || d.template === T2],
  [where(`NOT ($template = "${T1}" OR $simulated = true)`), (d) => !(d.template === T1 || d.simulated)],
  [where(`NOT $template = "${T1}"`), (d) => d.template !== T1],
  [where(`NOT NOT $template = "${T1}"`), (d) => d.template === T1],
  [
    where(`($template = "${T1}" AND NOT $enabled = false) OR $organizations = "eu"`),
    (d) => (d.template === T1 && d.enabled) || d.organization === 'eu',
  ],
  [where('STARTSWITH($id, "a-")'), (d) => d.id.startsWith('a-')],
  [where('STARTSWITH($id, "c-")'), (d) => d.id.startsWith('c-')],
  [where('ENDSWITH($displayName, "7")'), (d) => d.displayName.endsWith('7')],
  [where('CONTAINS($displayName, "Thermo")'), (d) => d.displayName.includes('Thermo')],
  [where('CONTAINS($template, "thermostat")'), (d) => d.template?.includes('thermostat') ?? false],
  [where('NOT STARTSWITH($template, "dtmi:groups:thermo")'), (d) => !(d.template?.startsWith('dtmi:groups:thermo') ?? false)],
  [where('NOT CONTAINS($displayName, "Sensor")'), (d) => !d.displayName.includes('Sensor')],
  [where('STARTSWITH($displayName, "")'), () => true],
  [where('NOT ENDSWITH($template, "")'), (d) => d.template === undefined],
  [where('CONTAINS($displayName, "%")'), (d) => d.displayName.includes('%')],
  [where('CONTAINS($displayName, "_")'), (d) => d.displayName.includes('_')],
  [where('STARTSWITH($displayName, "Zü") AND ENDSWITH($displayName, "東京 🌡")'), (d) => d.id === 'd-09'],
  [where('$organizations = "wa"'), (d) => d.organization === 'wa'],
  [where('$organizations != "wa"'), (d) => d.organization !== 'wa'],
  [where(`$displayName = 'O\\'Brien "lamp"'`), (d) => d.id === 'b-04'],
  [where(`$displayName = "O'Brien \\"lamp\\""`), (d) => d.id === 'b-04'],
  // Quotes and SQL in a value are text to compare, nothing more.
  [where(`$displayName = "' OR 1=1 --"`), () => false],
  [where(`$id = "x\\" OR \\"1\\"=\\"1"`), () => false],
  [where(`CONTAINS($displayName, "'); DROP TABLE devices; --")`), () => false],
]

/** The organizations below each (itself included), as the hierarchy is seeded. */
const SUBTREE: Record<string, string[]> = { us: ['us', 'wa', 'ca'], wa: ['wa'], ca: ['ca'], eu: ['eu'] }
const within = (organization: string | undefined) => (d: Seed) =>
  organization === undefined || (d.organization !== undefined && SUBTREE[organization]!.includes(d.organization))

const GROUP = { displayName: 'Thermostats', description: 'All thermostats.', filter: where(`$template = "${T1}"`) }

for (const dialect of DIALECTS) {
  describe(`device groups (${dialect})`, () => {
    let server: TestServer
    const tokens: Record<string, string> = {}

    const put = (id: string, body: unknown, options: { auth?: string; headers?: Record<string, string> } = {}) =>
      server.request('PUT', `/api/deviceGroups/${id}`, { body, ...options })
    const patch = (id: string, body: unknown, options: { auth?: string; headers?: Record<string, string>; contentType?: string } = {}) =>
      server.request('PATCH', `/api/deviceGroups/${id}`, { body, ...options })
    const get = (id: string, auth?: string) => server.request('GET', `/api/deviceGroups/${id}`, auth ? { auth } : {})
    const create = async (id: string, body: unknown = GROUP) => {
      const response = await put(id, body)
      assert.equal(response.status, 200, response.text)
      return response.body as Record<string, unknown> & { etag: string }
    }
    const expectUnchanged = async (id: string, before: unknown) => {
      const response = await get(id)
      assert.equal(response.status, 200, response.text)
      assert.deepEqual(response.body, before)
    }
    const expectAbsent = async (id: string) => expectError(await get(id), 404, 'NotFound')

    /** Every page of a list, following nextLink; insists nothing repeats. */
    const walk = async (path: string, auth?: string, pageSize = 2): Promise<{ ids: string[]; pages: number }> => {
      const seen: string[] = []
      let pages = 0
      let response: ApiResponse = await server.request('GET', path, { query: { maxpagesize: pageSize }, ...(auth ? { auth } : {}) })
      for (;;) {
        assert.equal(response.status, 200, response.text)
        pages++
        assert.ok(response.body.value.length <= pageSize)
        seen.push(...response.body.value.map((item: { id: string }) => item.id))
        const next: string | undefined = response.body.nextLink
        if (!next) break
        assert.ok(response.body.value.length === pageSize, 'only the last page may be short')
        response = await server.request('GET', next, { query: { 'api-version': null }, ...(auth ? { auth } : {}) })
      }
      assert.equal(new Set(seen).size, seen.length, `repeated: ${seen.join(', ')}`)
      return { ids: seen, pages }
    }
    const members = async (groupId: string, auth?: string) => (await walk(`/api/deviceGroups/${groupId}/devices`, auth, 100)).ids

    const role = async (id: string, type: 'application' | 'organization', permissions: string[]) =>
      must(server, 'PUT', `/api/roles/${id}`, { displayName: id, type, permissions })

    before(async () => {
      server = await startServer(dialect)
      await seedHierarchy(server)
      for (const template of [T1, T2]) await must(server, 'PUT', `/api/deviceTemplates/${template}`, templateBody(template))
      for (const { id, organization, provisioned, ...device } of DEVICES) {
        await must(server, 'PUT', `/api/devices/${encodeURIComponent(id)}`, {
          ...device,
          ...(organization ? { organizations: [organization] } : {}),
        })
      }
      // Provisioning is the device's own doing; the store is where it shows.
      await server.app.store.db
        .updateTable('devices')
        .set({ provisioned: 1 })
        .where('id', 'in', DEVICES.filter((d) => d.provisioned).map((d) => d.id))
        .execute()
      await role('templates-only', 'application', ['deviceTemplates.read'])
      await role('group-reader', 'application', ['deviceGroups.read'])
      await role('group-updater', 'application', ['deviceGroups.update'])
      await role('group-creator', 'application', ['deviceGroups.create'])
      tokens.templatesOnly = await server.createScopedToken('templates-only', [{ role: 'templates-only' }])
      tokens.groupReader = await server.createScopedToken('group-reader', [{ role: 'group-reader' }])
      tokens.groupUpdater = await server.createScopedToken('group-updater', [{ role: 'group-updater' }])
      tokens.groupCreator = await server.createScopedToken('group-creator', [{ role: 'group-creator' }])
      tokens.operator = await server.createScopedToken('operator', [{ role: ROLE_IDS.operator }])
      tokens.orgAdminUs = await server.createScopedToken('org-admin-us', [{ role: ROLE_IDS.orgAdmin, organization: 'us' }])
      tokens.orgOperatorUs = await server.createScopedToken('org-operator-us', [{ role: ROLE_IDS.orgOperator, organization: 'us' }])
      tokens.orgViewerEu = await server.createScopedToken('org-viewer-eu', [{ role: ROLE_IDS.orgViewer, organization: 'eu' }])
      // Reads groups everywhere, but devices only in wa.
      tokens.groupsEverywhereDevicesInWa = await server.createScopedToken('groups-all-devices-wa', [
        { role: 'group-reader' },
        { role: ROLE_IDS.orgViewer, organization: 'wa' },
      ])
    })
    after(async () => server?.close())

    describe('authentication and authorization', () => {
      const routes: [string, string, unknown?][] = [
        ['GET', '/api/deviceGroups'],
        ['GET', '/api/deviceGroups/auth-group'],
        ['GET', '/api/deviceGroups/auth-group/devices'],
        ['PUT', '/api/deviceGroups/auth-new', GROUP],
        ['PATCH', '/api/deviceGroups/auth-group', { displayName: 'Changed' }],
        ['DELETE', '/api/deviceGroups/auth-group'],
        ['POST', '/api/deviceGroupPreview', { filter: GROUP.filter }],
      ]

      it('answers 401 without a credential or with a garbage one, on every route, and changes nothing', async () => {
        const existing = await create('auth-group')
        for (const auth of [null, 'garbage']) {
          for (const [method, path, body] of routes) {
            expectError(await server.request(method, path, { auth, body }), 401, 'Unauthenticated')
          }
        }
        await expectUnchanged('auth-group', existing)
        await expectAbsent('auth-new')
      })

      it('answers 403 on every route to a role without device-group permissions, and changes nothing', async () => {
        const existing = (await get('auth-group')).body
        for (const [method, path, body] of routes) {
          expectError(await server.request(method, path, { auth: tokens.templatesOnly, body }), 403, 'Forbidden', /deviceGroups\./)
        }
        await expectUnchanged('auth-group', existing)
        await expectAbsent('auth-new')
      })

      it('lets deviceGroups.read read, and nothing more', async () => {
        const auth = tokens.groupReader
        assert.equal((await server.request('GET', '/api/deviceGroups', { auth })).status, 200)
        assert.equal((await get('auth-group', auth)).status, 200)
        assert.equal((await server.request('GET', '/api/deviceGroups/auth-group/devices', { auth })).status, 200)
        assert.equal((await server.request('POST', '/api/deviceGroupPreview', { auth, body: { filter: GROUP.filter } })).status, 200)
        const existing = (await get('auth-group')).body
        expectError(await put('auth-new', GROUP, { auth }), 403, 'Forbidden', /deviceGroups\.create/)
        expectError(await put('auth-group', { ...GROUP, displayName: 'X' }, { auth }), 403, 'Forbidden', /deviceGroups\.update/)
        expectError(await patch('auth-group', { displayName: 'X' }, { auth }), 403, 'Forbidden', /deviceGroups\.update/)
        expectError(await server.request('DELETE', '/api/deviceGroups/auth-group', { auth }), 403, 'Forbidden', /deviceGroups\.delete/)
        await expectUnchanged('auth-group', existing)
        await expectAbsent('auth-new')
      })

      it('needs deviceGroups.create to create and deviceGroups.update to replace', async () => {
        expectError(await put('auth-new', GROUP, { auth: tokens.groupUpdater }), 403, 'Forbidden', /deviceGroups\.create/)
        await expectAbsent('auth-new')
        const replaced = await put('auth-group', { ...GROUP, displayName: 'Replaced' }, { auth: tokens.groupUpdater })
        assert.equal(replaced.status, 200, replaced.text)
        const created = await put('auth-created', GROUP, { auth: tokens.groupCreator })
        assert.equal(created.status, 200, created.text)
      })

      it('answers the Operator on every route', async () => {
        const auth = tokens.operator
        assert.equal((await put('op-group', GROUP, { auth })).status, 200)
        assert.equal((await patch('op-group', { displayName: 'Op' }, { auth })).status, 200)
        assert.equal((await server.request('GET', '/api/deviceGroups/op-group/devices', { auth })).status, 200)
        assert.equal((await server.request('DELETE', '/api/deviceGroups/op-group', { auth })).status, 204)
        await expectAbsent('op-group')
      })
    })

    describe('create, read, replace, patch, delete', () => {
      it("creates a group as IoT Central's example does, answering it with an etag", async () => {
        const body = {
          displayName: 'Device group 1',
          description: 'Custom device group.',
          filter: 'SELECT * FROM devices WHERE $template = "dtmi:modelDefinition:dtdlv2" AND $provisioned = true',
          organizations: ['us'],
        }
        const response = await put('group1', body)
        assert.equal(response.status, 200, response.text)
        const { etag, ...rest } = response.body
        assert.equal(typeof etag, 'string')
        assert.equal(response.headers.get('etag'), `"${etag}"`)
        assert.deepEqual(rest, { id: 'group1', ...body })
        assert.deepEqual((await get('group1')).body, response.body)
      })

      it('leaves description and organizations out when they are not set', async () => {
        const created = await create('minimal', { displayName: 'Minimal', filter: 'SELECT * FROM devices' })
        assert.deepEqual(created, { id: 'minimal', etag: created.etag, displayName: 'Minimal', filter: 'SELECT * FROM devices' })
      })

      it('accepts the longest id and an id in the body equal to the path', async () => {
        const long = `g_${'x'.repeat(252)}-`
        assert.equal((await put(long, GROUP)).status, 200)
        assert.equal((await put('same-id', { ...GROUP, id: 'same-id' })).status, 200)
      })

      it('replaces every member with PUT, dropping those left out', async () => {
        await create('replace-me', { ...GROUP, organizations: ['us'] })
        const response = await put('replace-me', { displayName: 'New', filter: 'SELECT * FROM devices' })
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(response.body, { id: 'replace-me', etag: response.body.etag, displayName: 'New', filter: 'SELECT * FROM devices' })
      })

      it('patches with a JSON merge patch (either content type), null removing description and organizations', async () => {
        const created = await create('patch-me', { ...GROUP, organizations: ['wa'] })
        let response = await patch('patch-me', { displayName: 'New group name' }, { contentType: 'application/merge-patch+json' })
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(response.body, { ...created, displayName: 'New group name', etag: response.body.etag })
        assert.notEqual(response.body.etag, created.etag)
        response = await patch('patch-me', { description: null, organizations: null, filter: where('$simulated = true') })
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(response.body, {
          id: 'patch-me',
          etag: response.body.etag,
          displayName: 'New group name',
          filter: where('$simulated = true'),
        })
        assert.deepEqual(await members('patch-me'), ids(DEVICES.filter((d) => d.simulated)))
        assert.deepEqual((await get('patch-me')).body, response.body)
      })

      it('deletes a group, leaving its devices', async () => {
        await create('delete-me')
        const response = await server.request('DELETE', '/api/deviceGroups/delete-me')
        assert.equal(response.status, 204)
        await expectAbsent('delete-me')
        expectError(await server.request('GET', '/api/deviceGroups/delete-me/devices'), 404, 'NotFound')
        assert.equal((await server.request('GET', '/api/devices/a-01')).status, 200)
        expectError(await server.request('DELETE', '/api/deviceGroups/delete-me'), 404, 'NotFound')
      })

      it('answers 404 for unknown ids and ids outside the pattern on GET, PATCH, DELETE and devices', async () => {
        for (const id of ['nope', 'bad.id', 'x'.repeat(256)]) {
          expectError(await get(id), 404, 'NotFound')
          expectError(await patch(id, { displayName: 'x' }), 404, 'NotFound')
          expectError(await server.request('DELETE', `/api/deviceGroups/${id}`), 404, 'NotFound')
          expectError(await server.request('GET', `/api/deviceGroups/${id}/devices`), 404, 'NotFound')
        }
      })

      it('lists groups a page at a time, each once', async () => {
        const { ids: listed } = await walk('/api/deviceGroups')
        const stored = await server.app.store.db.selectFrom('device_groups').select('id').orderBy('id').execute()
        assert.deepEqual(listed, stored.map((row) => row.id))
        assert.ok(listed.length > 4)
      })
    })

    describe('bad input changes nothing', () => {
      let existing: Record<string, unknown>
      before(async () => {
        existing = await create('stable', { ...GROUP, organizations: ['us'] })
      })

      const badBodies: [string, unknown, RegExp][] = [
        ['no displayName', { filter: GROUP.filter }, /^displayName: is required/],
        ['no filter', { displayName: 'x' }, /^filter: is required/],
        ['null filter', { displayName: 'x', filter: null }, /^filter: is required/],
        ['an empty filter', { displayName: 'x', filter: '' }, /filter/],
        ['a filter cut short', { displayName: 'x', filter: 'SELECT * FROM devices WHERE $template =' }, /^filter: at character 40: expected a value after '=', found end of query\.$/],
        ['a filter with a wrong type', { displayName: 'x', filter: where('$simulated = "yes"') }, /^filter: at character 42: expected true or false after '='/],
        ['a filter with an unknown property', { displayName: 'x', filter: where('$color = "red"') }, /^filter: at character 29: expected a known property/],
        ['a filter over the length limit', { displayName: 'x', filter: where(`$id = "${'x'.repeat(2100)}"`) }, /filter/],
        ['two organizations', { ...GROUP, organizations: ['us', 'eu'] }, /organizations/],
        ['an unknown organization', { ...GROUP, organizations: ['mars'] }, /^organizations: the organization 'mars' does not exist/],
        ['an unknown member', { ...GROUP, color: 'red' }, /color/],
        ['a different id', { ...GROUP, id: 'other' }, /^id: /],
        ['a number as displayName', { ...GROUP, displayName: 5 }, /displayName/],
      ]

      for (const [name, body, message] of badBodies) {
        it(`PUT with ${name} → 422`, async () => {
          expectError(await put('stable', body), 422, 'UnprocessableEntity', message)
          expectError(await put('fresh', body), 422, 'UnprocessableEntity', message)
          await expectUnchanged('stable', existing)
          await expectAbsent('fresh')
        })
      }

      it('PATCH with a bad filter, a null displayName or an unknown organization → 422', async () => {
        expectError(await patch('stable', { filter: where('$id = ') }), 422, 'UnprocessableEntity', /^filter: at character 35:/)
        expectError(await patch('stable', { displayName: null }), 422, 'UnprocessableEntity', /^displayName: is required/)
        expectError(await patch('stable', { filter: null }), 422, 'UnprocessableEntity', /^filter: is required/)
        expectError(await patch('stable', { organizations: ['mars'] }), 422, 'UnprocessableEntity', /mars/)
        await expectUnchanged('stable', existing)
      })

      it('PUT of an id outside the pattern → 422', async () => {
        for (const id of ['bad.id', 'x'.repeat(256)]) {
          expectError(await put(id, GROUP), 422, 'UnprocessableEntity', /^deviceGroupId: /)
        }
      })

      it('malformed JSON → 400', async () => {
        const response = await server.request('PUT', '/api/deviceGroups/stable', { rawBody: '{"displayName":' })
        expectError(response, 400, 'BadRequest')
        expectError(await server.request('PATCH', '/api/deviceGroups/stable', { rawBody: '{' }), 400, 'BadRequest')
        await expectUnchanged('stable', existing)
      })

      it('a bad page size or continuation → 400', async () => {
        for (const path of ['/api/deviceGroups', '/api/deviceGroups/stable/devices']) {
          expectError(await server.request('GET', path, { query: { maxpagesize: 0 } }), 400, 'BadRequest')
          expectError(await server.request('GET', path, { query: { $skiptoken: 'garbage' } }), 400, 'BadRequest')
        }
      })
    })

    describe('etags', () => {
      it('refuses a stale etag in the body or If-Match with 412, on PUT, PATCH and DELETE', async () => {
        const created = await create('etag-group')
        const changed = await patch('etag-group', { displayName: 'Moved on' })
        assert.equal(changed.status, 200)
        const stale = created.etag
        expectError(await put('etag-group', { ...GROUP, etag: stale }), 412, 'PreconditionFailed')
        expectError(await patch('etag-group', { displayName: 'x', etag: stale }), 412, 'PreconditionFailed')
        expectError(await patch('etag-group', { displayName: 'x' }, { headers: { 'if-match': `"${stale}"` } }), 412, 'PreconditionFailed')
        expectError(await server.request('DELETE', '/api/deviceGroups/etag-group', { headers: { 'if-match': stale } }), 412, 'PreconditionFailed')
        await expectUnchanged('etag-group', changed.body)
        const current = changed.body.etag
        const ok = await patch('etag-group', { displayName: 'Current', etag: current })
        assert.equal(ok.status, 200, ok.text)
        assert.equal((await put('etag-group', { ...GROUP }, { headers: { 'if-match': `"${ok.body.etag}"` } })).status, 200)
        expectError(await put('etag-new', GROUP, { headers: { 'if-match': '"anything"' } }), 412, 'PreconditionFailed')
        await expectAbsent('etag-new')
        assert.equal((await put('etag-new-body', { ...GROUP, etag: 'tolerated' })).status, 200)
        const latest = (await get('etag-group')).body.etag
        assert.equal((await server.request('DELETE', '/api/deviceGroups/etag-group', { headers: { 'if-match': latest } })).status, 204)
      })
    })

    describe('membership', () => {
      MEMBERSHIP.forEach(([filter, holds], index) => {
        it(`${filter} → its devices, by GET, by membersPage and in the preview`, async () => {
          const id = `m-${index}`
          await create(id, { displayName: id, filter })
          const expected = ids(DEVICES.filter(holds))
          assert.deepEqual(await members(id), expected)
          const rows = await server.app.services.deviceGroups.membersPage(id, null, 100)
          assert.deepEqual(rows.map((row) => row.id), expected)
          const preview = await server.request('POST', '/api/deviceGroupPreview', { body: { filter } })
          assert.equal(preview.status, 200, preview.text)
          assert.deepEqual(preview.body.value.map((d: { id: string }) => d.id), expected)
        })
      })

      it('answers the devices as GET /api/devices does', async () => {
        await create('full-devices', { displayName: 'All', filter: 'SELECT * FROM devices' })
        const response = await server.request('GET', '/api/deviceGroups/full-devices/devices', { query: { $top: 100 } })
        const list = await server.request('GET', '/api/devices', { query: { maxpagesize: 100 } })
        assert.deepEqual(response.body, list.body)
      })

      for (const organization of ['us', 'wa', 'eu']) {
        it(`holds only devices in ${organization} and below, for a group in ${organization}`, async () => {
          const id = `org-${organization}`
          await create(id, { displayName: id, filter: 'SELECT * FROM devices', organizations: [organization] })
          const expected = ids(DEVICES.filter(within(organization)))
          assert.deepEqual(await members(id), expected)
          assert.deepEqual((await server.app.services.deviceGroups.membersPage(id, null, 100)).map((r) => r.id), expected)
          const filtered = `org-${organization}-t1`
          await create(filtered, { displayName: filtered, filter: where(`$template = "${T1}"`), organizations: [organization] })
          assert.deepEqual(await members(filtered), ids(DEVICES.filter((d) => within(organization)(d) && d.template === T1)))
        })
      }

      it('follows its devices as they change', async () => {
        await create('follows', { displayName: 'Lamps', filter: where(`$template = "${T2}"`) })
        const before = await members('follows')
        await must(server, 'PATCH', '/api/devices/a-01', { template: T2 })
        assert.deepEqual(await members('follows'), [...before, 'a-01'].sort())
        await must(server, 'PATCH', '/api/devices/a-01', { template: T1 })
        assert.deepEqual(await members('follows'), before)
      })

      it('pages through a group exactly once, a device at a time ($top) and two at a time', async () => {
        await create('paged', { displayName: 'Paged', filter: where('$template != "nothing"') })
        await create('paged-us', { displayName: 'Paged in us', filter: 'SELECT * FROM devices', organizations: ['us'] })
        for (const size of [1, 2]) {
          const all = await walk('/api/deviceGroups/paged/devices', undefined, size)
          assert.deepEqual(all.ids, ids(DEVICES))
          assert.equal(all.pages, Math.ceil(DEVICES.length / size))
          const inUs = await walk('/api/deviceGroups/paged-us/devices', undefined, size)
          assert.deepEqual(inUs.ids, ids(DEVICES.filter(within('us'))))
        }
        const first = await server.request('GET', '/api/deviceGroups/paged/devices', { query: { $top: 1 } })
        assert.equal(first.body.value.length, 1)
        assert.match(first.body.nextLink, /^http:\/\/127\.0\.0\.1:\d+\/api\/deviceGroups\/paged\/devices\?api-version=2022-07-31&maxpagesize=1&%24skiptoken=/)
      })

      it('pages membersPage exactly once', async () => {
        const seen: string[] = []
        let after: string | null = null
        for (;;) {
          const rows = await server.app.services.deviceGroups.membersPage('paged-us', after, 2)
          if (rows.length === 0) break
          seen.push(...rows.map((r) => r.id))
          after = rows[rows.length - 1]!.id
        }
        assert.deepEqual(seen, ids(DEVICES.filter(within('us'))))
        await assert.rejects(server.app.services.deviceGroups.membersPage('nope', null, 10), /was not found/)
      })
    })

    describe('organizations and reach', () => {
      before(async () => {
        await create('reach-root', { displayName: 'Root', filter: 'SELECT * FROM devices' })
        await create('reach-us', { displayName: 'US', filter: 'SELECT * FROM devices', organizations: ['us'] })
        await create('reach-wa', { displayName: 'WA', filter: 'SELECT * FROM devices', organizations: ['wa'] })
        await create('reach-eu', { displayName: 'EU', filter: 'SELECT * FROM devices', organizations: ['eu'] })
      })

      it('lists only the groups within reach, paging included', async () => {
        const { ids: listed } = await walk('/api/deviceGroups', tokens.orgViewerEu, 1)
        const stored = await server.app.store.db.selectFrom('device_groups').select('id').where('organization_id', '=', 'eu').orderBy('id').execute()
        assert.deepEqual(listed, stored.map((r) => r.id))
        assert.ok(listed.includes('reach-eu'))
        const usListed = (await walk('/api/deviceGroups', tokens.orgOperatorUs, 3)).ids
        assert.ok(usListed.includes('reach-us') && usListed.includes('reach-wa'))
        assert.ok(!usListed.includes('reach-root') && !usListed.includes('reach-eu'))
      })

      it('answers a group out of reach exactly as an unknown one, on every route', async () => {
        const auth = tokens.orgViewerEu
        for (const id of ['reach-us', 'reach-root']) {
          const unknown = await get('no-such-group', auth)
          const hidden = await get(id, auth)
          expectError(hidden, 404, 'NotFound')
          assert.equal(hidden.body.error.message, unknown.body.error.message.replace('no-such-group', id))
          expectError(await server.request('GET', `/api/deviceGroups/${id}/devices`, { auth }), 404, 'NotFound')
        }
        // A caller holding the write permissions, but elsewhere.
        for (const id of ['reach-eu', 'reach-root']) {
          const before = (await get(id)).body
          const unknown = await patch('no-such-group', { displayName: 'x' }, { auth: tokens.orgAdminUs })
          const hidden = await patch(id, { displayName: 'x' }, { auth: tokens.orgAdminUs })
          expectError(hidden, 404, 'NotFound')
          assert.equal(hidden.body.error.message, unknown.body.error.message.replace('no-such-group', id))
          expectError(await server.request('DELETE', `/api/deviceGroups/${id}`, { auth: tokens.orgAdminUs }), 404, 'NotFound')
          await expectUnchanged(id, before)
        }
      })

      it("limits a group's devices to the caller's reach as well as the group's organization", async () => {
        assert.deepEqual(await members('reach-us', tokens.orgOperatorUs), ids(DEVICES.filter(within('us'))))
        assert.deepEqual(await members('reach-wa', tokens.orgOperatorUs), ids(DEVICES.filter(within('wa'))))
        // Groups everywhere, devices in wa only.
        assert.deepEqual(await members('reach-root', tokens.groupsEverywhereDevicesInWa), ids(DEVICES.filter(within('wa'))))
        assert.deepEqual(await members('reach-us', tokens.groupsEverywhereDevicesInWa), ids(DEVICES.filter(within('wa'))))
        assert.deepEqual(await members('reach-eu', tokens.groupsEverywhereDevicesInWa), [])
        // Groups without devices.read anywhere: the group, but none of its devices.
        assert.deepEqual(await members('reach-root', tokens.groupReader), [])
      })

      it('lets an organization admin create, change and delete groups in its organizations only', async () => {
        const auth = tokens.orgAdminUs
        const created = await put('admin-wa', { ...GROUP, organizations: ['wa'] }, { auth })
        assert.equal(created.status, 200, created.text)
        assert.equal((await patch('admin-wa', { organizations: ['us'] }, { auth })).status, 200)
        expectError(await put('admin-root', GROUP, { auth }), 403, 'Forbidden', /application-wide/)
        expectError(await patch('admin-wa', { organizations: null }, { auth }), 403, 'Forbidden')
        expectError(await put('admin-eu', { ...GROUP, organizations: ['eu'] }, { auth }), 422, 'UnprocessableEntity', /'eu' does not exist/)
        expectError(await patch('admin-wa', { organizations: ['eu'] }, { auth }), 422, 'UnprocessableEntity', /'eu' does not exist/)
        await expectAbsent('admin-root')
        await expectAbsent('admin-eu')
        assert.deepEqual((await get('admin-wa')).body.organizations, ['us'])
        assert.equal((await server.request('DELETE', '/api/deviceGroups/admin-wa', { auth })).status, 204)
      })

      it('answers 409 to a PUT of an id held out of reach, saying nothing of what holds it', async () => {
        const before = (await get('reach-eu')).body
        const response = await put('reach-eu', { ...GROUP, organizations: ['us'] }, { auth: tokens.orgAdminUs })
        expectError(response, 409, 'Conflict', "The device group id 'reach-eu' is already taken; choose another.")
        await expectUnchanged('reach-eu', before)
      })

      it('refuses an organization viewer any write in its own organization', async () => {
        expectError(await patch('reach-eu', { displayName: 'x' }, { auth: tokens.orgViewerEu }), 403, 'Forbidden')
        expectError(await put('viewer-new', { ...GROUP, organizations: ['eu'] }, { auth: tokens.orgViewerEu }), 403, 'Forbidden')
      })

      it('keeps an organization that holds a device group from being deleted', async () => {
        await must(server, 'PUT', '/api/organizations/tmp', { displayName: 'Temporary' })
        await create('in-tmp', { ...GROUP, organizations: ['tmp'] })
        expectError(await server.request('DELETE', '/api/organizations/tmp'), 409, 'Conflict', /still has 1 device group;/)
        assert.equal((await server.request('DELETE', '/api/deviceGroups/in-tmp')).status, 204)
        assert.equal((await server.request('DELETE', '/api/organizations/tmp')).status, 204)
      })
    })

    describe('preview (extension)', () => {
      const preview = (body: unknown, auth?: string) =>
        server.request('POST', '/api/deviceGroupPreview', { body, ...(auth ? { auth } : {}) })

      it('answers the devices of the filter within the organization and the caller reach', async () => {
        const filter = where(`$template = "${T1}"`)
        let response = await preview({ filter, organizations: ['us'] })
        assert.equal(response.status, 200, response.text)
        assert.deepEqual(response.body.value.map((d: { id: string }) => d.id), ids(DEVICES.filter((d) => within('us')(d) && d.template === T1)))
        response = await preview({ filter: 'SELECT * FROM devices' }, tokens.orgViewerEu)
        assert.deepEqual(response.body.value.map((d: { id: string }) => d.id), ids(DEVICES.filter(within('eu'))))
        response = await preview({ filter: 'SELECT * FROM devices', organizations: ['wa'] }, tokens.orgOperatorUs)
        assert.deepEqual(response.body.value.map((d: { id: string }) => d.id), ids(DEVICES.filter(within('wa'))))
      })

      it('answers the same 422 as PUT for a bad filter or organization', async () => {
        expectError(await preview({ filter: 'SELECT * FROM devices WHERE $template =' }), 422, 'UnprocessableEntity', "filter: at character 40: expected a value after '=', found end of query.")
        expectError(await preview({ filter: 'SELECT * FROM devices', organizations: ['eu'] }, tokens.orgOperatorUs), 422, 'UnprocessableEntity', /'eu' does not exist/)
        expectError(await preview({ filter: 'SELECT * FROM devices', organizations: ['us', 'eu'] }), 422, 'UnprocessableEntity', /organizations/)
        expectError(await preview({}), 422, 'UnprocessableEntity', /filter/)
      })

      it('answers at most 25 devices, the first in id order', async () => {
        for (let n = 0; n < 30; n++) await must(server, 'PUT', `/api/devices/p-${String(n).padStart(2, '0')}`, { template: T2 })
        const response = await preview({ filter: where(`$template = "${T2}"`) })
        assert.equal(response.body.value.length, 25)
        const expected = [...ids(DEVICES.filter((d) => d.template === T2)), ...Array.from({ length: 30 }, (_, n) => `p-${String(n).padStart(2, '0')}`)].sort()
        assert.deepEqual(response.body.value.map((d: { id: string }) => d.id), expected.slice(0, 25))
      })
    })

    describe('reference', () => {
      it('describes every device-group route in the OpenAPI document', async () => {
        const response = await server.request('GET', '/api/openapi.json', { auth: null, query: { 'api-version': null } })
        assert.equal(response.status, 200)
        const paths = response.body.paths as Record<string, Record<string, unknown>>
        assert.deepEqual(Object.keys(paths['/api/deviceGroups'] ?? {}), ['get'])
        assert.deepEqual(Object.keys(paths['/api/deviceGroups/{deviceGroupId}'] ?? {}).sort(), ['delete', 'get', 'patch', 'put'])
        assert.deepEqual(Object.keys(paths['/api/deviceGroups/{deviceGroupId}/devices'] ?? {}), ['get'])
        assert.deepEqual(Object.keys(paths['/api/deviceGroupPreview'] ?? {}), ['post'])
      })
    })

    describe('limits', () => {
      it(`refuses the device group after ${MAX_DEVICE_GROUPS} with 409`, async () => {
        const count = Number(
          (await server.app.store.db.selectFrom('device_groups').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n,
        )
        const rows = Array.from({ length: MAX_DEVICE_GROUPS - count }, (_, n) => ({
          id: `bulk-${n}`,
          display_name: 'Bulk',
          description: null,
          filter: 'SELECT * FROM devices',
          organization_id: null,
          etag: 'e',
          created_at: 0,
          updated_at: 0,
        }))
        for (let i = 0; i < rows.length; i += 100) await server.app.store.db.insertInto('device_groups').values(rows.slice(i, i + 100)).execute()
        expectError(await put('one-too-many', GROUP), 409, 'Conflict', /at most 1000 device groups/)
        await expectAbsent('one-too-many')
        assert.equal((await put('bulk-0', GROUP)).status, 200, 'replacing is still allowed')
      })
    })
  })
}

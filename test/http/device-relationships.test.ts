import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import { must, seedHierarchy } from '../helpers/organizations.js'
import { expectError, ROLE_IDS, startServer, type ApiResponse, type TestServer } from '../helpers/server.js'

const GATEWAY = 'dtmi:test:gateway;1'
const SENSOR = 'dtmi:test:sensor;1'
const SENSOR_MODEL = 'dtmi:test:sensorModel;1'
const OTHER = 'dtmi:test:other;1'
const HUB = 'dtmi:test:hub;1'

const templates: Record<string, unknown> = {
  // A gateway for sensors: its declaration names the sensor template's capability model.
  [GATEWAY]: {
    '@type': ['ModelDefinition', 'DeviceModel'],
    capabilityModel: {
      '@id': 'dtmi:test:gatewayModel;1',
      '@type': 'Interface',
      contents: [{ '@type': ['Relationship', 'GatewayDevice'], name: 'sensors', target: [SENSOR_MODEL] }],
    },
  },
  [SENSOR]: {
    '@type': ['ModelDefinition', 'DeviceModel'],
    capabilityModel: { '@id': SENSOR_MODEL, '@type': 'Interface', contents: [] },
  },
  [OTHER]: {
    '@type': ['ModelDefinition', 'DeviceModel'],
    capabilityModel: { '@id': 'dtmi:test:otherModel;1', '@type': 'Interface', contents: [] },
  },
  // A hub whose component declares a relationship to any device.
  [HUB]: {
    '@type': ['ModelDefinition', 'DeviceModel'],
    capabilityModel: {
      '@id': 'dtmi:test:hubModel;1',
      '@type': 'Interface',
      contents: [
        {
          '@type': 'Component',
          name: 'downstream',
          schema: { '@type': 'Interface', contents: [{ '@type': 'Relationship', name: 'anything' }] },
        },
      ],
    },
  },
}

/** id → [template, organization] */
const DEVICES: Record<string, [string | null, string | null]> = {
  gw: [GATEWAY, null],
  gw2: [GATEWAY, null],
  s1: [SENSOR, null],
  s2: [SENSOR, null],
  s3: [SENSOR, null],
  o1: [OTHER, null],
  hub: [HUB, null],
  bare: [null, null],
  'gw-wa': [GATEWAY, 'wa'],
  's-wa': [SENSOR, 'wa'],
  's-ca': [SENSOR, 'ca'],
  's-eu': [SENSOR, 'eu'],
}

interface Listed {
  value: { id: string; source: string; target: string }[]
  nextLink?: string
}

for (const dialect of DIALECTS) {
  describe(`device relationships (${dialect})`, () => {
    let server: TestServer
    let noDevices: string
    let reader: string
    let usOperator: string
    let waViewer: string

    const path = (device: string, id?: string) =>
      `/api/devices/${device}/relationships${id === undefined ? '' : `/${id}`}`
    const put = (device: string, id: string, body: unknown, auth?: string) =>
      server.request('PUT', path(device, id), { body, ...(auth ? { auth } : {}) })
    const patch = (device: string, id: string, body: unknown, auth?: string, contentType = 'application/merge-patch+json') =>
      server.request('PATCH', path(device, id), { body, contentType, ...(auth ? { auth } : {}) })
    const get = (device: string, id: string, auth?: string) =>
      server.request('GET', path(device, id), auth ? { auth } : {})
    const relate = async (device: string, id: string, source: string, target: string) => {
      const response = await put(device, id, { source, target })
      assert.equal(response.status, 200, response.text)
      assert.deepEqual(response.body, { id, source, target })
    }
    const listAll = async (device: string, auth?: string, pageSize = 100): Promise<string[]> => {
      const ids: string[] = []
      let response: ApiResponse<Listed> = await server.request('GET', path(device), {
        query: { maxpagesize: pageSize },
        ...(auth ? { auth } : {}),
      })
      for (;;) {
        assert.equal(response.status, 200, response.text)
        ids.push(...response.body.value.map((r) => r.id))
        if (!response.body.nextLink) return ids
        response = await server.request('GET', response.body.nextLink, auth ? { auth } : {})
      }
    }
    /** Everything stored, as the Administrator sees it from each device. */
    const snapshot = async () =>
      Object.fromEntries(await Promise.all(Object.keys(DEVICES).map(async (d) => [d, await listAll(d)])))

    before(async () => {
      server = await startServer(dialect)
      await seedHierarchy(server)
      for (const [id, body] of Object.entries(templates)) await must(server, 'PUT', `/api/deviceTemplates/${id}`, body)
      for (const [id, [template, organization]] of Object.entries(DEVICES)) {
        await must(server, 'PUT', `/api/devices/${id}`, {
          ...(template ? { template } : {}),
          ...(organization ? { organizations: [organization] } : {}),
        })
      }
      await must(server, 'PUT', '/api/roles/no-devices', { displayName: 'No devices', type: 'application', permissions: ['users.read'] })
      await must(server, 'PUT', '/api/roles/reader', { displayName: 'Reader', type: 'application', permissions: ['devices.read'] })
      noDevices = await server.createToken('no-devices', ['no-devices'])
      reader = await server.createToken('reader', ['reader'])
      usOperator = await server.createScopedToken('us-operator', [{ role: ROLE_IDS.orgOperator, organization: 'us' }])
      waViewer = await server.createScopedToken('wa-viewer', [{ role: ROLE_IDS.orgViewer, organization: 'wa' }])
    })
    after(async () => server?.close())

    describe('authentication and authorization', () => {
      const routes = (): [string, string, unknown?][] => [
        ['GET', path('gw')],
        ['GET', path('gw', 'auth-rel')],
        ['PUT', path('gw', 'auth-new'), { source: 'gw', target: 's3' }],
        ['PATCH', path('gw', 'auth-rel'), { target: 's3' }],
        ['DELETE', path('gw', 'auth-rel')],
      ]

      it('answers 401 without a credential and 403 without devices.read, changing nothing', async () => {
        await relate('gw', 'auth-rel', 'gw', 's1')
        const before = await snapshot()
        for (const [method, route, body] of routes()) {
          const options = { body, contentType: 'application/merge-patch+json' }
          expectError(await server.request(method, route, { ...options, auth: null }), 401, 'Unauthenticated')
          expectError(await server.request(method, route, { ...options, auth: noDevices }), 403, 'Forbidden')
        }
        assert.deepEqual(await snapshot(), before)
      })

      it('answers 403 to writes without devices.update, and lets such a caller read', async () => {
        const before = await snapshot()
        for (const [method, route, body] of routes().slice(2)) {
          const response = await server.request(method, route, {
            body,
            contentType: 'application/merge-patch+json',
            auth: reader,
          })
          expectError(response, 403, 'Forbidden', /devices\.update/)
        }
        assert.equal((await get('gw', 'auth-rel', reader)).status, 200)
        assert.deepEqual(await listAll('s1', reader), ['auth-rel'])
        assert.deepEqual(await snapshot(), before)
        assert.equal((await server.request('DELETE', path('s1', 'auth-rel'))).status, 204)
      })
    })

    describe('create, read, change, delete', () => {
      it('creates a relationship as in the example and reads it from either device', async () => {
        const created = await put('gw', 'rel1', { source: 'gw', target: 's1' })
        assert.equal(created.status, 200, created.text)
        assert.deepEqual(created.body, { id: 'rel1', source: 'gw', target: 's1' })
        for (const device of ['gw', 's1']) {
          const read = await get(device, 'rel1')
          assert.equal(read.status, 200, read.text)
          assert.deepEqual(read.body, { id: 'rel1', source: 'gw', target: 's1' })
        }
        expectError(await get('s2', 'rel1'), 404, 'NotFound')
      })

      it('takes the device in the path as the source when none is sent, and tolerates the same id in the body', async () => {
        const created = await put('gw', 'rel-default', { id: 'rel-default', target: 's2' })
        assert.equal(created.status, 200, created.text)
        assert.deepEqual(created.body, { id: 'rel-default', source: 'gw', target: 's2' })
        assert.equal((await server.request('DELETE', path('gw', 'rel-default'))).status, 204)
      })

      it('replaces the ends on PUT and merges a patch (merge-patch or JSON)', async () => {
        await relate('gw', 'rel2', 'gw', 's2')
        // Not reached through a device it does not join: the id is taken.
        expectError(await put('s3', 'rel2', { source: 'gw', target: 's3' }), 409, 'Conflict')
        const viaGateway = await put('gw', 'rel2', { source: 'gw', target: 's3' })
        assert.deepEqual(viaGateway.body, { id: 'rel2', source: 'gw', target: 's3' })
        // The device in the path stays one end of what it changes.
        expectError(await patch('s3', 'rel2', { target: 's2' }), 422, 'UnprocessableEntity', /must be the device 's3'/)
        const patched = await patch('gw', 'rel2', { target: 's2' })
        assert.equal(patched.status, 200, patched.text)
        assert.deepEqual(patched.body, { id: 'rel2', source: 'gw', target: 's2' })
        const moved = await patch('s2', 'rel2', { source: 'gw2' })
        assert.deepEqual(moved.body, { id: 'rel2', source: 'gw2', target: 's2' })
        expectError(await get('gw', 'rel2'), 404, 'NotFound')
        const before = await snapshot()
        for (const contentType of ['text/plain', 'application/xml']) {
          const refused = await server.request('PATCH', path('s2', 'rel2'), { rawBody: '{"target":"s1"}', contentType })
          expectError(refused, 415, 'UnsupportedMediaType')
        }
        assert.deepEqual(await snapshot(), before)
        // application/json is read as the same merge patch.
        const json = await patch('s2', 'rel2', { source: 'gw' }, undefined, 'application/json')
        assert.equal(json.status, 200, json.text)
        assert.deepEqual(json.body, { id: 'rel2', source: 'gw', target: 's2' })
        expectError(await patch('s2', 'rel2', { target: null }, undefined, 'application/json'), 422, 'UnprocessableEntity')
        const back = await patch('s2', 'rel2', { source: 'gw2' }, undefined, 'application/json')
        assert.deepEqual(back.body, { id: 'rel2', source: 'gw2', target: 's2' })
      })

      it('deletes from either end', async () => {
        await relate('gw', 'rel3', 'gw', 's3')
        const deleted = await server.request('DELETE', path('s3', 'rel3'))
        assert.equal(deleted.status, 204)
        expectError(await get('gw', 'rel3'), 404, 'NotFound')
        expectError(await server.request('DELETE', path('gw', 'rel3')), 404, 'NotFound')
      })

      it('lists both directions, one level, a page at a time', async () => {
        await relate('gw', 'list-a', 'hub', 'gw')
        await relate('hub', 'list-b', 'hub', 's3')
        await relate('gw2', 'list-c', 'gw2', 's3')
        assert.deepEqual(await listAll('hub'), ['list-a', 'list-b'])
        assert.deepEqual(await listAll('gw'), ['list-a', 'rel1'], 'as target and as source')
        assert.deepEqual(await listAll('s3', undefined, 1), ['list-b', 'list-c'])
        const first = await server.request<Listed>('GET', path('s3'), { query: { maxpagesize: 1 } })
        assert.deepEqual(first.body.value, [{ id: 'list-b', source: 'hub', target: 's3' }])
        assert.match(first.body.nextLink ?? '', /^http:\/\/127\.0\.0\.1:\d+\/api\/devices\/s3\/relationships\?/)
        assert.ok(!(await listAll('gw')).includes('list-b'), 'not recursive')
        const none = await server.request('GET', path('bare'))
        assert.deepEqual(none.body, { value: [] })
      })

      it('removes the relationships of a deleted device', async () => {
        await must(server, 'PUT', '/api/devices/doomed', { template: SENSOR })
        await relate('doomed', 'rel-doomed', 'gw', 'doomed')
        assert.equal((await server.request('DELETE', '/api/devices/doomed')).status, 204)
        expectError(await get('gw', 'rel-doomed'), 404, 'NotFound')
        assert.ok(!(await listAll('gw')).includes('rel-doomed'))
        // Its id is free again, and a new device of that id starts without relationships.
        await must(server, 'PUT', '/api/devices/doomed', { template: SENSOR })
        assert.deepEqual(await listAll('doomed'), [])
      })
    })

    describe('rules from the templates, and bad input changing nothing', () => {
      it('refuses what the source template does not declare, and anything malformed', async () => {
        await relate('gw2', 'rule-base', 'gw2', 's1')
        const before = await snapshot()
        const cases: [string, string, unknown, number, string, RegExp][] = [
          ['gw', 'r-x', { source: 'gw', target: 'o1' }, 422, 'UnprocessableEntity', /^target: the template 'dtmi:test:gateway;1' of the device 'gw' declares no relationship to devices of the template 'dtmi:test:other;1'\.$/],
          ['gw', 'r-x', { source: 'gw', target: 'bare' }, 422, 'UnprocessableEntity', /devices without a template/],
          ['s1', 'r-x', { source: 's1', target: 's2' }, 422, 'UnprocessableEntity', /^target: the template 'dtmi:test:sensor;1'/],
          ['bare', 'r-x', { source: 'bare', target: 's2' }, 422, 'UnprocessableEntity', /^source: the device 'bare' has no template/],
          ['gw', 'r-x', { source: 'gw', target: 'gw' }, 422, 'UnprocessableEntity', /^target: a device cannot relate to itself\.$/],
          ['gw', 'r-x', { source: 'gw', target: 'ghost' }, 422, 'UnprocessableEntity', /^target: the device 'ghost' does not exist\.$/],
          ['s2', 'r-x', { source: 'ghost', target: 's2' }, 422, 'UnprocessableEntity', /^source: the device 'ghost' does not exist\.$/],
          ['gw', 'r-x', { source: 'gw2', target: 's2' }, 422, 'UnprocessableEntity', /^source: one end of the relationship must be the device 'gw'/],
          ['gw', 'r-x', { source: 'gw' }, 422, 'UnprocessableEntity', /^target: is required\.$/],
          ['gw', 'r-x', { source: 'gw', target: 's2', name: 'x' }, 422, 'UnprocessableEntity', /^name: is not a known member\.$/],
          ['gw', 'r-x', { id: 'other', target: 's2' }, 422, 'UnprocessableEntity', /^id: is read-only/],
          ['gw', 'bad%20id', { target: 's2' }, 422, 'UnprocessableEntity', /^relationshipId: /],
          ['gw2', 'r-x', { source: 'gw2', target: 's1' }, 409, 'Conflict', /already related by 'rule-base'/],
          ['gw', 'rule-base', { source: 'gw', target: 's2' }, 409, 'Conflict', /^The relationship id 'rule-base' is already taken/],
          ['ghost', 'r-x', { source: 'ghost', target: 's2' }, 404, 'NotFound', /^The device 'ghost' was not found\.$/],
        ]
        for (const [device, id, body, status, code, message] of cases) {
          expectError(await put(device, id, body), status, code, message)
        }
        const patches: [unknown, number, RegExp][] = [
          [{ target: null }, 422, /^target: is required and cannot be removed\.$/],
          [{ target: 'o1' }, 422, /declares no relationship/],
          [{ source: 's2' }, 422, /^source: one end of the relationship must be the device 'gw2'/],
          [{ id: 'zzz' }, 422, /^id: is read-only/],
        ]
        for (const [body, status, message] of patches) {
          expectError(await patch('gw2', 'rule-base', body), status, 'UnprocessableEntity', message)
        }
        expectError(
          await server.request('PATCH', path('gw2', 'rule-base'), { rawBody: '{"target":', contentType: 'application/merge-patch+json' }),
          400,
          'BadRequest',
        )
        expectError(await patch('gw', 'nope', { target: 's2' }), 404, 'NotFound')
        expectError(await get('gw', 'nope'), 404, 'NotFound')
        expectError(await server.request('DELETE', path('gw', 'nope')), 404, 'NotFound')
        expectError(await server.request('GET', path('ghost')), 404, 'NotFound')
        assert.deepEqual(await snapshot(), before)
      })

      it('follows declarations in components, and relationships without target allow any device', async () => {
        await relate('hub', 'hub-any', 'hub', 'bare')
        await relate('o1', 'hub-o1', 'hub', 'o1')
      })
    })

    describe('api-versions', () => {
      it('exists in the versions that have relationships: not 1.0, not 2022-05-31', async () => {
        for (const version of ['1.0', '2022-05-31']) {
          const response = await server.request('GET', path('gw'), { query: { 'api-version': version } })
          expectError(response, 404, 'NotFound', /does not exist in api-version/)
        }
        for (const version of ['1.1-preview', '2022-06-30-preview', '2022-10-31-preview']) {
          const response = await server.request('GET', path('gw'), { query: { 'api-version': version } })
          assert.equal(response.status, 200, response.text)
        }
      })
    })

    describe('organizations', () => {
      it('reaches a relationship only when both devices are within reach', async () => {
        await relate('gw-wa', 'wa-local', 'gw-wa', 's-wa')
        await relate('gw-wa', 'wa-root', 'gw-wa', 's1')
        await relate('gw-wa', 'wa-eu', 'gw-wa', 's-eu')
        assert.deepEqual(await listAll('gw-wa'), ['wa-eu', 'wa-local', 'wa-root'])
        assert.deepEqual(await listAll('gw-wa', usOperator), ['wa-local'])
        assert.equal((await get('s-wa', 'wa-local', usOperator)).status, 200)
        const before = await snapshot()
        for (const [method, route] of [
          ['GET', path('gw-wa', 'wa-root')],
          ['GET', path('s1', 'wa-root')],
          ['GET', path('s1')],
          ['DELETE', path('gw-wa', 'wa-eu')],
          ['PATCH', path('gw-wa', 'wa-root')],
          ['PUT', path('s1', 'new-root')],
        ] as const) {
          const response = await server.request(method, route, {
            auth: usOperator,
            ...(method === 'PUT' || method === 'PATCH' ? { body: { target: 's-wa' } } : {}),
            contentType: 'application/merge-patch+json',
          })
          expectError(response, 404, 'NotFound')
        }
        // An id held by a relationship out of reach is taken, and says nothing more.
        expectError(await put('gw-wa', 'wa-root', { target: 's-ca' }, usOperator), 409, 'Conflict')
        expectError(await put('gw-wa', 'to-eu', { target: 's-eu' }, usOperator), 422, 'UnprocessableEntity', /^target: the device 's-eu' does not exist\.$/)
        expectError(await put('gw-wa', 'to-ca', { target: 's-ca' }, waViewer), 403, 'Forbidden')
        expectError(await server.request('DELETE', path('s-wa', 'wa-local'), { auth: waViewer }), 403, 'Forbidden')
        assert.deepEqual(await snapshot(), before)
        const created = await put('s-ca', 'to-ca', { source: 'gw-wa', target: 's-ca' }, usOperator)
        assert.equal(created.status, 200, created.text)
        const moved = await patch('gw-wa', 'to-ca', { target: 's-wa' }, usOperator)
        expectError(moved, 409, 'Conflict', /already related by 'wa-local'/)
        assert.equal((await server.request('DELETE', path('gw-wa', 'to-ca'), { auth: usOperator })).status, 204)
      })
    })
  })
}

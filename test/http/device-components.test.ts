import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import { must, seedHierarchy } from '../helpers/organizations.js'
import { expectError, ROLE_IDS, startServer, type TestServer } from '../helpers/server.js'

const TRACKER = 'dtmi:test:tracker;1'
const EDGE = 'dtmi:test:edge;1'

/** Two components: one with its interface inline, one naming that interface by DTMI. */
const TRACKER_TEMPLATE = {
  '@type': ['ModelDefinition', 'DeviceModel'],
  capabilityModel: {
    '@id': 'dtmi:test:trackerModel;1',
    '@type': 'Interface',
    contents: [
      {
        '@id': 'dtmi:test:trackerModel:LocationTracking;1',
        '@type': 'Component',
        name: 'LocationTracking',
        schema: {
          '@id': 'dtmi:test:location;1',
          '@type': 'Interface',
          contents: [{ '@type': 'Telemetry', name: 'position', schema: 'geopoint' }],
        },
      },
      { '@type': 'Component', name: 'EnvironmentSensing', displayName: 'Environment', schema: 'dtmi:test:location;1' },
      { '@type': 'Telemetry', name: 'battery', schema: 'double' },
    ],
  },
}

/** An IoT Edge device: modules as EdgeModule relationships, their models inline or by DTMI. */
const EDGE_TEMPLATE = {
  '@type': ['ModelDefinition', 'DeviceModel', 'EdgeModel'],
  capabilityModel: {
    '@id': 'dtmi:test:edgeModel;1',
    '@type': 'Interface',
    contents: [
      {
        '@id': 'dtmi:test:edgeModel:Environment;1',
        '@type': ['Relationship', 'EdgeModule'],
        name: 'Environment',
        maxMultiplicity: 1,
        target: [
          {
            '@id': 'dtmi:test:environmentModule;1',
            '@type': 'Interface',
            contents: [
              {
                '@id': 'dtmi:test:environmentModule:interfaceA;1',
                '@type': 'Component',
                name: 'interfaceA',
                displayName: 'InterfaceA',
                schema: { '@id': 'dtmi:test:a;1', '@type': 'Interface', contents: [] },
              },
            ],
          },
        ],
      },
      {
        '@type': ['Relationship', 'SemanticType/EdgeModule'],
        name: 'Camera',
        target: 'dtmi:test:environmentModule;1',
      },
    ],
  },
}

for (const dialect of DIALECTS) {
  describe(`device components and modules (${dialect})`, () => {
    let server: TestServer
    let noDevices: string
    let usViewer: string

    before(async () => {
      server = await startServer(dialect)
      await seedHierarchy(server)
      await must(server, 'PUT', `/api/deviceTemplates/${TRACKER}`, TRACKER_TEMPLATE)
      await must(server, 'PUT', `/api/deviceTemplates/${EDGE}`, EDGE_TEMPLATE)
      await must(server, 'PUT', '/api/devices/tracker', { template: TRACKER })
      await must(server, 'PUT', '/api/devices/edge', { template: EDGE })
      await must(server, 'PUT', '/api/devices/edge-wa', { template: EDGE, organizations: ['wa'] })
      await must(server, 'PUT', '/api/devices/bare', {})
      await must(server, 'PUT', '/api/roles/no-devices', { displayName: 'No devices', type: 'application', permissions: ['users.read'] })
      noDevices = await server.createToken('no-devices', ['no-devices'])
      usViewer = await server.createScopedToken('us-viewer', [{ role: ROLE_IDS.orgViewer, organization: 'us' }])
    })
    after(async () => server?.close())

    const routes = (device: string) => [
      `/api/devices/${device}/components`,
      `/api/devices/${device}/modules`,
      `/api/devices/${device}/modules/Environment/components`,
    ]

    it('answers 401 without a credential and 403 without devices.read', async () => {
      for (const route of routes('edge')) {
        expectError(await server.request('GET', route, { auth: null }), 401, 'Unauthenticated')
        expectError(await server.request('GET', route, { auth: noDevices }), 403, 'Forbidden', /devices\.read/)
      }
    })

    it("lists the components of the device's template, inline or named by DTMI", async () => {
      const response = await server.request('GET', '/api/devices/tracker/components')
      assert.equal(response.status, 200, response.text)
      assert.deepEqual(response.body, {
        value: [
          { '@id': 'dtmi:test:trackerModel:LocationTracking;1', '@type': ['Component'], name: 'LocationTracking' },
          {
            '@id': 'dtmi:test:trackerModel:EnvironmentSensing;1',
            '@type': ['Component'],
            name: 'EnvironmentSensing',
            displayName: 'Environment',
          },
        ],
      })
      assert.deepEqual((await server.request('GET', '/api/devices/tracker/modules')).body, { value: [] })
    })

    it('lists IoT Edge modules and the components of a module', async () => {
      const modules = await server.request('GET', '/api/devices/edge/modules')
      assert.equal(modules.status, 200, modules.text)
      assert.deepEqual(modules.body, {
        value: [
          { '@id': 'dtmi:test:edgeModel:Environment;1', '@type': ['Relationship', 'SemanticType/EdgeModule'], name: 'Environment' },
          { '@id': 'dtmi:test:edgeModel:Camera;1', '@type': ['Relationship', 'SemanticType/EdgeModule'], name: 'Camera' },
        ],
      })
      const expected = {
        value: [
          {
            '@id': 'dtmi:test:environmentModule:interfaceA;1',
            '@type': ['Component'],
            name: 'interfaceA',
            displayName: 'InterfaceA',
          },
        ],
      }
      for (const module of ['Environment', 'Camera']) {
        const components = await server.request('GET', `/api/devices/edge/modules/${module}/components`)
        assert.equal(components.status, 200, components.text)
        assert.deepEqual(components.body, expected)
      }
      assert.deepEqual((await server.request('GET', '/api/devices/edge/components')).body, { value: [] })
    })

    it('answers empty lists for a device without template, 404 for an unknown module or device', async () => {
      for (const route of routes('bare').slice(0, 2)) {
        assert.deepEqual((await server.request('GET', route)).body, { value: [] })
      }
      expectError(await server.request('GET', '/api/devices/bare/modules/Environment/components'), 404, 'NotFound')
      expectError(
        await server.request('GET', '/api/devices/edge/modules/Nope/components'),
        404,
        'NotFound',
        "The module 'Nope' of the device 'edge' was not found.",
      )
      for (const route of routes('ghost')) {
        expectError(await server.request('GET', route), 404, 'NotFound', "The device 'ghost' was not found.")
      }
    })

    it('lists the routes of this part in the OpenAPI document', async () => {
      const response = await server.request('GET', '/api/openapi.json', { auth: null, query: { 'api-version': null } })
      assert.equal(response.status, 200)
      const paths = response.body.paths as Record<string, Record<string, unknown>>
      const methods = (path: string) => Object.keys(paths[path] ?? {}).sort()
      assert.deepEqual(methods('/api/devices/{deviceId}/components'), ['get'])
      assert.deepEqual(methods('/api/devices/{deviceId}/modules'), ['get'])
      assert.deepEqual(methods('/api/devices/{deviceId}/modules/{moduleName}/components'), ['get'])
      assert.deepEqual(methods('/api/devices/{deviceId}/relationships'), ['get'])
      assert.deepEqual(methods('/api/devices/{deviceId}/relationships/{relationshipId}'), ['delete', 'get', 'patch', 'put'])
      assert.deepEqual(methods('/api/deviceTemplates/{deviceTemplateId}'), ['delete', 'get', 'patch', 'put'])
      assert.deepEqual(methods('/api/fileUploads'), ['delete', 'get', 'patch', 'put'])
    })

    it("answers 404 for a device out of the caller's organizations, and reads those within", async () => {
      for (const route of routes('edge')) {
        expectError(await server.request('GET', route, { auth: usViewer }), 404, 'NotFound')
      }
      for (const route of routes('edge-wa')) {
        assert.equal((await server.request('GET', route, { auth: usViewer })).status, 200)
      }
    })
  })
}

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createDeviceCluster, type DeviceCluster } from '../../src/device-plane/cluster/device-cluster.js'
import { seedDeviceData, type Callers } from '../helpers/device-data.js'
import { DIALECTS } from '../helpers/dialects.js'
import { FAST_TIMINGS } from '../helpers/device-nodes.js'
import { eventually, InProcessDeviceLinks } from '../helpers/local-links.js'
import { expectError, startServer, type TestServer } from '../helpers/server.js'

const PATH = (id: string) => `/api/devices/${id}/connection`

for (const dialect of DIALECTS) {
  describe(`GET /api/devices/{id}/connection (${dialect})`, () => {
    let server: TestServer
    let callers: Callers
    let cluster: DeviceCluster
    const links = new InProcessDeviceLinks()
    const logged: string[] = []

    before(async () => {
      server = await startServer(dialect)
      callers = await seedDeviceData(server)
      // Sessions held in process stand in for the MQTT endpoint's.
      await server.app.devicePlane.cluster.close()
      cluster = await createDeviceCluster({
        store: server.app.store,
        config: {},
        services: server.app.services,
        links,
        timings: FAST_TIMINGS,
        log: { warn: (_object, message) => logged.push(message), error: (_object, message) => logged.push(message) },
      })
    })
    after(async () => {
      await cluster?.close()
      await server?.close()
    })

    it('answers 401 without a credential and 403 without devices.read', async () => {
      expectError(await server.request('GET', PATH('in-us'), { auth: null }), 401, 'Unauthenticated')
      expectError(await server.request('GET', PATH('in-us'), { auth: callers.none }), 403, 'Forbidden')
    })

    it('answers 404 for a device out of the caller organization, or that does not exist', async () => {
      expectError(await server.request('GET', PATH('in-eu'), { auth: callers.viewerUs }), 404, 'NotFound', /in-eu/)
      expectError(await server.request('GET', PATH('nobody')), 404, 'NotFound', /nobody/)
      const allowed = await server.request('GET', PATH('in-us'), { auth: callers.viewerUs })
      assert.equal(allowed.status, 200, allowed.text)
    })

    it('refuses a missing or unknown api-version, and serves every known one', async () => {
      expectError(await server.request('GET', PATH('in-us'), { query: { 'api-version': null } }), 404, 'NotFound')
      expectError(await server.request('GET', PATH('in-us'), { query: { 'api-version': '2099-01-01' } }), 404, 'NotFound')
      for (const version of ['1.0', '2022-07-31', '2022-10-31-preview']) {
        assert.equal((await server.request('GET', PATH('in-us'), { query: { 'api-version': version } })).status, 200)
      }
    })

    it('answers never connected, connected since, then disconnected since', async () => {
      assert.deepEqual((await server.request('GET', PATH('in-us'))).body, {
        connected: false,
        since: null,
        lastActivity: null,
      })
      const before = Date.now()
      links.connect({ deviceId: 'in-us', module: null }, () => ({ status: 200, payload: null }))
      await eventually(async () => (await server.request('GET', PATH('in-us'))).body?.connected === true)
      const connected = (await server.request('GET', PATH('in-us'))).body
      assert.ok(Date.parse(connected.since) >= before - 5, connected.since)
      // Telemetry is activity: lastActivity moves forward.
      await new Promise((resolve) => setTimeout(resolve, 20))
      await server.app.services.deviceTelemetry.ingest({
        deviceId: 'in-us',
        module: null,
        component: null,
        enqueuedAt: Date.now(),
        body: { temperature: 1 },
      })
      await eventually(
        async () => (await server.request('GET', PATH('in-us'))).body?.lastActivity > connected.lastActivity,
        10_000,
        'lastActivity to move',
      )
      // A module's session is not the device's.
      links.close({ deviceId: 'in-us', module: null })
      links.connect({ deviceId: 'in-us', module: 'module_env' }, () => ({ status: 200, payload: null }))
      await eventually(async () => (await server.request('GET', PATH('in-us'))).body?.connected === false)
      const disconnected = (await server.request('GET', PATH('in-us'))).body
      assert.ok(Date.parse(disconnected.since) >= Date.parse(connected.since))
    })

    it('records its sessions again when the other nodes took this node for dead', async () => {
      links.connect({ deviceId: 'in-us', module: null }, () => ({ status: 200, payload: null }))
      await eventually(async () => (await server.request('GET', PATH('in-us'))).body?.connected === true)
      // What another node does to a node whose heartbeat it no longer sees.
      const db = server.app.store.db
      await db.updateTable('device_connections').set({ node_id: null }).where('node_id', '=', cluster.nodeId).execute()
      await db.deleteFrom('device_plane_nodes').where('node_id', '=', cluster.nodeId).execute()
      // Not checked in between: the node's next heartbeat may record the session again at once.
      await eventually(async () => (await server.request('GET', PATH('in-us'))).body?.connected === true, 10_000, 'the session again')
      assert.ok(logged.includes('This node was taken for dead; its device sessions are recorded again.'), logged.join('\n'))
    })

    it('is described in the OpenAPI document', async () => {
      const response = await server.request('GET', '/api/openapi.json', { auth: null, query: { 'api-version': null } })
      assert.ok(response.body.paths['/api/devices/{deviceId}/connection']?.get)
    })
  })
}

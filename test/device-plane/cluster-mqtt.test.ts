import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import type { Client } from 'azure-iot-device'
import { devCertificatePaths } from '../../src/tls/dev-certificates.js'
import { DIALECTS } from '../helpers/dialects.js'
import { TEMPLATE, TEMPLATE_ID } from '../helpers/device-data.js'
import { startDeviceNodes, type DeviceNode, type DeviceNodes } from '../helpers/device-nodes.js'
import { createProvisionedDevice, DEVICE_HOST, openDeviceClient, type DeviceTestServer } from '../helpers/devices.js'
import { eventually } from '../helpers/local-links.js'
import type { TestServer } from '../helpers/server.js'

// Two servers on one PostgreSQL database, each with its MQTT endpoint; Microsoft's device SDK.
if (DIALECTS.includes('postgres')) {
  describe('a device connected with the SDK to one node, reached through the other (postgres)', () => {
    let nodes: DeviceNodes
    let a: DeviceNode
    let b: DeviceNode
    let client: Client | undefined

    before(async () => {
      nodes = await startDeviceNodes('postgres', 2, { deviceHostName: DEVICE_HOST }, 'mqtt')
      ;[a, b] = nodes.nodes as [DeviceNode, DeviceNode]
      assert.equal((await a.request('PUT', `/api/deviceTemplates/${TEMPLATE_ID}`, TEMPLATE)).status, 200)
      const device = await createProvisionedDevice({ app: a.app } as TestServer, 'sdk-cluster', { template: TEMPLATE_ID })
      const endpointOfB = {
        mqttPort: b.app.devicePlane.mqttPort,
        ca: readFileSync(devCertificatePaths(nodes.config.dataDir).caCert, 'utf8'),
      } as DeviceTestServer
      client = await openDeviceClient(endpointOfB, device)
    })
    after(async () => {
      await client?.close().catch(() => undefined)
      await nodes?.close()
    })

    it('runs a command sent to node A on the device connected to node B', async () => {
      client?.onDeviceMethod('reboot', (request, response) => {
        response.send(200, { rebooted: request.payload }, () => undefined)
      })
      await eventually(async () => (await a.request('GET', '/api/devices/sdk-cluster/connection')).body?.connected === true, 20_000)
      const run = await a.request('POST', '/api/devices/sdk-cluster/commands/reboot', { request: 7, connectionTimeout: 5 })
      assert.equal(run.status, 201, run.text)
      assert.deepEqual(run.body.response, { rebooted: 7 })
      assert.equal(run.body.responseCode, 200)
    })

    it('pushes desired properties written on node A to the device on node B', async () => {
      const twin = await (client as Client).getTwin()
      const seen: Record<string, unknown>[] = []
      twin.on('properties.desired', (patch: Record<string, unknown>) => seen.push(patch))
      const write = await a.request('PATCH', '/api/devices/sdk-cluster/properties', { fanSpeed: 42 })
      assert.equal(write.status, 202, write.text)
      await eventually(() => seen.some((patch) => patch.fanSpeed === 42), 20_000, 'the desired patch on the device')
    })

    it('stores telemetry the device sends, answered by node A', async () => {
      const { Message } = (await import('azure-iot-device')).default
      await (client as Client).sendEvent(new Message(JSON.stringify({ temperature: 21.5 })))
      const latest = await a.request('GET', '/api/devices/sdk-cluster/telemetry/temperature')
      assert.equal(latest.status, 200, latest.text)
      assert.equal(latest.body.value, 21.5)
    })
  })
}

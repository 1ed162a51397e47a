import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import deviceSdk, { type Client, type Twin } from 'azure-iot-device'
import { TEMPLATE, TEMPLATE_ID } from '../helpers/device-data.js'
import { must } from '../helpers/organizations.js'
import { DIALECTS } from '../helpers/dialects.js'
import {
  createProvisionedDevice,
  eventually,
  openDeviceClient,
  startDeviceServer,
  type DeviceTestServer,
  type TestDevice,
} from '../helpers/devices.js'

const { Message } = deviceSdk

/** `properties.reported.update` takes only a callback. */
function report(twin: Twin, patch: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) =>
    twin.properties.reported.update(patch, (error?: Error) => (error ? reject(error) : resolve())),
  )
}

for (const dialect of DIALECTS) {
  describe(`Microsoft's device SDK over MQTT (${dialect})`, () => {
    let server: DeviceTestServer
    let device: TestDevice
    let client: Client
    let twin: Twin

    before(async () => {
      server = await startDeviceServer(dialect)
      await must(server, 'PUT', `/api/deviceTemplates/${TEMPLATE_ID}`, TEMPLATE)
      device = await createProvisionedDevice(server, 'sensor-1', { template: TEMPLATE_ID })
      client = await openDeviceClient(server, device)
      twin = await client.getTwin()
    })
    after(async () => {
      await client?.close()
      await server?.close()
    })

    it('sends telemetry that REST shows as the last value, at the time the device stamped', async () => {
      const message = new Message(JSON.stringify({ temperature: 21.5 }))
      message.contentType = 'application/json'
      message.contentEncoding = 'utf-8'
      message.properties.add('iothub-creation-time-utc', '2026-12-01T10:00:00.000Z')
      await client.sendEvent(message)
      // The PUBACK came only after the value was stored: no waiting needed.
      const response = await server.request('GET', '/api/devices/sensor-1/telemetry/temperature')
      assert.equal(response.status, 200, response.text)
      assert.deepEqual(response.body, { value: 21.5, timestamp: '2026-12-01T10:00:00.000Z' })
    })

    it('sends component telemetry ($.sub) that REST shows under the component', async () => {
      const message = new Message(JSON.stringify({ load: 0.75 }))
      message.properties.add('$.sub', 'settings')
      await client.sendEvent(message)
      const response = await server.request('GET', '/api/devices/sensor-1/components/settings/telemetry/load')
      assert.equal(response.status, 200, response.text)
      assert.equal(response.body.value, 0.75)
      const root = await server.request('GET', '/api/devices/sensor-1/telemetry/temperature')
      assert.equal(root.body.value, 21.5, 'the root value is untouched')
    })

    it('reports properties, root and of a component, that REST shows', async () => {
      await report(twin, {
        serialNumber: 'SN-42',
        settings: { __t: 'c', firmware: '1.2.3' },
      })
      const response = await server.request('GET', '/api/devices/sensor-1/properties')
      assert.equal(response.status, 200, response.text)
      assert.equal(response.body.serialNumber, 'SN-42')
      assert.equal(response.body.settings.__t, 'c')
      assert.equal(response.body.settings.firmware, '1.2.3')
      const fresh = await client.getTwin()
      assert.equal(fresh.properties.reported.serialNumber, 'SN-42')
    })

    it('receives a desired property written through REST, and its acknowledgement shows in $metadata', async () => {
      const received = new Promise<Record<string, unknown>>((resolve) => {
        twin.on('properties.desired', (delta: Record<string, unknown>) => {
          if (delta.fanSpeed !== undefined) resolve(delta)
        })
      })
      const written = await server.request('PATCH', '/api/devices/sensor-1/properties', { body: { fanSpeed: 3 } })
      assert.equal(written.status, 202, written.text)
      const delta = await received
      assert.equal(delta.fanSpeed, 3)
      const version = delta.$version as number
      assert.equal(typeof version, 'number')
      await report(twin, {
        fanSpeed: { value: 3, ac: 200, av: version, ad: 'applied' },
      })
      const response = await server.request('GET', '/api/devices/sensor-1/properties')
      assert.equal(response.body.fanSpeed, 3)
      assert.deepEqual(
        {
          ackCode: response.body.$metadata.fanSpeed.ackCode,
          ackVersion: response.body.$metadata.fanSpeed.ackVersion,
          ackDescription: response.body.$metadata.fanSpeed.ackDescription,
          desiredVersion: response.body.$metadata.fanSpeed.desiredVersion,
        },
        { ackCode: 200, ackVersion: version, ackDescription: 'applied', desiredVersion: version },
      )
    })

    it('reads desired properties written while it was away in its twin', async () => {
      const fresh = await client.getTwin()
      assert.equal(fresh.properties.desired.fanSpeed, 3)
    })

    it('answers a command run through REST: 201 with its responseCode and response, in the history', async () => {
      client.onDeviceMethod('reboot', (request, response) => {
        void response.send(200, { rebooting: true, delay: request.payload })
      })
      const run = await server.request('POST', '/api/devices/sensor-1/commands/reboot', {
        body: { request: 5, responseTimeout: 10 },
      })
      assert.equal(run.status, 201, run.text)
      assert.equal(run.body.responseCode, 200)
      assert.deepEqual(run.body.response, { rebooting: true, delay: 5 })
      const history = await server.request('GET', '/api/devices/sensor-1/commands/reboot')
      assert.equal(history.body.value[0].id, run.body.id)
      assert.equal(history.body.value[0].responseCode, 200)
    })

    it('answers a component command as method `component*command`', async () => {
      client.onDeviceMethod('settings*coolDown', (request, response) => {
        void response.send(202, { cooling: request.payload })
      })
      const run = await server.request('POST', '/api/devices/sensor-1/components/settings/commands/coolDown', {
        body: { request: 12.5 },
      })
      assert.equal(run.status, 201, run.text)
      assert.equal(run.body.responseCode, 202)
      assert.deepEqual(run.body.response, { cooling: 12.5 })
    })

    it('a command the device does not answer within responseTimeout is 504, recorded as such', async () => {
      const silent = await createProvisionedDevice(server, 'sensor-silent', { template: TEMPLATE_ID })
      const silentClient = await openDeviceClient(server, silent)
      try {
        // Listening for methods, but not for this one: the SDK leaves it unanswered.
        silentClient.onDeviceMethod('settings*coolDown', (_request, response) => void response.send(200))
        const run = await server.request('POST', '/api/devices/sensor-silent/commands/reboot', {
          body: { request: 1, responseTimeout: 5 },
        })
        assert.equal(run.status, 504, run.text)
        const history = await server.request('GET', '/api/devices/sensor-silent/commands/reboot')
        assert.equal(history.body.value[0].responseCode, 504)
      } finally {
        await silentClient.close()
      }
    })

    it('a command to a device that is not connected is 404 at once, waiting connectionTimeout for it', async () => {
      await createProvisionedDevice(server, 'sensor-offline', { template: TEMPLATE_ID })
      const started = Date.now()
      const run = await server.request('POST', '/api/devices/sensor-offline/commands/reboot', {
        body: { request: 1, connectionTimeout: 1 },
      })
      assert.equal(run.status, 404, run.text)
      assert.ok(Date.now() - started >= 900, 'waited for the device to connect')
    })

    it('a device that connects within connectionTimeout gets the command', async () => {
      const late = await createProvisionedDevice(server, 'sensor-late', { template: TEMPLATE_ID })
      const pending = server.request('POST', '/api/devices/sensor-late/commands/reboot', {
        body: { request: 2, connectionTimeout: 10, responseTimeout: 10 },
      })
      const lateClient = await openDeviceClient(server, late)
      try {
        lateClient.onDeviceMethod('reboot', (_request, response) => void response.send(200, 'ok'))
        const run = await pending
        assert.equal(run.status, 201, run.text)
        assert.equal(run.body.response, 'ok')
      } finally {
        await lateClient.close()
      }
    })

    it('REST shows nothing of a device that sent nothing', async () => {
      const response = await eventually(async () => {
        const r = await server.request('GET', '/api/devices/sensor-late/telemetry/temperature')
        return r.status === 404 ? r : undefined
      })
      assert.equal(response.status, 404)
    })
  })
}

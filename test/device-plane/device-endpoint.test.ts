import assert from 'node:assert/strict'
import { webcrypto } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import deviceSdk, { type Client, type DeviceClientOptions } from 'azure-iot-device'
import deviceMqtt from 'azure-iot-device-mqtt'
import type { MqttClient } from 'mqtt'
import { TEMPLATE, TEMPLATE_ID } from '../helpers/device-data.js'
import { DIALECTS } from '../helpers/dialects.js'
import { must } from '../helpers/organizations.js'
import { httpsRequest } from '../helpers/https.js'
import { createCa, issue, type TestCertificate } from '../helpers/x509-chain.js'
import {
  DEVICE_HOST,
  closedBy,
  createProvisionedDevice,
  markProvisioned,
  openWebSocketDeviceClient,
  rawMqttClient,
  startDeviceServer,
  type DeviceTestServer,
  type TestDevice,
} from '../helpers/devices.js'

const { Client: DeviceClient, SharedAccessSignature } = deviceSdk
const { Mqtt } = deviceMqtt

const username = (deviceId: string) => `${DEVICE_HOST}/${deviceId}/?api-version=2021-04-12`
const sas = (deviceId: string, key: string, expiry = Math.floor(Date.now() / 1000) + 3600, host = DEVICE_HOST) =>
  SharedAccessSignature.create(host, deviceId, key, expiry).toString()

/** Connects with mqtt.js as the SDK would (clean session 0), with the given password. */
function connectRaw(server: DeviceTestServer, deviceId: string, password: string | undefined, clientId = deviceId) {
  return rawMqttClient(server, {
    clientId,
    username: username(deviceId),
    ...(password === undefined ? {} : { password }),
    clean: false,
  })
}

async function refusedWith(
  attempt: Promise<{ client: MqttClient; error: Error | null }>,
  code: number,
): Promise<void> {
  const { client, error } = await attempt
  client.end(true)
  assert.ok(error, 'the connection was refused')
  assert.equal((error as Error & { code?: number }).code, code, String(error))
}

async function pemKey(keys: webcrypto.CryptoKeyPair): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey))
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`
}

/**
 * Microsoft's client for an X.509 device (`x509=true`), presenting `certificate`. The SDK drops
 * GatewayHostName for X.509 devices: the port goes into HostName (no SAS names the host).
 */
async function openX509Client(server: DeviceTestServer, deviceId: string, certificate: TestCertificate): Promise<Client> {
  const client = DeviceClient.fromConnectionString(
    `HostName=127.0.0.1:${server.mqttPort};DeviceId=${deviceId};x509=true`,
    Mqtt,
  )
  await client.setOptions({ ca: server.ca, cert: certificate.pem, key: await pemKey(certificate.keys) } as DeviceClientOptions)
  await client.open()
  return client
}

for (const dialect of DIALECTS) {
  describe(`device endpoint: authentication and topic rules (${dialect})`, () => {
    let server: DeviceTestServer
    let device: TestDevice

    before(async () => {
      server = await startDeviceServer(dialect)
      await must(server, 'PUT', `/api/deviceTemplates/${TEMPLATE_ID}`, TEMPLATE)
      device = await createProvisionedDevice(server, 'dev-1', { template: TEMPLATE_ID })
    })
    after(async () => server?.close())

    it('accepts the primary and the secondary key, and keeps sessions of clean-session-0 clients', async () => {
      for (const key of [device.primaryKey, device.secondaryKey]) {
        const { client, connack, error } = await connectRaw(server, 'dev-1', sas('dev-1', key))
        assert.equal(error, null)
        assert.equal(connack?.returnCode, 0)
        client.end(true)
      }
      const first = await connectRaw(server, 'dev-1', sas('dev-1', device.primaryKey))
      await first.client.subscribeAsync('$iothub/methods/POST/#', { qos: 0 })
      await first.client.endAsync()
      // Reconnects without subscribing again, as the SDK does after renewing its SAS token.
      const again = await connectRaw(server, 'dev-1', sas('dev-1', device.primaryKey))
      assert.equal((again.connack as { sessionPresent?: boolean }).sessionPresent, true)
      const received = new Promise<string>((resolve) => again.client.on('message', (topic) => resolve(topic)))
      const run = server.app.devicePlane.links.invoke({ deviceId: 'dev-1', module: null }, 'reboot', 1, 5000)
      const topic = await received
      assert.match(topic, /^\$iothub\/methods\/POST\/reboot\/\?\$rid=/)
      const rid = new URLSearchParams(topic.split('?')[1]).get('$rid')
      await again.client.publishAsync(`$iothub/methods/res/200/?$rid=${rid}`, JSON.stringify({ done: true }))
      assert.deepEqual(await run, { kind: 'answered', answer: { status: 200, payload: { done: true } } })
      await again.client.endAsync()
    })

    it('refuses a wrong key (4) and never logs the token', async () => {
      const wrong = Buffer.alloc(32, 7).toString('base64')
      const token = sas('dev-1', wrong)
      await refusedWith(connectRaw(server, 'dev-1', token), 4)
      const signature = new URLSearchParams(token.slice('SharedAccessSignature '.length)).get('sig') as string
      assert.ok(server.logs.some((line) => line.includes('device connection refused')))
      assert.ok(!server.logs.some((line) => line.includes(signature) || line.includes(encodeURIComponent(signature))))
    })

    it('refuses an expired token (4)', async () => {
      await refusedWith(connectRaw(server, 'dev-1', sas('dev-1', device.primaryKey, Math.floor(Date.now() / 1000) - 10)), 4)
    })

    it('refuses a token signed for another device (4), and a client id that is not the device id (4)', async () => {
      const other = await createProvisionedDevice(server, 'dev-other')
      await refusedWith(connectRaw(server, 'dev-1', sas('dev-other', other.primaryKey)), 4)
      await refusedWith(connectRaw(server, 'dev-1', sas('dev-1', device.primaryKey), 'dev-other'), 4)
      await refusedWith(connectRaw(server, 'dev-1', undefined), 4)
    })

    it('refuses unknown, disabled and unprovisioned devices (5)', async () => {
      await refusedWith(connectRaw(server, 'nobody', sas('nobody', device.primaryKey)), 5)
      const disabled = await createProvisionedDevice(server, 'dev-disabled')
      await must(server, 'PATCH', '/api/devices/dev-disabled', { enabled: false })
      await refusedWith(connectRaw(server, 'dev-disabled', sas('dev-disabled', disabled.primaryKey)), 5)
      const fresh = await createProvisionedDevice(server, 'dev-unprovisioned', { provisioned: false })
      await refusedWith(connectRaw(server, 'dev-unprovisioned', sas('dev-unprovisioned', fresh.primaryKey)), 5)
      await markProvisioned(server, 'dev-unprovisioned')
      const { client, error } = await connectRaw(server, 'dev-unprovisioned', sas('dev-unprovisioned', fresh.primaryKey))
      assert.equal(error, null, 'once provisioned it connects')
      client.end(true)
    })

    it("disconnects a device that publishes to another device's topic", async () => {
      const { client } = await connectRaw(server, 'dev-1', sas('dev-1', device.primaryKey))
      const closed = closedBy(client)
      client.publish('devices/dev-other/messages/events/', JSON.stringify({ temperature: 1 }), { qos: 1 })
      await closed
      client.end(true)
      const response = await server.request('GET', '/api/devices/dev-other/telemetry/temperature')
      assert.notEqual(response.status, 200)
    })

    it('disconnects a device that subscribes beyond its own topics', async () => {
      const { client } = await connectRaw(server, 'dev-1', sas('dev-1', device.primaryKey))
      const closed = closedBy(client)
      client.subscribe('devices/dev-other/messages/devicebound/#')
      await closed
      client.end(true)
    })

    it('disconnects a device that sends a message over 256 KB, and stores nothing of it', async () => {
      const { client } = await connectRaw(server, 'dev-1', sas('dev-1', device.primaryKey))
      const closed = closedBy(client)
      const body = JSON.stringify({ temperature: 99, padding: 'x'.repeat(256 * 1024) })
      client.publish('devices/dev-1/messages/events/', body, { qos: 1 })
      await closed
      client.end(true)
      const response = await server.request('GET', '/api/devices/dev-1/telemetry/temperature')
      assert.notEqual(response.body?.value, 99)
    })

    it('ends the session of a device that is disabled, and of one that is deleted', async () => {
      const victim = await createProvisionedDevice(server, 'dev-victim')
      const first = await connectRaw(server, 'dev-victim', sas('dev-victim', victim.primaryKey))
      assert.equal(first.error, null)
      const disabledClosed = closedBy(first.client)
      await must(server, 'PATCH', '/api/devices/dev-victim', { enabled: false })
      await disabledClosed
      first.client.end(true)
      await must(server, 'PATCH', '/api/devices/dev-victim', { enabled: true })
      const second = await connectRaw(server, 'dev-victim', sas('dev-victim', victim.primaryKey))
      assert.equal(second.error, null)
      const deletedClosed = closedBy(second.client)
      const deleted = await server.request('DELETE', '/api/devices/dev-victim')
      assert.equal(deleted.status, 204, deleted.text)
      await deletedClosed
      second.client.end(true)
      await refusedWith(connectRaw(server, 'dev-victim', sas('dev-victim', victim.primaryKey)), 5)
    })

    it('ends the sessions of devices whose keys derive from a group when its keys change', async () => {
      const derived = await createProvisionedDevice(server, 'dev-derived')
      const { client, error } = await connectRaw(server, 'dev-derived', sas('dev-derived', derived.primaryKey))
      assert.equal(error, null)
      const closed = closedBy(client)
      const groups = await server.request('GET', '/api/enrollmentGroups')
      const sasGroup = groups.body.value.find((g: any) => g.attestation.type === 'symmetricKey' && g.type === 'iot')
      await must(server, 'PATCH', `/api/enrollmentGroups/${sasGroup.id}`, {
        attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: Buffer.alloc(64, 1).toString('base64') } },
      })
      await closed
      client.end(true)
      await refusedWith(connectRaw(server, 'dev-derived', sas('dev-derived', derived.primaryKey)), 4)
    })

    it('X.509: a device connects with its own certificate (thumbprint), not with another one', async () => {
      const ca = await createCa('Device maker')
      const own = await issue('dev-x509', ca)
      const stranger = await issue('dev-x509', ca)
      await must(server, 'PUT', '/api/devices/dev-x509', { template: TEMPLATE_ID })
      await must(server, 'PUT', '/api/devices/dev-x509/attestation', {
        type: 'x509',
        x509: { clientCertificates: { primary: { certificate: own.pem } } },
      })
      await markProvisioned(server, 'dev-x509')
      const client = await openX509Client(server, 'dev-x509', own)
      try {
        await client.sendEvent(new deviceSdk.Message(JSON.stringify({ temperature: 7 })))
        const response = await server.request('GET', '/api/devices/dev-x509/telemetry/temperature')
        assert.equal(response.body.value, 7)
      } finally {
        await client.close()
      }
      await assert.rejects(openX509Client(server, 'dev-x509', stranger), /Unauthorized|Not authorized/i)
    })

    it('X.509: a device connects with a certificate signed by a verified enrollment-group certificate', async () => {
      const root = await createCa('Group root')
      await must(server, 'PUT', '/api/enrollmentGroups/x509-devices', {
        displayName: 'X.509 devices',
        type: 'iot',
        attestation: { type: 'x509', x509: { signingCertificates: { primary: { certificate: root.pem, verified: true } } } },
      })
      await must(server, 'PUT', '/api/devices/dev-grouped', { template: TEMPLATE_ID })
      await markProvisioned(server, 'dev-grouped')
      const client = await openX509Client(server, 'dev-grouped', await issue('dev-grouped', root))
      await client.close()
      const unknownRoot = await createCa('Unknown root')
      await assert.rejects(openX509Client(server, 'dev-grouped', await issue('dev-grouped', unknownRoot)), /Unauthorized|Not authorized/i)
      // CN of another device: refused even though the group would admit it.
      await assert.rejects(openX509Client(server, 'dev-grouped', await issue('dev-x509', root)), /Unauthorized|Not authorized/i)
    })

    it('throttles a flood of refused connects from one address (CONNACK 3)', async () => {
      let throttled = false
      for (let i = 0; i < 40 && !throttled; i++) {
        const { client, error } = await connectRaw(server, 'nobody', 'SharedAccessSignature sr=x&sig=y&se=1')
        client.end(true)
        throttled = (error as Error & { code?: number })?.code === 3
      }
      assert.ok(throttled, 'refused with 3 once the address spent its budget')
    })
  })

  describe(`device endpoint: MQTT over WebSockets (${dialect})`, () => {
    let server: DeviceTestServer

    before(async () => {
      server = await startDeviceServer(dialect, { config: { tlsDev: true } })
      await server.app.services.deviceTemplates.put(null, TEMPLATE_ID, TEMPLATE as never)
    })
    after(async () => server?.close())

    it('serves /$iothub/websocket with the mqtt subprotocol: telemetry and a command', async () => {
      const device = await createProvisionedDevice(server, 'ws-1', { template: TEMPLATE_ID })
      const client = await openWebSocketDeviceClient(server, device)
      try {
        client.onDeviceMethod('reboot', (_request, response) => void response.send(200, 'rebooting'))
        await client.sendEvent(new deviceSdk.Message(JSON.stringify({ temperature: 30 })))
        const ca = Buffer.from(server.ca)
        const telemetry = await httpsRequest('GET', `${server.url}/api/devices/ws-1/telemetry/temperature?api-version=2022-07-31`, ca, server.adminToken)
        assert.equal(telemetry.body.value, 30)
        const run = await httpsRequest('POST', `${server.url}/api/devices/ws-1/commands/reboot?api-version=2022-07-31`, ca, server.adminToken, { request: 1 })
        assert.equal(run.status, 201, JSON.stringify(run.body))
        assert.equal(run.body.response, 'rebooting')
      } finally {
        await client.close()
      }
    })
  })
}

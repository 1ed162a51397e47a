import assert from 'node:assert/strict'
import { getCACertificates, setDefaultCACertificates } from 'node:tls'
import { after, before, describe, it } from 'node:test'
import azureIotCommon from 'azure-iot-common'
import deviceSdk from 'azure-iot-device'
import provisioningDevice, { type RegistrationResult } from 'azure-iot-provisioning-device'
import provisioningMqtt from 'azure-iot-provisioning-device-mqtt'
import { SymmetricKeySecurityClient } from 'azure-iot-security-symmetric-key'
import { deriveDeviceKey } from '../../src/provisioning/keys.js'
import { TEMPLATE, TEMPLATE_ID } from '../helpers/device-data.js'
import { DIALECTS } from '../helpers/dialects.js'
import { must } from '../helpers/organizations.js'
import {
  closedBy,
  createProvisionedDevice,
  openDeviceClient,
  rawMqttClient,
  startDeviceServer,
  type DeviceTestServer,
} from '../helpers/devices.js'

// CommonJS packages: their named exports are read from the default one.
const { ProvisioningDeviceClient } = provisioningDevice
const { Mqtt: ProvisioningMqtt } = provisioningMqtt

/** Registers over MQTT with Microsoft's provisioning SDK, dialling the test server's MQTT port. */
async function register(
  server: DeviceTestServer,
  idScope: string,
  registrationId: string,
  key: string,
  payload?: object,
): Promise<RegistrationResult> {
  const client = ProvisioningDeviceClient.create(
    `127.0.0.1:${server.mqttPort}`,
    idScope,
    new ProvisioningMqtt(),
    // Each SDK package carries its own azure-iot-common: the types differ, the objects fit.
    new SymmetricKeySecurityClient(registrationId, key) as never,
  )
  if (payload) client.setProvisioningPayload(payload)
  return (await client.register()) as RegistrationResult
}

for (const dialect of DIALECTS) {
  describe(`device provisioning over MQTT, on the device endpoint (${dialect})`, () => {
    let server: DeviceTestServer
    let idScope: string
    let groupKey: string

    before(async () => {
      server = await startDeviceServer(dialect)
      // The provisioning transports trust only the process's CA list (NODE_EXTRA_CA_CERTS, in an app).
      setDefaultCACertificates([...getCACertificates('default'), server.ca])
      await must(server, 'PUT', `/api/deviceTemplates/${TEMPLATE_ID}`, TEMPLATE)
      idScope = await server.app.services.provisioning.idScope()
      groupKey = (await server.app.services.enrollmentGroups.symmetricKeys('SAS-IoT-Devices')).primaryKey
    })
    after(async () => server?.close())

    it('registers a new device with a group-derived key, which then connects and sends telemetry', async () => {
      const key = deriveDeviceKey(groupKey, 'dps-1')
      const result = await register(server, idScope, 'dps-1', key, { modelId: TEMPLATE_ID })
      assert.equal(result.deviceId, 'dps-1')
      assert.equal(result.assignedHub, 'localhost')
      const device = await server.request('GET', '/api/devices/dps-1')
      assert.equal(device.body.provisioned, true)
      assert.equal(device.body.template, TEMPLATE_ID)
      const client = await openDeviceClient(server, { deviceId: 'dps-1', primaryKey: key, secondaryKey: key })
      try {
        await client.sendEvent(new deviceSdk.Message(JSON.stringify({ temperature: 12 })))
        const telemetry = await server.request('GET', '/api/devices/dps-1/telemetry/temperature')
        assert.equal(telemetry.body.value, 12)
      } finally {
        await client.close()
      }
    })

    it('refuses a registration with a wrong key', async () => {
      const wrong = deriveDeviceKey(Buffer.alloc(64, 3).toString('base64'), 'dps-wrong')
      await assert.rejects(register(server, idScope, 'dps-wrong', wrong))
      const device = await server.request('GET', '/api/devices/dps-wrong')
      assert.equal(device.status, 404)
    })

    it("never takes over the session of the connected device it registers", async () => {
      const device = await createProvisionedDevice(server, 'dps-live', { template: TEMPLATE_ID })
      const client = await openDeviceClient(server, device)
      try {
        client.onDeviceMethod('reboot', (_request, response) => void response.send(200, 'still here'))
        const result = await register(server, idScope, 'dps-live', device.primaryKey)
        assert.equal(result.deviceId, 'dps-live')
        const run = await server.request('POST', '/api/devices/dps-live/commands/reboot', { body: { request: 1 } })
        assert.equal(run.status, 201, run.text)
        assert.equal(run.body.response, 'still here')
      } finally {
        await client.close()
      }
    })

    it('a registration client may subscribe only to its answers: anything else disconnects it', async () => {
      const key = deriveDeviceKey(groupKey, 'dps-raw')
      // As the provisioning SDK signs it: `{idScope}/registrations/{id}`, skn=registration.
      const sas = azureIotCommon.SharedAccessSignature.create(
        `${idScope}/registrations/dps-raw`,
        'registration',
        key,
        Math.floor(Date.now() / 1000) + 36_000,
      ).toString()
      const { client, error } = await rawMqttClient(server, {
        clientId: 'dps-raw',
        username: `${idScope}/registrations/dps-raw/api-version=2019-03-31`,
        password: sas,
        clean: true,
      })
      assert.equal(error, null)
      const closed = closedBy(client)
      client.subscribe('$iothub/methods/POST/#')
      await closed
      client.end(true)
    })
  })
}


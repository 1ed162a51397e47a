import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { deviceSas } from '../../src/device-plane/simulator/sas.js'
import {
  DEVICE_HOST,
  createProvisionedDevice,
  rawMqttClient,
  startDeviceServer,
  type DeviceTestServer,
  type TestDevice,
} from '../helpers/devices.js'

/** Devices that may all connect at once: one client id each, so no session takes over another. */
async function createDevices(server: DeviceTestServer, count: number): Promise<TestDevice[]> {
  const devices: TestDevice[] = []
  for (let i = 0; i < count; i++) devices.push(await createProvisionedDevice(server, `fleet-${i}`))
  return devices
}

const WRONG_KEY = Buffer.alloc(32, 7).toString('base64')

/**
 * Connects every device at once from 127.0.0.1, with a SAS token signed by its key (or by `key`);
 * the CONNACK codes, sorted (refusals by their code).
 */
async function connectAll(server: DeviceTestServer, devices: TestDevice[], key?: string): Promise<number[]> {
  const outcomes = await Promise.all(
    devices.map((device) =>
      rawMqttClient(server, {
        clientId: device.deviceId,
        username: `${DEVICE_HOST}/${device.deviceId}/?api-version=2021-04-12`,
        password: deviceSas(DEVICE_HOST, device.deviceId, key ?? device.primaryKey, server.clock.now),
        clean: true,
      }),
    ),
  )
  for (const { client } of outcomes) client.end(true)
  return outcomes
    .map(({ connack, error }) => (error ? ((error as Error & { code?: number }).code ?? -1) : (connack?.returnCode ?? -1)))
    .sort((a, b) => a - b)
}

/** A server at `mqttConnectRate` with `count` devices, started before the suite's tests and closed after them. */
function fleetServer(mqttConnectRate: number, count: number): { server: DeviceTestServer; devices: TestDevice[] } {
  const fleet = {} as { server: DeviceTestServer; devices: TestDevice[] }
  before(async () => {
    fleet.server = await startDeviceServer('sqlite', { config: { mqttConnectRate } })
    fleet.devices = await createDevices(fleet.server, count)
  })
  after(async () => fleet.server?.close())
  return fleet
}

describe('device endpoint: CONNECT rate per address (--mqtt-connect-rate)', () => {
  describe('at 1 a second (bursts of 10)', () => {
    const fleet = fleetServer(1, 11)

    it('admits ten rapid connects from one address and refuses the eleventh with CONNACK 3', async () => {
      assert.deepEqual(await connectAll(fleet.server, fleet.devices), [...Array(10).fill(0), 3])
      assert.ok(fleet.server.logs.some((line) => line.includes('too many connection attempts')))
    })
  })

  describe('at 0 (off)', () => {
    const fleet = fleetServer(0, 30)

    it('admits every rapid connect from one address, even after many refused ones', async () => {
      // At the default rate these would spend the address's budget (each refusal costs 11 of 200).
      assert.deepEqual(await connectAll(fleet.server, fleet.devices, WRONG_KEY), Array(30).fill(4))
      assert.deepEqual(await connectAll(fleet.server, fleet.devices), Array(30).fill(0))
      assert.ok(!fleet.server.logs.some((line) => line.includes('too many connection attempts')))
    })
  })
})

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Agent } from 'node:https'
import type { TLSSocket } from 'node:tls'
import type { Duplex } from 'node:stream'
import deviceSdk, { type Client, type DeviceClientOptions } from 'azure-iot-device'
import deviceMqtt from 'azure-iot-device-mqtt'
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import type { Config } from '../../src/config/schema.js'
import { deviceRepository } from '../../src/storage/repositories/device.repository.js'
import { devCertificatePaths } from '../../src/tls/dev-certificates.js'
import type { Dialect } from '../../src/storage/store.js'
import { startServer, type TestClock, type TestServer } from './server.js'

// CommonJS packages: their named exports are read from the default one.
const { Client: DeviceClient } = deviceSdk
const { Mqtt, MqttWs } = deviceMqtt

/** The host name devices are told (and sign their SAS tokens for); they dial 127.0.0.1 through GatewayHostName. */
export const DEVICE_HOST = 'localhost'

export interface DeviceTestServer extends TestServer {
  /** The MQTT-over-TLS port the server got. */
  mqttPort: number
  /** The development certificate authority devices must trust (PEM). */
  ca: string
}

/**
 * A real server with its device endpoint on free ports (MQTT over TLS with the development
 * certificate; `tlsDev: true` also serves HTTPS, hence MQTT over WebSockets, with it).
 */
export async function startDeviceServer(
  dialect: Dialect,
  options: { config?: Partial<Config>; clock?: TestClock } = {},
): Promise<DeviceTestServer> {
  const server = await startServer(dialect, {
    ...options,
    config: { deviceHostName: DEVICE_HOST, ...options.config },
  })
  const ca = readFileSync(devCertificatePaths(server.dataDir).caCert, 'utf8')
  return Object.assign(server, { mqttPort: server.app.devicePlane.mqttPort, ca })
}

export interface TestDevice {
  deviceId: string
  primaryKey: string
  secondaryKey: string
}

/**
 * A device (with `template`, if given) as the provisioning service leaves it: registered
 * (`provisioned`), with the keys the default SAS enrollment group derives for it.
 */
export async function createProvisionedDevice(
  server: TestServer,
  deviceId: string,
  options: { template?: string; provisioned?: boolean } = {},
): Promise<TestDevice> {
  // Through the services: the same path as REST, whether the test server speaks HTTP or HTTPS.
  await server.app.services.devices.put(null, deviceId, options.template ? { template: options.template } : {})
  if (options.provisioned !== false) await markProvisioned(server, deviceId)
  const credentials = await server.app.services.deviceAttestations.credentials(null, deviceId)
  assert.ok(credentials.symmetricKey, `device ${deviceId} has symmetric keys`)
  return { deviceId, ...credentials.symmetricKey }
}

/** What the provisioning service records when a device registers. */
export async function markProvisioned(server: TestServer, deviceId: string): Promise<void> {
  const db = server.app.store.db
  const row = await deviceRepository.get(db, deviceId)
  assert.ok(row, `device ${deviceId} exists`)
  await db.updateTable('devices').set({ provisioned: 1 }).where('id', '=', deviceId).execute()
}

/** The connection string a device app builds, dialling the test server's MQTT port. */
export function connectionString(server: DeviceTestServer, deviceId: string, key: string): string {
  return `HostName=${DEVICE_HOST};DeviceId=${deviceId};SharedAccessKey=${key};GatewayHostName=127.0.0.1:${server.mqttPort}`
}

/** Microsoft's device client over MQTT (TLS), trusting the server's certificate authority, opened. */
export async function openDeviceClient(server: DeviceTestServer, device: TestDevice): Promise<Client> {
  const client = DeviceClient.fromConnectionString(connectionString(server, device.deviceId, device.primaryKey), Mqtt)
  await client.setOptions({ ca: server.ca } as DeviceClientOptions)
  await client.open()
  return client
}

/**
 * An HTTPS agent for the SDK's MQTT-over-WebSockets transport, which always dials port 443:
 * its connections go to `port` instead.
 */
export function webSocketAgent(port: number, ca: string): Agent {
  class PortAgent extends Agent {
    override createConnection(options: object, callback?: (error: Error | null, socket: Duplex) => void): Duplex {
      return (Agent.prototype as unknown as { createConnection: Function }).createConnection.call(
        this,
        { ...options, port, ca },
        callback,
      ) as TLSSocket
    }
  }
  return new PortAgent({ ca })
}

/** Microsoft's device client over MQTT over WebSockets (the server must serve HTTPS), opened. */
export async function openWebSocketDeviceClient(server: DeviceTestServer, device: TestDevice): Promise<Client> {
  const port = Number(new URL(server.url).port)
  const client = DeviceClient.fromConnectionString(
    `HostName=${DEVICE_HOST};DeviceId=${device.deviceId};SharedAccessKey=${device.primaryKey};GatewayHostName=127.0.0.1`,
    MqttWs,
  )
  await client.setOptions({ ca: server.ca, mqtt: { webSocketAgent: webSocketAgent(port, server.ca) } } as DeviceClientOptions)
  await client.open()
  return client
}

/** A plain mqtt.js client on the MQTT port (for what Microsoft's SDK never sends). Resolves on CONNACK or refusal. */
export function rawMqttClient(
  server: DeviceTestServer,
  options: IClientOptions,
): Promise<{ client: MqttClient; connack: { returnCode?: number; reasonCode?: number } | null; error: Error | null }> {
  return new Promise((resolve) => {
    const client = mqtt.connect({
      protocol: 'mqtts',
      host: '127.0.0.1',
      port: server.mqttPort,
      ca: server.ca,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...options,
    })
    client.once('connect', (connack) => resolve({ client, connack, error: null }))
    client.once('error', (error) => resolve({ client, connack: null, error }))
  })
}

/** Resolves once `client` is closed by the server (rejects after `ms`). */
export function closedBy(client: MqttClient, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client.connected) return resolve()
    const timer = setTimeout(() => reject(new Error('the server did not close the connection')), ms)
    client.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/** Polls `check` until it holds (or fails after `ms`): for what reaches REST a moment after a device sent it. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw last instanceof Error ? last : new Error('condition not met in time')
}

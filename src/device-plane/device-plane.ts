import type { FastifyInstance } from 'fastify'
import type { Server as HttpServer } from 'node:http'
import type { Clock } from '../clock.js'
import type { Config } from '../config/schema.js'
import type { Services } from '../services/index.js'
import { GROUP_DEVICES } from '../storage/change-feed.js'
import type { Store } from '../storage/store.js'
import type { LocalDeviceLinks } from './device-links.js'
import { DeviceMessages } from './hub/device-messages.js'
import { createDeviceCluster, type DeviceCluster } from './cluster/device-cluster.js'
import { ConnectThrottle } from './mqtt/connect-throttle.js'
import { DeviceAuthenticator } from './mqtt/device-authenticator.js'
import { createDeviceBroker } from './mqtt/device-broker.js'
import { deviceSessions } from './mqtt/device-session.js'
import { deviceEndpointTls } from './mqtt/endpoint-tls.js'
import { attachWebSockets, listenTls } from './mqtt/listeners.js'
import { MqttDeviceLinks } from './mqtt/mqtt-device-links.js'
import { ProvisioningOverMqtt } from './provisioning/dps-mqtt.js'

/** The device side of a running server. */
export interface DevicePlane {
  /** The port the MQTT-over-TLS listener got (config.mqttPort, or the kernel's pick for 0). */
  mqttPort: number
  /** This node's device sessions. */
  links: LocalDeviceLinks
  /** This node in the cluster: reaches devices connected to other nodes (`services.deviceCommands.connections`). */
  cluster: DeviceCluster
  /** Devices (and modules) with a live session on this node, for metrics. */
  connectedDevices(): number
  close(): Promise<void>
}

/**
 * Starts the device endpoint: the broker, its TLS listener and the WebSocket path on the HTTP
 * server; routes commands and desired properties to sessions; ends sessions whose device was
 * deleted, disabled or given new credentials (on any node: through the change feed).
 */
export async function startDevicePlane(
  app: FastifyInstance,
  store: Store,
  services: Services,
  config: Config,
  clock: Clock,
): Promise<DevicePlane> {
  const log = app.log.child({ component: 'devices' })
  const authenticator = new DeviceAuthenticator(store, services.provisioning, clock)
  let messages: DeviceMessages | null = null
  const broker = await createDeviceBroker({
    authenticator,
    // Real time, not the application clock: floods are measured as they happen.
    throttle: config.mqttConnectRate > 0 ? new ConnectThrottle(config.mqttConnectRate) : null,
    log,
    onPublish: () => (client, session, packet) => (messages as DeviceMessages).handle(client, session, packet),
    provisioning: new ProvisioningOverMqtt(services.deviceRegistrations, services.provisioning, store, clock),
  })
  const links = new MqttDeviceLinks(broker)
  messages = new DeviceMessages(services.deviceProperties, services.deviceTelemetry, links, clock)
  const tls = await listenTls(broker, await deviceEndpointTls(config), config.host, config.mqttPort, log).catch(
    async (error: unknown) => {
      await new Promise<void>((resolve) => broker.close(() => resolve()))
      throw error
    },
  )
  // Installs itself as services.deviceCommands.connections: commands reach devices on any node.
  const cluster = await createDeviceCluster({ store, config, services, links, log }).catch(async (error: unknown) => {
    const serverClosed = new Promise<void>((resolve) => tls.server.close(() => resolve()))
    await new Promise<void>((resolve) => broker.close(() => resolve()))
    await serverClosed
    throw error
  })
  const wss = attachWebSockets(broker, app.server as HttpServer)

  const stopDesired = services.deviceProperties.onDesiredPropertiesChange((change) =>
    links.pushDesired({ deviceId: change.deviceId, module: change.module }, change.patch, change.version),
  )
  let closed = false
  store.changes.subscribe((topic, id) => {
    if (closed) return
    if (topic === 'device' && id !== null) {
      if (id === GROUP_DEVICES) links.disconnectWhere((session) => session.source === 'group')
      else links.disconnect(id, 'device changed')
    } else if (topic === null) {
      // Changes may have been missed: every session proves itself again.
      for (const client of links.sessions()) {
        const session = deviceSessions.of(client)
        if (!session) continue
        authenticator.authenticate(session.hostName, session.deviceId, session.proof).then(
          (result) => {
            if (!result.accepted) client.close()
          },
          () => client.close(),
        )
      }
    }
  })
  log.info({ port: tls.port }, 'device endpoint listening (MQTT over TLS; MQTT over WebSockets at /$iothub/websocket)')

  return {
    mqttPort: tls.port,
    links,
    cluster,
    connectedDevices: () => broker.connectedClients,
    async close() {
      if (closed) return
      closed = true
      stopDesired()
      // Leaves the cluster first: this node's sessions are recorded closed before they end.
      await cluster.close()
      for (const ws of wss.clients) ws.terminate()
      wss.close()
      const serverClosed = new Promise<void>((resolve) => tls.server.close(() => resolve()))
      await new Promise<void>((resolve) => broker.close(() => resolve()))
      links.close()
      await serverClosed
    },
  }
}

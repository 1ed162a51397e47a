import { randomUUID } from 'node:crypto'
import type { Config } from '../../config/schema.js'
import type { DeviceConnections } from '../../services/device-connections.js'
import type { Services } from '../../services/index.js'
import type { Store } from '../../storage/store.js'
import type { LocalDeviceLinks } from '../device-links.js'
import { ClusterDeviceConnections } from './cluster-device-connections.js'
import type { ClusterLog, ClusterTimings } from './cluster-options.js'
import { ConnectionRegistry } from './connection-registry.js'
import type { DeviceBus } from './device-bus.js'
import { openDeviceBus } from './open-device-bus.js'

export interface DeviceClusterParts {
  store: Store
  config: Pick<Config, 'redisUrl' | 'databaseUrl'>
  services: Pick<Services, 'applicationId' | 'deviceCommands' | 'deviceProperties' | 'deviceTelemetry'>
  /** This node's device sessions (the MQTT endpoint). */
  links: LocalDeviceLinks
  log?: ClusterLog
  /** Heartbeat and polling periods (tests shorten them). */
  timings?: Partial<ClusterTimings>
}

export interface DeviceCluster {
  /** This node's name in the connection table and on the bus. */
  nodeId: string
  bus: DeviceBus
  connections: ClusterDeviceConnections
  /** Leaves the cluster: this node's sessions are recorded closed; commands no longer reach devices. */
  close(): Promise<void>
}

/**
 * Joins this node to the device plane's cluster: opens the bus (Redis, PostgreSQL or none),
 * announces the node, records its sessions, and installs `ClusterDeviceConnections` as the way
 * `services.deviceCommands` reaches devices. Desired-property changes written here go to the
 * node holding the device; telemetry stored here counts as the device's activity.
 */
export async function createDeviceCluster(parts: DeviceClusterParts): Promise<DeviceCluster> {
  const { store, config, services, links, log, timings = {} } = parts
  const nodeId = randomUUID()
  const bus = await openDeviceBus(nodeId, services.applicationId, store, config, log)
  const registry = new ConnectionRegistry(store, nodeId, timings, log)
  try {
    await registry.start()
  } catch (error) {
    await bus.close()
    throw error
  }
  const connections = new ClusterDeviceConnections(nodeId, links, bus, registry, timings, log)
  const stops = [
    services.deviceProperties.onDesiredPropertiesChange((change) => connections.forwardDesired(change)),
    services.deviceTelemetry.onIngested((messages) => {
      for (const message of messages) registry.touch({ deviceId: message.deviceId, module: message.module })
    }),
  ]
  const previous: DeviceConnections = services.deviceCommands.connections
  services.deviceCommands.connections = connections
  return {
    nodeId,
    bus,
    connections,
    async close() {
      if (stops.length === 0) return
      for (const stop of stops.splice(0)) stop()
      if (services.deviceCommands.connections === connections) services.deviceCommands.connections = previous
      connections.close()
      await registry.close()
      await bus.close()
    },
  }
}

import type { Config } from '../../config/schema.js'
import type { Store } from '../../storage/store.js'
import type { ClusterLog } from './cluster-options.js'
import type { DeviceBus } from './device-bus.js'
import { InProcessBus } from './in-process-bus.js'
import { PostgresBus } from './postgres-bus.js'
import { RedisBus } from './redis-bus.js'

/**
 * The bus the configuration calls for: Redis when `redisUrl` is set, else PostgreSQL's
 * LISTEN/NOTIFY when the store is PostgreSQL, else none beyond this process (SQLite: one node).
 */
export async function openDeviceBus(
  nodeId: string,
  applicationId: string,
  store: Store,
  config: Pick<Config, 'redisUrl' | 'databaseUrl'>,
  log?: ClusterLog,
): Promise<DeviceBus> {
  if (config.redisUrl) {
    const bus = new RedisBus(nodeId, applicationId, config.redisUrl, log)
    await bus.start()
    return bus
  }
  if (store.dialect === 'postgres' && config.databaseUrl) {
    const bus = new PostgresBus(nodeId, store, config.databaseUrl)
    await bus.start()
    return bus
  }
  return new InProcessBus(nodeId)
}

import type { Principal } from '../auth/principal.js'
import { systemClock, type Clock } from '../clock.js'
import { deviceConnectionRepository } from '../storage/repositories/device-connection.repository.js'
import type { Store } from '../storage/store.js'
import { deviceFor } from './device-data-access.js'
import type { OrganizationCatalog } from './organization-catalog.js'

/** Whether a device is connected now, to any node, and since when. */
export interface ConnectionStateView {
  connected: boolean
  /** RFC 3339: when the device connected, or disconnected; null if it never connected */
  since: string | null
  /** RFC 3339: when the device was last heard from (connected, sent telemetry); null if never */
  lastActivity: string | null
}

const iso = (ms: number): string => new Date(ms).toISOString()

/** The connection state of devices for API callers, from the sessions every node records. */
export class DeviceConnectionService {
  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationCatalog,
    /** Node liveness is judged between processes: the wall clock, not a test's clock. */
    private readonly clock: Clock = systemClock,
  ) {}

  /** 404 for a device that does not exist or is out of the caller's reach. */
  async get(caller: Principal | null, deviceId: string): Promise<ConnectionStateView> {
    const reach = await this.organizations.reachOf(caller)
    await deviceFor(this.store.db, reach, deviceId, 'devices.read')
    const record = await deviceConnectionRepository.get(this.store.db, { deviceId, module: '' }, this.clock())
    if (!record) return { connected: false, since: null, lastActivity: null }
    return {
      connected: record.nodeId !== null,
      since: iso(record.since),
      lastActivity: iso(record.lastActivity),
    }
  }
}

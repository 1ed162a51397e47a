import { systemClock, type Clock } from '../../clock.js'
import { Periodic } from '../../periodic.js'
import type { ConnectionTarget } from '../../services/device-connections.js'
import {
  deviceConnectionRepository,
  type ConnectionKey,
} from '../../storage/repositories/device-connection.repository.js'
import type { Store } from '../../storage/store.js'
import type { ConnectionEvent } from '../device-links.js'
import { DEFAULT_CLUSTER_TIMINGS, type ClusterLog, type ClusterTimings } from './cluster-options.js'

const keyOf = (target: ConnectionTarget): ConnectionKey => ({ deviceId: target.deviceId, module: target.module ?? '' })
const mapKey = (key: ConnectionKey): string => `${key.module}\u0000${key.deviceId}`

/**
 * This node's part of the shared connection table: it records the sessions it opens and closes
 * (in order, one write at a time), keeps its heartbeat going, and closes the sessions of nodes
 * that stopped beating. Liveness is judged between processes, so it runs on the wall clock.
 */
export class ConnectionRegistry {
  private readonly timings: ClusterTimings
  private writes: Promise<void> = Promise.resolve()
  private readonly activity = new Map<string, ConnectionKey>()
  /** This node's open sessions, to record again if the others took this node for dead. */
  private readonly open = new Map<string, ConnectionKey>()
  private joined = false
  /** Each beat starts a period after the last one ended: a slow store does not pile beats up. */
  private readonly heartbeat: Periodic
  private activityTimer: NodeJS.Timeout | null = null

  constructor(
    private readonly store: Store,
    readonly nodeId: string,
    timings: Partial<ClusterTimings> = {},
    private readonly log?: ClusterLog,
    private readonly clock: Clock = systemClock,
  ) {
    this.timings = { ...DEFAULT_CLUSTER_TIMINGS, ...timings }
    this.heartbeat = new Periodic(
      () =>
        this.beat().catch((error: unknown) =>
          this.log?.error({ err: error }, 'The device-plane heartbeat failed; it is tried again shortly.'),
        ),
      this.timings.heartbeatMs,
      this.timings.heartbeatMs,
    )
  }

  /** Announces this node (its first heartbeat), then beats on a timer. */
  async start(): Promise<void> {
    await this.beat()
    this.heartbeat.start()
    this.activityTimer = setInterval(() => this.queue(() => this.flushActivity()), this.timings.activityFlushMs)
    this.activityTimer.unref()
  }

  /** Records a session of this node opening or closing (after those recorded before it). */
  record(event: ConnectionEvent): Promise<void> {
    const at = this.clock()
    const key = keyOf(event.target)
    if (event.connected) this.open.set(mapKey(key), key)
    else this.open.delete(mapKey(key))
    return this.queue(() =>
      event.connected
        ? deviceConnectionRepository.opened(this.store.db, key, this.nodeId, at)
        : deviceConnectionRepository.closed(this.store.db, key, this.nodeId, at),
    )
  }

  /** Notes that the device or module was heard from; written with the next flush. */
  touch(target: ConnectionTarget): void {
    const key = keyOf(target)
    const name = mapKey(key)
    if (!this.activity.has(name)) this.activity.set(name, key)
  }

  /** The live node holding the device's or module's session, or null. */
  async holder(target: ConnectionTarget): Promise<string | null> {
    const record = await deviceConnectionRepository.get(this.store.db, keyOf(target), this.clock())
    return record?.nodeId ?? null
  }

  /** Stops beating and leaves: this node's sessions are recorded as closed now. */
  async close(): Promise<void> {
    this.heartbeat.stop()
    if (this.activityTimer) clearInterval(this.activityTimer)
    this.activityTimer = null
    await this.queue(() => this.flushActivity())
    await this.queue(() => deviceConnectionRepository.leave(this.store.db, this.nodeId, this.clock()))
  }

  private async beat(): Promise<void> {
    const now = this.clock()
    const known = await deviceConnectionRepository.heartbeat(this.store.db, this.nodeId, now, now + this.timings.livenessMs)
    if (this.joined && !known) {
      // Cut off from the store long enough to be taken for dead: its sessions were closed. They
      // are still open here: record them again.
      this.log?.error({ sessions: this.open.size }, 'This node was taken for dead; its device sessions are recorded again.')
      await this.queue(async () => {
        for (const key of this.open.values()) await deviceConnectionRepository.opened(this.store.db, key, this.nodeId, now)
      })
    }
    this.joined = true
    await deviceConnectionRepository.reapDeadNodes(this.store.db, now)
  }

  private async flushActivity(): Promise<void> {
    if (this.activity.size === 0) return
    const keys = [...this.activity.values()]
    this.activity.clear()
    await deviceConnectionRepository.touch(this.store.db, keys, this.clock())
  }

  /** Runs writes one after another; a failed write is logged and does not stop the next. */
  private queue(write: () => Promise<void>): Promise<void> {
    const next = this.writes.then(write).catch((error: unknown) => {
      this.log?.error({ err: error }, 'Recording a device connection failed.')
    })
    this.writes = next
    return next
  }
}

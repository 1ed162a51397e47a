/** The device plane's periods, in ms: tests shorten them. */
export interface ClusterTimings {
  /** How often this node proves it is alive (and reaps dead nodes). */
  heartbeatMs: number
  /** How long after its last heartbeat a node counts as dead. */
  livenessMs: number
  /** How often "last heard from" times are written (they are gathered in between). */
  activityFlushMs: number
  /** How often a call waiting for its device looks in the store again (a missed bus message). */
  pollMs: number
  /** How much longer than responseTimeout a call waits for another node's answer (that node died). */
  forwardGraceMs: number
  /** How long a device that just connected is given to subscribe to its methods before a call. */
  settleMs: number
}

export const DEFAULT_CLUSTER_TIMINGS: ClusterTimings = {
  heartbeatMs: 5000,
  livenessMs: 20_000,
  activityFlushMs: 2000,
  pollMs: 1000,
  forwardGraceMs: 5000,
  settleMs: 200,
}

/** Where the cluster's parts report what went wrong. */
export interface ClusterLog {
  warn(object: unknown, message: string): void
  error(object: unknown, message: string): void
}

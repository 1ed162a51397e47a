/** What a change concerns; caches listen for the topics they hold. */
export type ChangeTopic = 'apiToken' | 'user' | 'role' | 'organization' | 'idpKeys' | 'device'

/** `topic` null means "anything may have changed": drop every cached entry. */
export type ChangeListener = (topic: ChangeTopic | null, id: string | null) => void

/**
 * Tells every node (and every process sharing an SQLite file) that credentials, roles or
 * organizations changed, so that in-memory caches never outlive a revocation.
 */
export interface ChangeFeed {
  /**
   * Called before a cache is trusted. Returns false while changes made elsewhere could be missed
   * (e.g. the PostgreSQL listener is disconnected): callers must then bypass their cache.
   */
  sync(): boolean
  /**
   * How late a change made elsewhere is heard here, in ms, where the feed can tell (PostgreSQL:
   * its heartbeat's round trip); null while it cannot (disconnected). Absent: no other nodes.
   */
  lagMs?(): number | null
  /** Announces a committed change, here at once and to the other nodes. */
  publish(topic: ChangeTopic, id: string): Promise<void>
  subscribe(listener: ChangeListener): void
  close(): Promise<void>
}

/** Fan-out to local listeners, shared by both engines' feeds. */
export class ChangeListeners {
  private readonly listeners: ChangeListener[] = []

  add(listener: ChangeListener): void {
    this.listeners.push(listener)
  }

  emit(topic: ChangeTopic | null, id: string | null): void {
    for (const listener of this.listeners) listener(topic, id)
  }
}

const TOPICS: ReadonlySet<string> = new Set<ChangeTopic>([
  'apiToken',
  'user',
  'role',
  'organization',
  'idpKeys',
  // A device deleted, disabled or given new credentials: its sessions end (id `*`: every device
  // whose credential comes from an enrollment group).
  'device',
])

/** The `device` change id that stands for every device whose credential comes from an enrollment group. */
export const GROUP_DEVICES = '*'

export function encodeChange(topic: ChangeTopic, id: string): string {
  return `${topic}:${id}`
}

/** Anything unreadable is treated as "everything changed": the safe reading. */
export function decodeChange(payload: string): { topic: ChangeTopic | null; id: string | null } {
  const at = payload.indexOf(':')
  const topic = payload.slice(0, at)
  if (at < 0 || !TOPICS.has(topic)) return { topic: null, id: null }
  return { topic: topic as ChangeTopic, id: payload.slice(at + 1) }
}

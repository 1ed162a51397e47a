import type { Executor } from './executor.js'

/** A device's or module's connection as the store knows it (`module` `''` for the device). */
export interface ConnectionRecord {
  /** null: closed, or held by a node that is dead */
  nodeId: string | null
  /** epoch ms the current state began (a dead node's sessions: its last heartbeat) */
  since: number
  lastActivity: number
}

export interface ConnectionKey {
  deviceId: string
  module: string
}

/** Which node holds each device session, and which nodes are alive (their heartbeats). */
export const deviceConnectionRepository = {
  /**
   * The node's heartbeat; answers whether the node was still in the table. One statement decides
   * it, so a node removed by another node's reaping between two of its queries cannot be taken
   * for known and miss that its sessions were closed.
   */
  async heartbeat(db: Executor, nodeId: string, now: number, expiresAt: number): Promise<boolean> {
    const updated = await db
      .updateTable('device_plane_nodes')
      .set({ heartbeat_at: now, expires_at: expiresAt })
      .where('node_id', '=', nodeId)
      .executeTakeFirst()
    if (Number(updated.numUpdatedRows) > 0) return true
    await db
      .insertInto('device_plane_nodes')
      .values({ node_id: nodeId, started_at: now, heartbeat_at: now, expires_at: expiresAt })
      .onConflict((oc) => oc.column('node_id').doUpdateSet({ heartbeat_at: now, expires_at: expiresAt }))
      .execute()
    return false
  },

  /** The connection of one device or module, with the holder's liveness applied at `now`. */
  async get(db: Executor, key: ConnectionKey, now: number): Promise<ConnectionRecord | undefined> {
    const row = await db
      .selectFrom('device_connections as c')
      .leftJoin('device_plane_nodes as n', 'n.node_id', 'c.node_id')
      .select(['c.node_id', 'c.since', 'c.last_activity', 'n.heartbeat_at', 'n.expires_at'])
      .where('c.device_id', '=', key.deviceId)
      .where('c.module', '=', key.module)
      .executeTakeFirst()
    if (!row) return undefined
    const alive = row.node_id !== null && row.expires_at !== null && Number(row.expires_at) > now
    if (alive || row.node_id === null) {
      return { nodeId: row.node_id, since: Number(row.since), lastActivity: Number(row.last_activity) }
    }
    // Held by a node that died: closed since the node was last heard from.
    const since = row.heartbeat_at === null ? Number(row.since) : Math.max(Number(row.since), Number(row.heartbeat_at))
    return { nodeId: null, since, lastActivity: Number(row.last_activity) }
  },

  /** The session opened on `nodeId` (it replaces any other node's claim). */
  async opened(db: Executor, key: ConnectionKey, nodeId: string, at: number): Promise<void> {
    await db
      .insertInto('device_connections')
      .values({ device_id: key.deviceId, module: key.module, node_id: nodeId, since: at, last_activity: at })
      .onConflict((oc) =>
        oc.columns(['device_id', 'module']).doUpdateSet({ node_id: nodeId, since: at, last_activity: at }),
      )
      .execute()
  },

  /** The session on `nodeId` closed; a session opened since on another node is left alone. */
  async closed(db: Executor, key: ConnectionKey, nodeId: string, at: number): Promise<void> {
    await db
      .updateTable('device_connections')
      .set({ node_id: null, since: at, last_activity: at })
      .where('device_id', '=', key.deviceId)
      .where('module', '=', key.module)
      .where('node_id', '=', nodeId)
      .execute()
  },

  /** Records that these devices or modules were heard from at `at`. */
  async touch(db: Executor, keys: readonly ConnectionKey[], at: number): Promise<void> {
    const byModule = new Map<string, string[]>()
    for (const key of keys) {
      const ids = byModule.get(key.module)
      if (ids) ids.push(key.deviceId)
      else byModule.set(key.module, [key.deviceId])
    }
    for (const [module, ids] of byModule) {
      for (let i = 0; i < ids.length; i += 500) {
        await db
          .updateTable('device_connections')
          .set({ last_activity: at })
          .where('module', '=', module)
          .where('device_id', 'in', ids.slice(i, i + 500))
          .where('last_activity', '<', at)
          .execute()
      }
    }
  },

  /**
   * Closes the sessions of nodes dead at `now` (since their last heartbeat) and forgets those
   * nodes; answers how many nodes were reaped. Any live node may run it; it is idempotent.
   */
  async reapDeadNodes(db: Executor, now: number): Promise<number> {
    const dead = await db
      .selectFrom('device_plane_nodes')
      .select(['node_id', 'heartbeat_at'])
      .where('expires_at', '<=', now)
      .execute()
    for (const node of dead) {
      // Closed as of the node's last heartbeat, or as of its opening for a session opened after it.
      const lastHeard = Number(node.heartbeat_at)
      await db
        .updateTable('device_connections')
        .set({ since: lastHeard })
        .where('node_id', '=', node.node_id)
        .where('since', '<', lastHeard)
        .execute()
      await db.updateTable('device_connections').set({ node_id: null }).where('node_id', '=', node.node_id).execute()
      await db.deleteFrom('device_plane_nodes').where('node_id', '=', node.node_id).execute()
    }
    return dead.length
  },

  /** This node stops: its sessions are closed now and it is forgotten. */
  async leave(db: Executor, nodeId: string, at: number): Promise<void> {
    await db.updateTable('device_connections').set({ node_id: null, since: at }).where('node_id', '=', nodeId).execute()
    await db.deleteFrom('device_plane_nodes').where('node_id', '=', nodeId).execute()
  },
}

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createApp, type OpenCentralApp } from '../../src/app.js'
import { ROLE_IDS } from '../../src/authz/builtin-roles.js'
import { loadConfig } from '../../src/config/load.js'
import type { Config } from '../../src/config/schema.js'
import { createDeviceCluster, type DeviceCluster } from '../../src/device-plane/cluster/device-cluster.js'
import type { Dialect } from '../../src/storage/store.js'
import { createTestDatabase } from './dialects.js'
import { InProcessDeviceLinks } from './local-links.js'
import { API_VERSION } from './server.js'

/** Short heartbeats and polls, so that liveness and waiting are seen within a test. */
export const FAST_TIMINGS = { heartbeatMs: 250, livenessMs: 3000, activityFlushMs: 100, pollMs: 200, forwardGraceMs: 2000 }

export interface DeviceNode {
  app: OpenCentralApp
  url: string
  links: InProcessDeviceLinks
  cluster: DeviceCluster
  request(method: string, pathname: string, body?: unknown, auth?: string | null): Promise<{ status: number; body: any; text: string }>
}

export interface DeviceNodes {
  nodes: DeviceNode[]
  /** The settings every node runs with (for a node started elsewhere, e.g. a child process). */
  config: Config
  token: string
  close(): Promise<void>
}

/**
 * `count` real servers over one store (one PostgreSQL database, or one SQLite file), each with
 * its device cluster on sessions held in process (`links`), and an administrator token.
 */
export async function startDeviceNodes(
  dialect: Dialect,
  count: number,
  overrides: Partial<Config> = {},
  /** `mqtt`: keep each node's own cluster on its MQTT endpoint (devices connect with the SDK). */
  sessions: 'in-process' | 'mqtt' = 'in-process',
): Promise<DeviceNodes> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-device-nodes-'))
  const database = dialect === 'postgres' ? await createTestDatabase() : null
  const config = loadConfig({
    overrides: {
      dataDir,
      logLevel: 'silent',
      embeddedIdp: false,
      mqttPort: 0,
      ...(database ? { databaseUrl: database.url } : {}),
      ...overrides,
    },
  })
  const nodes: DeviceNode[] = []
  let token = ''
  const close = async () => {
    for (const node of nodes) {
      await node.cluster.close()
      await node.app.close()
    }
    await database?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    for (let i = 0; i < count; i++) {
      const app = await createApp(config)
      const url = await app.app.listen({ port: 0, host: '127.0.0.1' })
      const links = new InProcessDeviceLinks()
      let cluster = app.devicePlane.cluster
      if (sessions === 'in-process') {
        // The node's cluster runs on sessions held in process instead of the MQTT endpoint's.
        await app.devicePlane.cluster.close()
        // As the MQTT endpoint does: changes written on this node go to this node's sessions.
        app.services.deviceProperties.onDesiredPropertiesChange((change) =>
          links.pushDesired({ deviceId: change.deviceId, module: change.module }, change.patch, change.version),
        )
        cluster = await createDeviceCluster({
          store: app.store,
          config,
          services: app.services,
          links,
          timings: FAST_TIMINGS,
        })
      }
      if (i === 0) {
        token = (await app.services.apiTokens.create(null, 'nodes-admin', { roles: [{ role: ROLE_IDS.administrator }] }))
          .token
      }
      nodes.push({
        app,
        url,
        links,
        cluster,
        async request(method, pathname, body, auth) {
          const target = new URL(pathname, url)
          if (!target.searchParams.has('api-version')) target.searchParams.set('api-version', API_VERSION)
          const headers: Record<string, string> = {}
          if (auth !== null) headers.authorization = auth ?? token
          if (body !== undefined) headers['content-type'] = 'application/json'
          const response = await fetch(target, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
          const text = await response.text()
          return { status: response.status, body: text ? JSON.parse(text) : undefined, text }
        },
      })
    }
  } catch (error) {
    await close()
    throw error
  }
  return { nodes, config, token, close }
}

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createApp, type OpenCentralApp } from '../../src/app.js'
import { loadConfig } from '../../src/config/load.js'
import type { Config } from '../../src/config/schema.js'

export interface Cluster {
  nodes: OpenCentralApp[]
  urls: string[]
  close(): Promise<void>
}

/**
 * Several real servers over one store, as in a cluster on PostgreSQL (`databaseUrl`) or several
 * processes on one SQLite file (no `databaseUrl`), started one after the other.
 */
export async function startNodes(
  count: number,
  options: { databaseUrl?: string; config?: Partial<Config> } = {},
): Promise<Cluster> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-nodes-'))
  const config = loadConfig({
    overrides: {
      dataDir,
      logLevel: 'silent',
      mqttPort: 0,
      // These tests refuse credentials on purpose, many times, from one address.
      authFailureLimit: 0,
      embeddedIdp: false,
      ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
      ...options.config,
    },
  })
  const nodes: OpenCentralApp[] = []
  for (let i = 0; i < count; i++) nodes.push(await createApp(config))
  const urls: string[] = []
  for (const node of nodes) urls.push(await node.app.listen({ port: 0, host: '127.0.0.1' }))
  return {
    nodes,
    urls,
    async close() {
      for (const node of nodes) await node.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

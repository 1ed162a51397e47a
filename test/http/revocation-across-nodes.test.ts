import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createApp, type OpenCentralApp } from '../../src/app.js'
import { ROLE_IDS } from '../../src/authz/builtin-roles.js'
import { loadConfig } from '../../src/config/load.js'
import { createTestDatabase, DIALECTS } from '../helpers/dialects.js'

/** Two servers over one store, as in a cluster (PostgreSQL) or two processes on one file (SQLite). */
async function twoNodes(dialect: string) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-nodes-'))
  const database = dialect === 'postgres' ? await createTestDatabase() : null
  const config = loadConfig({
    overrides: {
      dataDir,
      mqttPort: 0,
      logLevel: 'silent',
      embeddedIdp: false,
      ...(database ? { databaseUrl: database.url } : {}),
    },
  })
  const nodes: OpenCentralApp[] = []
  const urls: string[] = []
  for (let i = 0; i < 2; i++) {
    const node = await createApp(config)
    nodes.push(node)
    urls.push(await node.app.listen({ port: 0, host: '127.0.0.1' }))
  }
  return {
    nodes,
    urls,
    async close() {
      for (const node of nodes) await node.close()
      await database?.drop()
    },
  }
}

const get = async (url: string, authorization: string) =>
  (await fetch(`${url}/api/devices?api-version=2022-07-31`, { headers: { authorization } })).status

for (const dialect of DIALECTS) {
  describe(`revocation reaches every node at once (${dialect})`, () => {
    let cluster: Awaited<ReturnType<typeof twoNodes>>
    before(async () => {
      cluster = await twoNodes(dialect)
    })
    after(async () => cluster?.close())

    it('a token deleted on one node is refused by the other on its next request', async () => {
      const [a] = cluster.nodes as [OpenCentralApp, OpenCentralApp]
      const [urlA, urlB] = cluster.urls as [string, string]
      await a.services.apiTokens.create(null, 'keeper', { roles: [{ role: ROLE_IDS.administrator }] })
      const doomed = await a.services.apiTokens.create(null, 'doomed', { roles: [{ role: ROLE_IDS.operator }] })
      // Both nodes have verified (and cached) it.
      assert.equal(await get(urlA, doomed.token), 200)
      assert.equal(await get(urlB, doomed.token), 200)
      assert.equal(await get(urlB, doomed.token), 200)
      await a.services.apiTokens.delete(null, 'doomed')
      // PostgreSQL delivers the notification asynchronously; allow it the time a network hop takes.
      let status = await get(urlB, doomed.token)
      for (let i = 0; i < 20 && status === 200; i++) {
        await new Promise((r) => setTimeout(r, 10))
        status = await get(urlB, doomed.token)
      }
      assert.equal(status, 401)
      assert.equal(await get(urlA, doomed.token), 401)
    })

    it('a custom role changed on one node applies to its holders on the other at once', async () => {
      const [a] = cluster.nodes as [OpenCentralApp, OpenCentralApp]
      const [, urlB] = cluster.urls as [string, string]
      await a.services.customRoles.put(null, 'device-readers', {
        displayName: 'Device readers',
        type: 'application',
        permissions: ['devices.read'],
      })
      const holder = await a.services.apiTokens.create(null, 'reader', {
        roles: [{ role: 'device-readers' }],
      })
      assert.equal(await get(urlB, holder.token), 200)
      await a.services.customRoles.patch(null, 'device-readers', { permissions: ['deviceTemplates.read'] })
      let status = await get(urlB, holder.token)
      for (let i = 0; i < 20 && status === 200; i++) {
        await new Promise((r) => setTimeout(r, 10))
        status = await get(urlB, holder.token)
      }
      assert.equal(status, 403)
    })
  })
}

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { runFixture, killHard } from '../helpers/child.js'
import { DIALECTS } from '../helpers/dialects.js'
import { TEMPLATE, TEMPLATE_ID } from '../helpers/device-data.js'
import { startDeviceNodes, type DeviceNode, type DeviceNodes } from '../helpers/device-nodes.js'
import { eventually } from '../helpers/local-links.js'

for (const dialect of DIALECTS) {
  describe(`a node killed with its device sessions (${dialect})`, () => {
    let nodes: DeviceNodes
    let a: DeviceNode
    let child: ReturnType<typeof runFixture> | undefined

    before(async () => {
      nodes = await startDeviceNodes(dialect, 1)
      a = nodes.nodes[0] as DeviceNode
      assert.equal((await a.request('PUT', `/api/deviceTemplates/${TEMPLATE_ID}`, TEMPLATE)).status, 200)
      assert.equal((await a.request('PUT', '/api/devices/orphan', { template: TEMPLATE_ID })).status, 200)
    })
    after(async () => {
      if (child) await killHard(child)
      await nodes?.close()
    })

    it('is seen connected, then its sessions end once its heartbeat stops', { timeout: 240_000 }, async () => {
      const { dataDir, databaseUrl } = nodes.config
      child = runFixture('device-node.ts', [
        JSON.stringify({ dataDir, logLevel: 'silent', embeddedIdp: false, mqttPort: 0, ...(databaseUrl ? { databaseUrl } : {}) }),
        'orphan',
      ])
      await eventually(() => child?.output().includes('ready') === true, 120_000, 'the child node').catch((error) => {
        throw new Error(`${String(error)}: ${child?.errors()}`)
      })
      const before = (await a.request('GET', '/api/devices/orphan/connection')).body
      assert.equal(before.connected, true)
      if (dialect === 'postgres') {
        // The other node reaches the device through the bus.
        const run = await a.request('POST', '/api/devices/orphan/commands/reboot', {})
        assert.equal(run.status, 201, run.text)
        assert.equal(run.body.response, 'reboot in the child')
      }
      const killedAt = Date.now()
      await killHard(child)
      await eventually(
        async () => (await a.request('GET', '/api/devices/orphan/connection')).body?.connected === false,
        30_000,
        'the session to end',
      )
      const afterKill = (await a.request('GET', '/api/devices/orphan/connection')).body
      // Closed as of the dead node's last heartbeat, not as of when it was noticed.
      assert.ok(Date.parse(afterKill.since) <= killedAt, `${afterKill.since} after ${new Date(killedAt).toISOString()}`)
      assert.ok(Date.parse(afterKill.since) >= Date.parse(before.since))
      const run = await a.request('POST', '/api/devices/orphan/commands/reboot', {})
      assert.equal(run.status, 404, run.text)
      // The surviving node forgets the dead one.
      await eventually(async () => {
        const rows = await a.app.store.db.selectFrom('device_plane_nodes').select('node_id').execute()
        return rows.length === 1 && rows[0]?.node_id === a.cluster.nodeId
      }, 30_000, 'the dead node to be reaped')
    })
  })
}

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import { startDeviceNodes, type DeviceNode, type DeviceNodes } from '../helpers/device-nodes.js'
import { eventually } from '../helpers/local-links.js'
import { seedDevices, seedGroup, seedTemplates, THERMOSTAT } from '../jobs/fixtures.js'

const device = (deviceId: string) => ({ deviceId, module: null })

for (const dialect of DIALECTS) {
  // On PostgreSQL the devices are connected to the other node: jobs reach them through the bus.
  const count = dialect === 'postgres' ? 2 : 1
  describe(`property and command jobs act on devices (${dialect}, ${count} node${count > 1 ? 's' : ''})`, () => {
    let nodes: DeviceNodes
    let a: DeviceNode
    let holder: DeviceNode

    before(async () => {
      nodes = await startDeviceNodes(dialect, count)
      a = nodes.nodes[0] as DeviceNode
      holder = nodes.nodes[count - 1] as DeviceNode
      await seedTemplates(a.app)
      await seedDevices(a.app, 'prop', 2)
      await seedDevices(a.app, 'cmd', 3)
      await seedGroup(a.app, 'props', 'prop-')
      await seedGroup(a.app, 'cmds', 'cmd-')
    })
    after(async () => nodes?.close())

    /** Runs the job to its end and answers each device's status and reason. */
    const run = async (id: string, body: unknown) => {
      const created = await a.request('PUT', `/api/jobs/${id}`, body)
      assert.equal(created.status, 200, created.text)
      await eventually(async () => (await a.request('GET', `/api/jobs/${id}`)).body?.status === 'complete', 60_000, `job ${id}`)
      const rows = await a.app.store.db
        .selectFrom('job_devices')
        .select(['device_id', 'status', 'reason'])
        .where('job_id', '=', id)
        .orderBy('device_id')
        .execute()
      return Object.fromEntries(rows.map((row) => [row.device_id, { status: row.status, reason: row.reason }]))
    }

    it('writes desired properties: pushed to a connected device, kept for one offline; both complete', async () => {
      holder.links.connect(device('prop-001'), () => ({ status: 200, payload: null }))
      await eventually(async () => (await a.request('GET', '/api/devices/prop-001/connection')).body?.connected === true)
      const outcome = await run('set-target', {
        group: 'props',
        data: [
          { type: 'property', target: THERMOSTAT, path: 'target', value: 21.5 },
          { type: 'property', target: THERMOSTAT, path: 'settings.fan', value: 3 },
        ],
      })
      assert.deepEqual(outcome, {
        'prop-001': { status: 'completed', reason: null },
        'prop-002': { status: 'completed', reason: null },
      })
      await eventually(() => holder.links.pushed.length > 0, 10_000, 'the push')
      assert.deepEqual(holder.links.pushed.map((p) => [p.target.deviceId, p.patch]), [
        ['prop-001', { target: 21.5, settings: { __t: 'c', fan: 3 } }],
      ])
      // The offline device finds the values asked of it when it connects (its desired document).
      const desired = await a.app.services.deviceProperties.desiredDocument('prop-002', null)
      assert.equal(desired.desired.target, 21.5)
      assert.deepEqual(desired.desired.settings, { __t: 'c', fan: 3 })
    })

    it('runs commands: an answer in 2xx completes, another status or an offline device fails', async () => {
      holder.links.connect(device('cmd-001'), (method, payload) => ({ status: 200, payload: { method, payload } }))
      holder.links.connect(device('cmd-002'), () => ({ status: 500, payload: { error: 'overheated' } }))
      await eventually(async () => (await a.request('GET', '/api/devices/cmd-002/connection')).body?.connected === true)
      const outcome = await run('reboot-all', { group: 'cmds', data: [{ type: 'command', target: THERMOSTAT, path: 'reboot' }] })
      assert.deepEqual(outcome['cmd-001'], { status: 'completed', reason: null })
      assert.equal(outcome['cmd-002']?.status, 'failed')
      assert.match(outcome['cmd-002']?.reason ?? '', /answered the command 'reboot' with 500/)
      assert.equal(outcome['cmd-003']?.status, 'failed')
      assert.match(outcome['cmd-003']?.reason ?? '', /not connected.*DeviceNotOnline/)
      // Each run is in the command's history, as if run by hand.
      const history = await a.request('GET', '/api/devices/cmd-001/commands/reboot')
      assert.equal(history.status, 200, history.text)
      assert.equal(history.body.value.length, 1)
      assert.equal(history.body.value[0].responseCode, 200)
    })
  })
}

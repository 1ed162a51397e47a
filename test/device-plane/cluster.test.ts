import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DIALECTS } from '../helpers/dialects.js'
import { TEMPLATE, TEMPLATE_ID } from '../helpers/device-data.js'
import { startDeviceNodes, type DeviceNode, type DeviceNodes } from '../helpers/device-nodes.js'
import { eventually } from '../helpers/local-links.js'
import { REDIS_URL } from '../helpers/redis.js'

const device = (deviceId: string) => ({ deviceId, module: null })

async function seed(node: DeviceNode, ...ids: string[]): Promise<void> {
  assert.equal((await node.request('PUT', `/api/deviceTemplates/${TEMPLATE_ID}`, TEMPLATE)).status, 200)
  for (const id of ids) {
    const response = await node.request('PUT', `/api/devices/${id}`, { template: TEMPLATE_ID })
    assert.equal(response.status, 200, response.text)
  }
}

const echo = (method: string, payload: unknown) => ({ status: 200, payload: { method, echo: payload } })

/** What every multi-node setup must do, whatever carries the messages between nodes. */
function clusterBehaviour(label: string, start: () => Promise<DeviceNodes>) {
  describe(label, () => {
    let nodes: DeviceNodes
    let a: DeviceNode
    let b: DeviceNode

    before(async () => {
      nodes = await start()
      ;[a, b] = nodes.nodes as [DeviceNode, DeviceNode]
      await seed(a, 'on-b', 'late', 'away', 'mover', 'big', 'twin')
    })
    after(async () => nodes?.close())

    it('runs a command sent to node A on the device connected to node B, and returns its answer', async () => {
      b.links.connect(device('on-b'), echo)
      await eventually(async () => (await a.request('GET', '/api/devices/on-b/connection')).body?.connected === true)
      const response = await a.request('POST', '/api/devices/on-b/commands/reboot', { request: 7 })
      assert.equal(response.status, 201, response.text)
      assert.deepEqual(response.body.response, { method: 'reboot', echo: 7 })
      assert.equal(response.body.responseCode, 200)
      assert.deepEqual(b.links.calls.map((c) => c.method), ['reboot'])
      assert.equal(a.links.calls.length, 0)
      // A component command travels as IoT Central names it.
      const component = await a.request('POST', '/api/devices/on-b/components/settings/commands/coolDown', { request: 1.5 })
      assert.equal(component.status, 201, component.text)
      assert.deepEqual(component.body.response, { method: 'settings*coolDown', echo: 1.5 })
    })

    it('waits up to connectionTimeout for the device to connect to another node', async () => {
      const call = a.request('POST', '/api/devices/late/commands/reboot', { connectionTimeout: 10, request: 1 })
      await new Promise((resolve) => setTimeout(resolve, 300))
      b.links.connect(device('late'), echo)
      const response = await call
      assert.equal(response.status, 201, response.text)
      assert.deepEqual(response.body.response, { method: 'reboot', echo: 1 })
    })

    it('answers 404 DeviceNotOnline when the device connects nowhere within connectionTimeout', async () => {
      const started = Date.now()
      const response = await a.request('POST', '/api/devices/away/commands/reboot', { connectionTimeout: 1 })
      assert.equal(response.status, 404, response.text)
      assert.match(response.body.error.message, /DeviceNotOnline/)
      assert.ok(Date.now() - started >= 1000)
    })

    it('follows a device that reconnects to another node', async () => {
      b.links.connect(device('mover'), () => ({ status: 200, payload: 'from B' }))
      await eventually(async () => (await a.request('POST', '/api/devices/mover/commands/reboot', {})).body?.response === 'from B')
      b.links.close(device('mover'))
      a.links.connect(device('mover'), () => ({ status: 200, payload: 'from A' }))
      const response = await b.request('POST', '/api/devices/mover/commands/reboot', { connectionTimeout: 5 })
      assert.equal(response.status, 201, response.text)
      assert.equal(response.body.response, 'from A')
    })

    it("carries a module's requests and answers larger than one bus message", async () => {
      b.links.connect({ deviceId: 'big', module: 'module_env' }, (method, payload) => ({ status: 200, payload: { method, back: payload } }))
      const request = { text: 'é€😀'.repeat(5000), filler: 'x'.repeat(20_000) }
      const response = await a.request('POST', '/api/devices/big/modules/module_env/commands/restart', {
        connectionTimeout: 5,
        request,
      })
      assert.equal(response.status, 201, response.text)
      assert.equal(response.body.response.method, 'restart')
      assert.deepEqual(response.body.response.back, request)
    })

    it('pushes desired properties written on node A to the session on node B', async () => {
      b.links.connect(device('twin'), echo)
      await eventually(async () => (await a.request('GET', '/api/devices/twin/connection')).body?.connected === true)
      const response = await a.request('PATCH', '/api/devices/twin/properties', { fanSpeed: 42, settings: { voltage: 3.3 } })
      assert.equal(response.status, 202, response.text)
      await eventually(() => b.links.pushed.some((p) => p.target.deviceId === 'twin'), 5000, 'the push on B')
      const push = b.links.pushed.find((p) => p.target.deviceId === 'twin')
      assert.equal(push?.patch.fanSpeed, 42)
      assert.deepEqual(push?.patch.settings, { __t: 'c', voltage: 3.3 })
      assert.equal(push?.version, response.body.fanSpeed?.$metadata?.desiredVersion ?? push?.version)
      assert.equal(a.links.pushed.length, 0)
    })

    it('shows the connection state on every node, and its end', async () => {
      for (const node of [a, b]) {
        const state = (await node.request('GET', '/api/devices/twin/connection')).body
        assert.equal(state.connected, true)
        assert.ok(Date.parse(state.since) > 0 && Date.parse(state.lastActivity) >= Date.parse(state.since))
      }
      b.links.close(device('twin'))
      for (const node of [a, b]) {
        await eventually(async () => (await node.request('GET', '/api/devices/twin/connection')).body?.connected === false)
      }
    })
  })
}

for (const dialect of DIALECTS) {
  if (dialect === 'postgres') {
    clusterBehaviour('two nodes on one PostgreSQL database (LISTEN/NOTIFY)', () => startDeviceNodes('postgres', 2))
  }
  clusterBehaviour(`two nodes over Redis pub/sub (${dialect})`, () => startDeviceNodes(dialect, 2, { redisUrl: REDIS_URL }))
}

describe('one node on SQLite (no bus)', () => {
  let nodes: DeviceNodes
  before(async () => {
    nodes = await startDeviceNodes('sqlite', 1)
    await seed(nodes.nodes[0] as DeviceNode, 'solo')
  })
  after(async () => nodes?.close())

  it('runs commands on its own sessions and tells its bus kind', async () => {
    const node = nodes.nodes[0] as DeviceNode
    assert.equal(node.cluster.bus.kind, 'in-process')
    node.links.connect(device('solo'), echo)
    const response = await node.request('POST', '/api/devices/solo/commands/reboot', { request: 3 })
    assert.equal(response.status, 201, response.text)
    assert.deepEqual(response.body.response, { method: 'reboot', echo: 3 })
    node.links.close(device('solo'))
    assert.equal((await node.request('POST', '/api/devices/solo/commands/reboot', {})).status, 404)
  })
})

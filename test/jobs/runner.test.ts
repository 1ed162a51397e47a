import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { createApp, type OpenCentralApp } from '../../src/app.js'
import { loadConfig } from '../../src/config/load.js'
import type { DeviceOutcome } from '../../src/jobs/job-device-actions.js'
import { createTestDatabase, DIALECTS } from '../helpers/dialects.js'
import { TestClock } from '../helpers/server.js'
import { propertyJob, RecordingActions, seedDevices, seedGroup, seedTemplates } from './fixtures.js'

/** Nodes over one store (a PostgreSQL database or an SQLite file), sharing a hand-moved clock. */
async function cluster(dialect: string) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-jobs-'))
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
  const clock = new TestClock()
  const open: OpenCentralApp[] = []
  return {
    clock,
    /** A node whose runner is driven by hand. */
    async node(): Promise<OpenCentralApp> {
      const node = await createApp(config, { clock: clock.read })
      await node.services.jobs.runner.stop()
      open.push(node)
      return node
    },
    async close() {
      for (const node of open.splice(0)) await node.close().catch(() => undefined)
      await database?.drop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

async function progressOf(node: OpenCentralApp, id: string) {
  return (await node.services.jobs.get(null, id)).progress
}

for (const dialect of DIALECTS) {
  describe(`job runner (${dialect})`, () => {
    const clusters: Awaited<ReturnType<typeof cluster>>[] = []
    after(async () => {
      for (const c of clusters) await c.close()
    })

    it('finishes a job after a restart, without doing a device twice', async () => {
      const c = await cluster(dialect)
      clusters.push(c)
      const first = await c.node()
      await seedTemplates(first)
      await seedDevices(first, 'r', 5)
      await seedGroup(first, 'group-r', 'r')
      const before = new RecordingActions()
      first.services.jobs.useDeviceActions(before)
      await first.services.jobs.create(null, 'survivor', propertyJob('group-r', { batch: { type: 'number', value: 2 } }))
      await first.services.jobs.runner.runOnce()
      assert.deepEqual(await progressOf(first, 'survivor'), { total: 5, pending: 3, completed: 2, failed: 0 })
      await first.close()

      const second = await c.node()
      const afterRestart = new RecordingActions()
      second.services.jobs.useDeviceActions(afterRestart)
      await second.services.jobs.runner.runUntilIdle()
      const job = await second.services.jobs.get(null, 'survivor')
      assert.equal(job.status, 'complete')
      assert.deepEqual(job.progress, { total: 5, pending: 0, completed: 5, failed: 0 })
      assert.deepEqual(before.of('survivor'), ['r-001', 'r-002'])
      assert.deepEqual(afterRestart.of('survivor'), ['r-003', 'r-004', 'r-005'])
    })

    it('two nodes carry out jobs over many devices, each device exactly once', async () => {
      const c = await cluster(dialect)
      clusters.push(c)
      const a = await c.node()
      const b = await c.node()
      await seedTemplates(a)
      await seedDevices(a, 'm', 60)
      await seedGroup(a, 'group-m', 'm')
      const actionsA = new RecordingActions()
      const actionsB = new RecordingActions()
      a.services.jobs.useDeviceActions(actionsA)
      b.services.jobs.useDeviceActions(actionsB)
      await a.services.jobs.create(null, 'many', propertyJob('group-m', { batch: { type: 'number', value: 4 } }))
      await b.services.jobs.create(null, 'many-too', propertyJob('group-m', { batch: { type: 'percentage', value: 10 } }))
      const loop = async (node: OpenCentralApp) => {
        for (let i = 0; i < 200; i++) {
          const [one, two] = await Promise.all([node.services.jobs.get(null, 'many'), node.services.jobs.get(null, 'many-too')])
          if (one.status === 'complete' && two.status === 'complete') return
          await node.services.jobs.runner.runOnce()
        }
      }
      if (dialect === 'postgres') await Promise.all([loop(a), loop(b)])
      else {
        // Two SQLite connections in one process cannot write concurrently (the file lock is waited
        // for synchronously, blocking the other node's event loop): here the nodes take turns.
        for (let i = 0; i < 100; i++) {
          await a.services.jobs.runner.runOnce()
          await b.services.jobs.runner.runOnce()
        }
      }
      for (const id of ['many', 'many-too']) {
        const done = [...actionsA.of(id), ...actionsB.of(id)].sort()
        assert.equal(done.length, 60, `${id}: ${done.length} device runs`)
        assert.equal(new Set(done).size, 60)
        assert.deepEqual(await progressOf(a, id), { total: 60, pending: 0, completed: 60, failed: 0 })
      }
    })

    it("a node that stops mid-batch leaves its lease to expire, and another finishes the batch", async () => {
      const c = await cluster(dialect)
      clusters.push(c)
      const a = await c.node()
      const b = await c.node()
      await seedTemplates(a)
      await seedDevices(a, 't', 6)
      await seedGroup(a, 'group-t', 't')
      let hung!: () => void
      const reachedHang = new Promise<void>((resolve) => {
        hung = resolve
      })
      let release!: (outcome: DeviceOutcome) => void
      const hang = new Promise<DeviceOutcome>((resolve) => {
        release = resolve
      })
      const actionsA = new RecordingActions((context) => {
        if (context.device.id !== 't-003') return { status: 'completed' }
        hung()
        return hang
      })
      const actionsB = new RecordingActions()
      a.services.jobs.useDeviceActions(actionsA)
      b.services.jobs.useDeviceActions(actionsB)
      await a.services.jobs.create(null, 'takeover', propertyJob('group-t'))
      const passA = a.services.jobs.runner.runOnce()
      await reachedHang
      assert.deepEqual(await progressOf(b, 'takeover'), { total: 6, pending: 4, completed: 2, failed: 0 })
      // A still holds the lease: B leaves the job alone.
      await b.services.jobs.runner.runOnce()
      assert.deepEqual(actionsB.of('takeover'), [])
      // A is gone for longer than its lease: B takes the batch over where A was.
      c.clock.advance(61_000)
      await b.services.jobs.runner.runUntilIdle()
      assert.deepEqual(actionsB.of('takeover'), ['t-003', 't-004', 't-005', 't-006'])
      const job = await b.services.jobs.get(null, 'takeover')
      assert.equal(job.status, 'complete')
      // A wakes up: its lease is gone, so it records nothing and stops.
      release({ status: 'failed', reason: 'too late' })
      await passA
      assert.deepEqual(actionsA.of('takeover'), ['t-001', 't-002', 't-003'])
      assert.deepEqual(await progressOf(a, 'takeover'), { total: 6, pending: 0, completed: 6, failed: 0 })
    })

    it('the loop started with the app carries out a job by itself', async () => {
      const c = await cluster(dialect)
      clusters.push(c)
      const node = await c.node()
      await seedTemplates(node)
      await seedDevices(node, 'l', 3)
      await seedGroup(node, 'group-l', 'l')
      node.services.jobs.runner.start(10)
      await node.services.jobs.create(null, 'looped', propertyJob('group-l'))
      let status = 'running'
      for (let i = 0; i < 500 && status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 10))
        status = (await node.services.jobs.get(null, 'looped')).status
      }
      assert.equal(status, 'complete')
      await node.services.jobs.runner.stop()
    })
  })
}

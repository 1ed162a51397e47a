import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { TelemetryRetention } from '../../src/device-plane/telemetry/telemetry-retention.js'
import { openStore } from '../../src/storage/open-store.js'
import { killHard, runFixture } from '../helpers/child.js'
import { createDevice, seedDeviceData } from '../helpers/device-data.js'
import { DIALECTS, POSTGRES_ADMIN_URL } from '../helpers/dialects.js'
import { eventually } from '../helpers/local-links.js'
import { startServer, type TestServer } from '../helpers/server.js'

const DAY = 24 * 60 * 60 * 1000

const countMessages = async (server: TestServer, deviceId: string): Promise<number> => {
  const row = await server.app.store.db
    .selectFrom('telemetry_messages')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('device_id', '=', deviceId)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

for (const dialect of DIALECTS) {
  describe(`telemetry ingestion (${dialect})`, () => {
    let server: TestServer
    const telemetry = () => server.app.services.deviceTelemetry

    before(async () => {
      server = await startServer(dialect)
      await seedDeviceData(server)
      for (const id of ['many', 'broken', 'poison', 'aged', 'gone']) await createDevice(server, id)
    })
    after(async () => server?.close())

    it('stores every message of a burst and answers the latest value of each telemetry', async () => {
      const base = Date.parse('2026-01-01T00:00:00.000Z')
      // Sent out of order: the latest by device time wins, whatever the arrival order.
      const times = Array.from({ length: 3000 }, (_, i) => base + ((i * 7919) % 3000))
      await Promise.all(
        times.map((at) =>
          telemetry().ingest({
            deviceId: 'many',
            module: null,
            component: at % 2 === 0 ? null : 'settings',
            enqueuedAt: at,
            body: at % 2 === 0 ? { temperature: at - base } : { load: at - base },
          }),
        ),
      )
      assert.equal(await countMessages(server, 'many'), 3000)
      const root = await server.request('GET', '/api/devices/many/telemetry/temperature')
      assert.deepEqual(root.body, { value: 2998, timestamp: new Date(base + 2998).toISOString() })
      const component = await server.request('GET', '/api/devices/many/components/settings/telemetry/load')
      assert.deepEqual(component.body, { value: 2999, timestamp: new Date(base + 2999).toISOString() })
      // The time series reads back by device and time.
      const window = await server.app.store.db
        .selectFrom('telemetry_messages')
        .select(['time', 'body'])
        .where('device_id', '=', 'many')
        .where('time', '>=', base + 100)
        .where('time', '<', base + 103)
        .orderBy('time')
        .execute()
      assert.deepEqual(
        window.map((row) => JSON.parse(row.body)),
        [{ temperature: 100 }, { load: 101 }, { temperature: 102 }],
      )
    })

    it('rejects every caller of a batch the store refuses, and keeps none of it', async () => {
      const db = server.app.store.db
      await sql`ALTER TABLE telemetry_messages RENAME TO telemetry_messages_away`.execute(db)
      let outcomes: PromiseSettledResult<void>[]
      try {
        outcomes = await Promise.allSettled(
          Array.from({ length: 50 }, (_, i) =>
            telemetry().ingest({ deviceId: 'broken', module: null, component: null, enqueuedAt: 1_000 + i, body: { temperature: i } }),
          ),
        )
      } finally {
        await sql`ALTER TABLE telemetry_messages_away RENAME TO telemetry_messages`.execute(db)
      }
      assert.deepEqual(new Set(outcomes.map((o) => o.status)), new Set(['rejected']))
      assert.equal(await countMessages(server, 'broken'), 0)
      // The last value moved with the batch, or not at all.
      assert.equal((await server.request('GET', '/api/devices/broken/telemetry/temperature')).status, 404)
      await telemetry().ingest({ deviceId: 'broken', module: null, component: null, enqueuedAt: 2_000, body: { temperature: 9 } })
      assert.equal(await countMessages(server, 'broken'), 1)
    })

    it('refuses at once a message that could never be stored, without failing the others', async () => {
      const results = await Promise.allSettled([
        telemetry().ingest({ deviceId: 'poison', module: null, component: 'bad\u0000name', enqueuedAt: 1, body: { load: 1 } }),
        telemetry().ingest({ deviceId: 'poison', module: null, component: null, enqueuedAt: Number.NaN, body: {} }),
        telemetry().ingest({ deviceId: 'poison', module: null, component: null, enqueuedAt: 5, body: { temperature: 5 } }),
        telemetry().ingest({ deviceId: 'poison', module: null, component: null, enqueuedAt: 6, body: 'not an object' }),
      ])
      assert.deepEqual(
        results.map((r) => r.status),
        ['rejected', 'rejected', 'fulfilled', 'fulfilled'],
      )
      // Every message is kept as sent; only an object's members are telemetry values.
      assert.equal(await countMessages(server, 'poison'), 2)
      const latest = await server.request('GET', '/api/devices/poison/telemetry/temperature')
      assert.deepEqual(latest.body, { value: 5, timestamp: new Date(5).toISOString() })
    })

    it('prunes messages past the retention in batches, keeping recent ones and last values', async () => {
      const now = server.clock.now
      const old = Array.from({ length: 23 }, (_, i) => now - 31 * DAY + i)
      const recent = Array.from({ length: 4 }, (_, i) => now - 29 * DAY + i)
      await Promise.all(
        [...old, ...recent].map((at, i) =>
          telemetry().ingest({ deviceId: 'aged', module: null, component: null, enqueuedAt: at, body: { temperature: i } }),
        ),
      )
      const retention = new TelemetryRetention(server.app.store, server.clock.read, { retentionDays: 30, batchSize: 5 })
      // Earlier tests' messages are old too: everything past 30 days goes, 5 rows at a time.
      const before = await countMessages(server, 'aged')
      assert.ok((await retention.prune()) >= 23)
      assert.equal(before - (await countMessages(server, 'aged')), 23)
      assert.equal(await countMessages(server, 'aged'), 4)
      assert.equal(await retention.prune(), 0)
      // The last value outlives its message.
      assert.equal((await server.request('GET', '/api/devices/aged/telemetry/temperature')).status, 200)
      // Retention 0 keeps everything.
      const forever = new TelemetryRetention(server.app.store, () => now + 1000 * DAY, { retentionDays: 0 })
      assert.equal(await forever.prune(), 0)
      assert.equal(await countMessages(server, 'aged'), 4)
    })

    it("deletes a device's messages with the device", async () => {
      await telemetry().ingest({ deviceId: 'gone', module: null, component: null, enqueuedAt: 1, body: { temperature: 1 } })
      assert.equal(await countMessages(server, 'gone'), 1)
      assert.equal((await server.request('DELETE', '/api/devices/gone')).status, 204)
      assert.equal(await countMessages(server, 'gone'), 0)
    })
  })

  describe(`telemetry durability (${dialect})`, () => {
    let server: TestServer
    let writer: ReturnType<typeof runFixture> | undefined

    before(async () => {
      server = await startServer(dialect)
    })
    after(async () => {
      if (writer) await killHard(writer)
      await server?.close()
    })

    it('keeps every acknowledged message when the process is killed mid-flight', { timeout: 240_000 }, async () => {
      const store = server.app.store
      const dataDir =
        store.dialect === 'sqlite'
          ? store.description.replace(/[\\/][^\\/]+$/, '')
          : mkdtempSync(path.join(tmpdir(), 'opencentral-writer-'))
      const url = store.dialect === 'postgres' ? postgresUrlOf(server) : undefined
      writer = runFixture('telemetry-writer.ts', [
        JSON.stringify({ logLevel: 'silent', embeddedIdp: false, mqttPort: 0, dataDir, ...(url ? { databaseUrl: url } : {}) }),
      ])
      const acknowledged = () => writer?.output().split('\n').filter(Boolean).map(Number) ?? []
      await eventually(() => acknowledged().length >= 3000, 120_000, 'acknowledged messages').catch((error) => {
        throw new Error(`${String(error)}: ${writer?.errors()}`)
      })
      await killHard(writer)
      const acked = acknowledged()
      const reopened = await openStore(
        url ? { dataDir, databaseUrl: url } : { dataDir },
      )
      try {
        const rows = await reopened.db.selectFrom('telemetry_messages').select('body').where('device_id', '=', 'durable').execute()
        const stored = new Set(rows.map((row) => (JSON.parse(row.body) as { seq: number }).seq))
        const lost = acked.filter((seq) => !stored.has(seq))
        assert.deepEqual(lost.slice(0, 10), [], `${lost.length} of ${acked.length} acknowledged messages lost`)
        assert.ok(stored.size >= acked.length)
      } finally {
        await reopened.close()
      }
    })
  })
}

/** The test server's PostgreSQL database (the store describes it without credentials; tests use none). */
function postgresUrlOf(server: TestServer): string {
  const description = server.app.store.description
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = new URL(description).pathname
  return url.toString()
}

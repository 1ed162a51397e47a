// `npm run bench:telemetry`: telemetry ingestion on SQLite and on PostgreSQL. TELEMETRY_DEVICES
// devices each send TELEMETRY_MESSAGES messages, each waiting for its acknowledgement (ingest
// resolved: its batch committed) before sending the next, as a device at QoS 1 with one message in
// flight does. Reports acknowledged messages per second and the acknowledgement latency, batched
// (the server's settings) and one transaction per message (batches of 1), for comparison.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { TelemetryIngestor } from '../src/device-plane/telemetry/telemetry-ingestor.js'
import { openStore } from '../src/storage/open-store.js'
import type { Store } from '../src/storage/store.js'
import { createScratchDatabase } from './lib/scratch-database.js'

const DEVICES = Number(process.env.TELEMETRY_DEVICES ?? 500)
const MESSAGES = Number(process.env.TELEMETRY_MESSAGES ?? 40)
const STORES = (process.env.TELEMETRY_STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim())

async function run(store: Store, label: string, maxItems?: number): Promise<void> {
  const ingestor = new TelemetryIngestor(store, maxItems === undefined ? {} : { maxItems })
  const latencies: number[] = []
  const started = performance.now()
  await Promise.all(
    Array.from({ length: DEVICES }, async (_, d) => {
      for (let m = 0; m < MESSAGES; m++) {
        const sent = performance.now()
        await ingestor.ingest({
          deviceId: `bench-${label}-${d}`,
          module: null,
          component: m % 2 === 0 ? null : 'environment',
          enqueuedAt: Date.now(),
          body: { temperature: 20 + (m % 10), humidity: 40 + (d % 20), status: 'ok' },
        })
        latencies.push(performance.now() - sent)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  await ingestor.close()
  latencies.sort((a, b) => a - b)
  const at = (q: number) => (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(1)
  console.log(
    `${store.dialect.padEnd(8)} ${label.padEnd(22)} ${String(Math.round(latencies.length / seconds)).padStart(7)} msg/s   ack p50 ${at(0.5)} ms  p99 ${at(0.99)} ms`,
  )
}

console.log(`${DEVICES} devices × ${MESSAGES} messages, one in flight per device`)
for (const engine of STORES) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-bench-telemetry-'))
  const database = engine === 'postgres' ? await createScratchDatabase(`opencentral_telemetry_${process.pid}`, 'skipped') : null
  if (engine === 'postgres' && !database) continue
  const store = await openStore({ dataDir, ...(database ? { databaseUrl: database.url } : {}) })
  try {
    await run(store, 'batched')
    await run(store, 'one per transaction', 1)
  } finally {
    await store.close()
    await database?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

// `npm run bench:dps`: device registrations per second through the DPS HTTPS routes (served over
// plain HTTP here, so the number is the server's work, not TLS): a PUT register and the GET poll
// per device, BENCH_DPS_DEVICES new devices admitted by SAS-IoT-Devices (each one created), then
// the same devices registering again. Server and load share one process; SQLite, and PostgreSQL
// when reachable (BENCH_POSTGRES_URL).
import { createHmac } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createApp } from '../src/app.js'
import { loadConfig } from '../src/config/load.js'
import { createScratchDatabase } from './lib/scratch-database.js'
import { freePort, median } from './lib/processes.js'

const DEVICES = Number(process.env.BENCH_DPS_DEVICES ?? 2000)
const CONCURRENCY = Number(process.env.BENCH_CONNECTIONS ?? 10)

const hmac = (key: string, text: string) =>
  createHmac('sha256', Buffer.from(key, 'base64')).update(text).digest('base64')

async function run(label: string, databaseUrl?: string): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-bench-dps-'))
  const config = loadConfig({
    overrides: { port: await freePort(), host: '127.0.0.1', dataDir, logLevel: 'warn', mqttPort: 0, embeddedIdp: false, ...(databaseUrl ? { databaseUrl } : {}) },
  })
  const app = await createApp(config)
  try {
    const base = await app.app.listen({ port: config.port, host: config.host })
    const idScope = await app.services.provisioning.idScope()
    const group = await app.services.enrollmentGroups.get(null, 'SAS-IoT-Devices')
    const groupKey = (group.attestation as { symmetricKey: { primaryKey: string } }).symmetricKey.primaryKey
    const se = Math.floor(Date.now() / 1000) + 3600
    const registerOne = async (id: string) => {
      const sr = `${idScope}/registrations/${id}`
      const authorization = `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(hmac(hmac(groupKey, id), `${sr}\n${se}`))}&se=${se}&skn=registration`
      const headers = { authorization, 'content-type': 'application/json' }
      const put = await fetch(`${base}/${sr}/register?api-version=2019-03-31`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ registrationId: id }),
      })
      const { operationId } = (await put.json()) as { operationId: string }
      const poll = await fetch(`${base}/${sr}/operations/${operationId}?api-version=2019-03-31`, { headers })
      if ((await poll.json() as { status: string }).status !== 'assigned') throw new Error(`${id} not assigned`)
    }
    const round = async (name: string) => {
      const latencies: number[] = []
      let next = 0
      const started = performance.now()
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < DEVICES) {
            const id = `bench-dps-${next++}`
            const t = performance.now()
            await registerOne(id)
            latencies.push(performance.now() - t)
          }
        }),
      )
      const seconds = (performance.now() - started) / 1000
      latencies.sort((a, b) => a - b)
      const p99 = latencies[Math.floor(latencies.length * 0.99)] as number
      console.log(
        `${label.padEnd(10)} ${name.padEnd(12)} ${(DEVICES / seconds).toFixed(0).padStart(6)} registrations/s  p50 ${median(latencies).toFixed(1)} ms  p99 ${p99.toFixed(1)} ms`,
      )
    }
    await round('new devices')
    await round('again')
  } finally {
    await app.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

console.log(`${DEVICES} devices, ${CONCURRENCY} at a time (register + one poll each)`)
await run('sqlite')
const scratch = await createScratchDatabase(`bench_dps_${process.pid}`, 'PostgreSQL skipped')
if (scratch) {
  try {
    await run('postgres', scratch.url)
  } finally {
    await scratch.drop()
  }
}

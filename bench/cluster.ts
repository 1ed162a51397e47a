// `npm run bench:cluster`: OpenCentral as a cluster on one PostgreSQL database. Throughput of
// GET /api/devices/{id} with 1, 2 and 3 nodes (each its own process, the load spread evenly over
// them), then how long a token deleted on one node keeps working on the others (revocation
// propagation, p50/p99 over many deletions). Writes bench/results/cluster.json and the table in
// README.md.
import { execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import path from 'node:path'
import { runLoadConcurrently, type LoadResult } from './lib/generator.js'
import { freePort, startProcess, root } from './lib/processes.js'
import { createScratchDatabase } from './lib/scratch-database.js'
import { API_VERSION, CONNECTIONS, SECONDS } from './lib/settings.js'

const NODES = [1, 2, 3]
const REVOCATIONS = Number(process.env.BENCH_REVOCATIONS ?? 200)
const OPERATOR = 'ae2c9854-393b-4f97-8c42-479d70ce626e'
const DEVICE_PATH = '/api/devices/bench-device'

async function startNode(databaseUrl: string, children: ChildProcess[]): Promise<string> {
  const port = await freePort()
  children.push(
    startProcess([process.execPath, 'bin/opencentral.js', 'start', '--port', String(port), '--mqtt-port', '0', '--database', databaseUrl, '--log-level', 'warn', '--no-embedded-idp',
      // The revocation probes are refused on purpose, all from 127.0.0.1: the sign-in lockout
      // would answer them 429 after ten.
      '--auth-failure-limit', '0']),
  )
  const base = `http://127.0.0.1:${port}`
  // A minute: a busy machine starts a node slowly, and the bench must not give up on it.
  for (let i = 0; i < 600; i++) {
    const status = await fetch(`${base}/healthz`).then((r) => r.status, () => 0)
    if (status === 200) return base
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${base} did not come up`)
}

function call(base: string, admin: string, method: string, pathname: string, body?: unknown): Promise<Response> {
  return fetch(`${base}${pathname}?api-version=${API_VERSION}`, {
    method,
    headers: body === undefined ? { authorization: admin } : { authorization: admin, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
}

/** A generator against every node at once (one process each); the sum of their rates. */
async function loadAll(bases: string[], token: string): Promise<LoadResult> {
  const perNode = Math.max(1, Math.round(CONNECTIONS / bases.length))
  const results = await Promise.all(
    bases.map((base) =>
      runLoadConcurrently({ url: `${base}${DEVICE_PATH}?api-version=${API_VERSION}`, credential: token }, SECONDS, perNode),
    ),
  )
  return {
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    requestsPerSecond: Math.round(results.reduce((sum, r) => sum + r.requestsPerSecond, 0)),
    p50: Math.max(...results.map((r) => r.p50)),
    p90: Math.max(...results.map((r) => r.p90)),
    p99: Math.max(...results.map((r) => r.p99)),
    max: Math.max(...results.map((r) => r.max)),
  }
}

/** Milliseconds from a DELETE answered on the first node to the token's first 401 on each other node. */
async function revocationDelays(bases: string[], admin: string): Promise<number[]> {
  const [first, ...others] = bases as [string, ...string[]]
  const delays: number[] = []
  for (let i = 0; i < REVOCATIONS; i++) {
    const id = `bench-revoked-${i}`
    const created = await call(first, admin, 'PUT', `/api/apiTokens/${id}`, { roles: [{ role: OPERATOR }] })
    const token = ((await created.json()) as { token: string }).token
    // Every node knows (caches) the token before it is deleted.
    for (const base of bases) {
      const warm = await call(base, token, 'GET', DEVICE_PATH)
      if (warm.status !== 200) throw new Error(`token ${id} answered ${warm.status} before deletion`)
    }
    const deleted = await call(first, admin, 'DELETE', `/api/apiTokens/${id}`)
    if (deleted.status !== 204) throw new Error(`DELETE answered ${deleted.status}`)
    const deletedAt = performance.now()
    await Promise.all(
      others.map(async (base) => {
        for (;;) {
          const response = await call(base, token, 'GET', DEVICE_PATH)
          await response.arrayBuffer()
          if (response.status === 401) break
          if (performance.now() - deletedAt > 5000) throw new Error('revocation did not arrive within 5 s')
        }
        delays.push(performance.now() - deletedAt)
      }),
    )
  }
  return delays
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

async function main() {
  if (!existsSync(path.join(root, 'dist/cli/main.js'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })
  const database = await createScratchDatabase(`opencentral_cluster_${process.pid}`, 'bench:cluster needs PostgreSQL')
  if (!database) process.exit(1)
  const children: ChildProcess[] = []
  const startLoad = loadavg()[0]!.toFixed(1)
  try {
    const bases = [await startNode(database.url, children)]
    const admin = execFileSync(process.execPath, ['bin/opencentral.js', 'token', 'create', 'bench-admin', '--role', 'Administrator', '--database', database.url], { cwd: root, encoding: 'utf8' }).trim()
    const setup = async (method: string, pathname: string, body: unknown) => {
      const response = await call(bases[0]!, admin, method, pathname, body)
      if (!response.ok) throw new Error(`${method} ${pathname}: ${response.status} ${await response.text()}`)
      return (await response.json()) as Record<string, unknown>
    }
    await setup('PUT', '/api/deviceTemplates/dtmi:bench:thermostat;1', {
      '@type': ['ModelDefinition', 'DeviceModel'],
      displayName: 'Thermostat',
      capabilityModel: { '@id': 'dtmi:bench:thermostat;1', '@type': 'Interface', contents: [] },
    })
    await setup('PUT', DEVICE_PATH, { displayName: 'Bench device', template: 'dtmi:bench:thermostat;1' })
    const operator = (await setup('PUT', '/api/apiTokens/bench-operator', { roles: [{ role: OPERATOR }] })).token as string

    const rows: { nodes: number; result: LoadResult }[] = []
    for (const count of NODES) {
      while (bases.length < count) bases.push(await startNode(database.url, children))
      const result = await loadAll(bases, operator)
      console.log(`${count} node(s): ${result.requestsPerSecond} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.errors} errors`)
      rows.push({ nodes: count, result })
    }
    const delays = await revocationDelays(bases, admin)
    const revocation = {
      samples: delays.length,
      p50Ms: Number(percentile(delays, 50).toFixed(1)),
      p99Ms: Number(percentile(delays, 99).toFixed(1)),
      maxMs: Number(Math.max(...delays).toFixed(1)),
    }
    console.log(`revocation: ${JSON.stringify(revocation)}`)

    const date = new Date().toISOString().slice(0, 10)
    const machine = `${cpus().length} × ${cpus()[0]?.model.split(' ').slice(0, 2).join(' ')}, Node ${process.version}`
    const table = [
      `GET /api/devices/{id} on PostgreSQL, every node its own process on one machine — ${date}, ${machine}; ${SECONDS} s, ${CONNECTIONS} connections spread over the nodes, load average ${startLoad} at the start.`,
      '',
      '| nodes | req/s | p50 ms | p99 ms | errors |',
      '|---:|---:|---:|---:|---:|',
      ...rows.map(({ nodes, result: r }) => `| ${nodes} | ${r.requestsPerSecond} | ${r.p50} | ${r.p99} | ${r.errors} |`),
      '',
      `Revocation: a token cached by all ${bases.length} nodes is deleted on one; time from the DELETE's answer to its first 401 on each other node, ${revocation.samples} samples: p50 ${revocation.p50Ms} ms, p99 ${revocation.p99Ms} ms, max ${revocation.maxMs} ms.`,
    ].join('\n')
    console.log(`\n${table}`)
    const results = path.join(root, 'bench/results')
    mkdirSync(results, { recursive: true })
    writeFileSync(path.join(results, 'cluster.json'), `${JSON.stringify({ date, machine, seconds: SECONDS, connections: CONNECTIONS, rows, revocation }, null, 2)}\n`)
    const readme = path.join(root, 'README.md')
    const text = readFileSync(readme, 'utf8')
    const marked = /<!-- cluster:start -->[\s\S]*<!-- cluster:end -->/
    if (marked.test(text)) writeFileSync(readme, text.replace(marked, `<!-- cluster:start -->\n${table}\n<!-- cluster:end -->`))
  } finally {
    for (const child of children) child.kill('SIGTERM')
    await database.drop()
  }
}

await main()

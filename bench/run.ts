// `npm run bench`: what full authentication and authorization cost. One run, every contender
// side by side: the servers on core 0, the load generator (autocannon) on core 1, rounds
// interleaved so machine drift hits every contender alike, medians reported. Writes
// bench/results/latest.json, bench/results/latest.svg and the table in README.md.
import { execFileSync, type ChildProcess } from 'node:child_process'
import { createPublicKey, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import path from 'node:path'
import { TestIssuer } from '../test/helpers/issuer.js'
import { barChart } from './lib/chart.js'
import { freePort, load, median, peakRssMb, pinned, root, startProcess, waitFor, type LoadResult } from './lib/processes.js'
import { createScratchDatabase } from './lib/scratch-database.js'
import { API_VERSION, CONNECTIONS, SECONDS } from './lib/settings.js'
import { runMicro } from './micro.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const COLD_TOKENS = Number(process.env.BENCH_COLD_TOKENS ?? 12_000)
const OPERATOR = 'ae2c9854-393b-4f97-8c42-479d70ce626e'
const DEVICE_PATH = '/api/devices/bench-device'

interface Contender {
  name: string
  pid: number | undefined
  url: string
  credential: string
}

const cliIn = (storeArgs: string[]) => (...args: string[]) =>
  execFileSync(process.execPath, ['bin/opencentral.js', ...args, ...storeArgs], { cwd: root, encoding: 'utf8' }).trim()

/** Starts OpenCentral on core 0 over a store, with one template, one device, an Operator token and a service principal. */
async function startOpenCentral(storeArgs: string[], trustFile: string, spObject: string, tenantId: string, children: ChildProcess[]) {
  const port = await freePort()
  const server = startProcess(
    pinned(0, [process.execPath, 'bin/opencentral.js', 'start', '--port', String(port), ...storeArgs, '--log-level', 'warn', '--trust-file', trustFile, '--no-embedded-idp']),
  )
  children.push(server)
  const base = `http://127.0.0.1:${port}`
  await waitFor(`${base}/healthz`)
  const admin = cliIn(storeArgs)('token', 'create', `bench-admin-${port}`, '--role', 'Administrator')
  const call = async (method: string, pathname: string, body: unknown) => {
    const response = await fetch(`${base}${pathname}?api-version=${API_VERSION}`, {
      method,
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`${method} ${pathname}: ${response.status} ${await response.text()}`)
    return response.json() as Promise<Record<string, unknown>>
  }
  await call('PUT', '/api/deviceTemplates/dtmi:bench:thermostat;1', {
    '@type': ['ModelDefinition', 'DeviceModel'],
    displayName: 'Thermostat',
    capabilityModel: { '@id': 'dtmi:bench:thermostat;1', '@type': 'Interface', contents: [] },
  })
  await call('PUT', DEVICE_PATH, { displayName: 'Bench device', template: 'dtmi:bench:thermostat;1' })
  await call('PUT', '/api/users/bench-bot', { type: 'servicePrincipal', tenantId, objectId: spObject, roles: [{ role: OPERATOR }] })
  const operator = (await call('PUT', '/api/apiTokens/bench-operator', { roles: [{ role: OPERATOR }] })).token as string
  return { server, url: `${base}${DEVICE_PATH}?api-version=${API_VERSION}`, operator }
}

async function main() {
  if (!existsSync(path.join(root, 'dist/cli/main.js'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-bench-'))
  const children: ChildProcess[] = []
  const issuer = await TestIssuer.start()
  const postgres = await createScratchDatabase(`opencentral_bench_${process.pid}`, 'its contender is skipped')
  try {
    const trustFile = path.join(dataDir, 'trust.json')
    writeFileSync(trustFile, JSON.stringify({ issuers: [{ issuer: issuer.generic }] }))
    const publicKeyFile = path.join(dataDir, 'issuer.pem')
    writeFileSync(publicKeyFile, createPublicKey({ key: issuer.currentKey.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }))
    const spObject = randomUUID()
    const bearerToken = () => issuer.sign({ tid: issuer.tenantId, oid: spObject, idtyp: 'app', jti: randomUUID() })

    const sqlite = await startOpenCentral(['--data', dataDir], trustFile, spObject, issuer.tenantId, children)
    const onPostgres = postgres
      ? await startOpenCentral(['--database', postgres.url], trustFile, spObject, issuer.tenantId, children)
      : null

    const barePort = await freePort()
    const bare = startProcess(pinned(0, [process.execPath, '--import', 'tsx', 'bench/bare-server.ts', dataDir, String(barePort)]))
    children.push(bare)
    await waitFor(`http://127.0.0.1:${barePort}/api/devices/none`)
    const usualPort = await freePort()
    const usual = startProcess(
      pinned(0, [process.execPath, '--import', 'tsx', 'bench/usual-stack-server.ts', dataDir, String(usualPort), publicKeyFile, issuer.generic, 'https://apps.azureiotcentral.com']),
    )
    children.push(usual)
    await waitFor(`http://127.0.0.1:${usualPort}/api/devices/none`)

    const cachedBearer = `Bearer ${await bearerToken()}`
    // More distinct tokens than the server's cache holds: every request verifies a signature.
    console.error(`signing ${COLD_TOKENS} bearer tokens for the cold path…`)
    const cold: string[] = []
    for (let i = 0; i < COLD_TOKENS; i++) cold.push(`Bearer ${await bearerToken()}`)
    const coldFile = path.join(dataDir, 'cold-tokens.txt')
    writeFileSync(coldFile, cold.join('\n'))

    const contenders: Contender[] = [
      { name: 'bare Fastify + SQLite, no auth (floor)', pid: bare.pid, url: `http://127.0.0.1:${barePort}${DEVICE_PATH}`, credential: '' },
      { name: 'OpenCentral, API token', pid: sqlite.server.pid, url: sqlite.url, credential: sqlite.operator },
      { name: 'OpenCentral, bearer (cached)', pid: sqlite.server.pid, url: sqlite.url, credential: cachedBearer },
      { name: 'OpenCentral, bearer (new token each request)', pid: sqlite.server.pid, url: sqlite.url, credential: `@${coldFile}` },
      { name: 'Express 5 + passport-http-bearer + jsonwebtoken', pid: usual.pid, url: `http://127.0.0.1:${usualPort}${DEVICE_PATH}`, credential: cachedBearer },
      ...(onPostgres ? [{ name: 'OpenCentral on PostgreSQL, API token', pid: onPostgres.server.pid, url: onPostgres.url, credential: onPostgres.operator }] : []),
    ]
    const runs = new Map<string, LoadResult[]>(contenders.map((c) => [c.name, []]))
    for (const c of contenders) load(c.url, c.credential, 2, CONNECTIONS) // warm-up
    for (let round = 1; round <= ROUNDS; round++) {
      for (const c of round % 2 ? contenders : [...contenders].reverse()) {
        const run = load(c.url, c.credential, SECONDS, CONNECTIONS)
        if (run.errors > 0 || run.ok === 0) throw new Error(`${c.name}: ${run.errors} errors of ${run.ok + run.errors}`)
        runs.get(c.name)!.push(run)
        console.error(`round ${round}/${ROUNDS}  ${c.name}: ${Math.round(run.requestsPerSecond)} req/s`)
      }
    }
    const rps = (name: string) => median(runs.get(name)!.map((r) => r.requestsPerSecond))
    const floor = rps(contenders[0]!.name)
    const usualRps = rps('Express 5 + passport-http-bearer + jsonwebtoken')
    const rows = contenders.map((c) => ({
      name: c.name,
      requestsPerSecond: Math.round(rps(c.name)),
      p50Ms: median(runs.get(c.name)!.map((r) => r.p50)),
      p99Ms: median(runs.get(c.name)!.map((r) => r.p99)),
      peakRssMb: peakRssMb(c.pid),
      vsFloor: Number((rps(c.name) / floor).toFixed(2)),
      vsUsualStack: Number((rps(c.name) / usualRps).toFixed(2)),
    }))
    console.error('micro-benchmarks…')
    const micro = await runMicro()

    const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}`
    const date = new Date().toISOString().slice(0, 10)
    const table = [
      `GET /api/devices/{id} — ${date}, ${machine}; ${ROUNDS} interleaved rounds of ${SECONDS} s, ${CONNECTIONS} connections, medians.`,
      '',
      '| contender | req/s | p50 ms | p99 ms | peak RSS MB | vs floor | vs usual stack |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...rows.map((r) => `| ${r.name} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.peakRssMb} | ${r.vsFloor.toFixed(2)} | ${r.vsUsualStack.toFixed(2)} |`),
      '',
      '| hot path (in-process, tinybench) | ops/s | mean µs |',
      '|---|---:|---:|',
      ...micro.map((m) => `| ${m.name} | ${m.opsPerSecond} | ${m.meanMicroseconds} |`),
    ].join('\n')
    console.log(`\n${table}`)

    const results = path.join(root, 'bench/results')
    mkdirSync(results, { recursive: true })
    writeFileSync(path.join(results, 'latest.json'), `${JSON.stringify({ date, machine, rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, rows, micro }, null, 2)}\n`)
    writeFileSync(
      path.join(results, 'latest.svg'),
      barChart(
        `GET /api/devices/{id}, requests per second (${date}, ${cpus().length} cores, median of ${ROUNDS})`,
        rows.map((r) => ({ label: r.name, value: r.requestsPerSecond, note: `(${r.vsFloor.toFixed(2)}× floor)` })),
      ),
    )
    const readme = path.join(root, 'README.md')
    const text = readFileSync(readme, 'utf8')
    const marked = /<!-- bench:start -->[\s\S]*<!-- bench:end -->/
    if (marked.test(text)) {
      writeFileSync(readme, text.replace(marked, `<!-- bench:start -->\n![Benchmark](bench/results/latest.svg)\n\n${table}\n<!-- bench:end -->`))
    }
  } finally {
    for (const child of children) child.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 500))
    await issuer.close()
    await postgres?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()

// `npm run bench`: OpenCentral's API-token and bearer-token paths against a bare Fastify route
// serving the same SQLite row, measured in the same run. Bearer tokens come from a loopback
// OpenID Connect issuer (RS256, Entra-shaped claims) trusted with --trust-file. Servers run on core 0, the load generator on core 1;
// rounds are interleaved so machine drift hits every contender alike; medians are reported.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { TestIssuer } from '../test/helpers/issuer.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const COLD_TOKENS = Number(process.env.BENCH_COLD_TOKENS ?? 12_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const API_VERSION = '2022-07-31'
const OPERATOR = 'ae2c9854-393b-4f97-8c42-479d70ce626e'
const root = path.resolve(import.meta.dirname, '..')
const pinned = (core: number, command: string[]) =>
  existsSync('/usr/bin/taskset') && cpus().length > 1 ? ['taskset', '-c', String(core), ...command] : command

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      const response = await fetch(url)
      if (response.status < 500) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${url} did not come up`)
}

function startProcess(command: string[]): ChildProcess {
  const [file, ...args] = command as [string, ...string[]]
  return spawn(file, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
}

function peakRssMb(pid: number | undefined): number {
  if (!pid) return NaN
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1])
  return Math.round(kb / 1024)
}

interface Run {
  requestsPerSecond: number
  p50: number
  p99: number
  ok: number
  errors: number
}

function load(url: string, authorization: string, seconds: number): Run {
  const output = execFileSync(
    pinned(1, [process.execPath, '--import', 'tsx', 'bench/load.ts'])[0] as string,
    [
      ...pinned(1, [process.execPath, '--import', 'tsx', 'bench/load.ts']).slice(1),
      url,
      authorization,
      String(seconds),
      String(CONNECTIONS),
    ],
    { cwd: root, encoding: 'utf8' },
  )
  return JSON.parse(output) as Run
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

async function main() {
  if (!existsSync(path.join(root, 'dist/cli/main.js'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-bench-'))
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, ['bin/opencentral.js', ...args, '--data', dataDir], { cwd: root, encoding: 'utf8' }).trim()
  const children: ChildProcess[] = []
  const issuer = await TestIssuer.start()
  try {
    const trustFile = path.join(dataDir, 'trust.json')
    writeFileSync(trustFile, JSON.stringify({ issuers: [{ issuer: issuer.generic }] }))
    const port = await freePort()
    const server = startProcess(pinned(0, [process.execPath, 'bin/opencentral.js', 'start', '--port', String(port), '--data', dataDir, '--log-level', 'warn', '--trust-file', trustFile, '--no-embedded-idp']))
    children.push(server)
    const base = `http://127.0.0.1:${port}`
    await waitFor(`${base}/healthz`)
    const admin = cli('token', 'create', 'bench-admin', '--role', 'Administrator')
    const spObject = randomUUID()
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
    await call('PUT', '/api/devices/bench-device', { displayName: 'Bench device', template: 'dtmi:bench:thermostat;1' })
    const operator = (await call('PUT', '/api/apiTokens/bench-operator', { roles: [{ role: OPERATOR }] })).token as string
    await call('PUT', '/api/users/bench-bot', {
      type: 'servicePrincipal',
      tenantId: issuer.tenantId,
      objectId: spObject,
      roles: [{ role: OPERATOR }],
    })
    const bearerFor = () =>
      issuer.sign(
        { tid: issuer.tenantId, oid: spObject, idtyp: 'app', jti: randomUUID() },
      )
    const cachedBearer = `Bearer ${await bearerFor()}`
    // More distinct tokens than the server's cache holds: every request verifies a signature.
    console.error(`signing ${COLD_TOKENS} tokens for the cold path…`)
    const coldTokens: string[] = []
    for (let i = 0; i < COLD_TOKENS; i++) coldTokens.push(`Bearer ${await bearerFor()}`)
    const coldFile = path.join(dataDir, 'cold-tokens.txt')
    writeFileSync(coldFile, coldTokens.join('\n'))

    const barePort = await freePort()
    const bare = startProcess(pinned(0, [process.execPath, '--import', 'tsx', 'bench/bare-server.ts', dataDir, String(barePort)]))
    children.push(bare)
    await waitFor(`http://127.0.0.1:${barePort}/api/devices/none`)

    const contenders = [
      { name: 'bare Fastify + SQLite (floor)', pid: bare.pid, url: `http://127.0.0.1:${barePort}/api/devices/bench-device`, auth: '' },
      { name: 'OpenCentral, API token (Operator)', pid: server.pid, url: `${base}/api/devices/bench-device?api-version=${API_VERSION}`, auth: operator },
      { name: 'OpenCentral, bearer token (cached)', pid: server.pid, url: `${base}/api/devices/bench-device?api-version=${API_VERSION}`, auth: cachedBearer },
      { name: 'OpenCentral, bearer token (new each request)', pid: server.pid, url: `${base}/api/devices/bench-device?api-version=${API_VERSION}`, auth: `@${coldFile}` },
    ]
    const runs = new Map<string, Run[]>(contenders.map((c) => [c.name, []]))
    for (const contender of contenders) load(contender.url, contender.auth, 2) // warm-up
    for (let round = 1; round <= ROUNDS; round++) {
      for (const contender of round % 2 ? contenders : [...contenders].reverse()) {
        const run = load(contender.url, contender.auth, SECONDS)
        if (run.errors > 0 || run.ok === 0) throw new Error(`${contender.name}: ${run.errors} errors`)
        runs.get(contender.name)!.push(run)
        console.error(`round ${round}/${ROUNDS} ${contender.name}: ${Math.round(run.requestsPerSecond)} req/s`)
      }
    }
    const floor = median(runs.get(contenders[0]!.name)!.map((r) => r.requestsPerSecond))
    const rows = contenders.map((c) => {
      const rs = runs.get(c.name)!
      const rps = median(rs.map((r) => r.requestsPerSecond))
      return {
        name: c.name,
        requestsPerSecond: Math.round(rps),
        p50Ms: median(rs.map((r) => r.p50)),
        p99Ms: median(rs.map((r) => r.p99)),
        peakRssMb: peakRssMb(c.pid),
        vsFloor: Number((rps / floor).toFixed(3)),
      }
    })
    console.log(`\nGET /api/devices/{id}: ${ROUNDS} interleaved rounds of ${SECONDS} s, ${CONNECTIONS} connections, medians`)
    console.log('| contender | req/s | p50 ms | p99 ms | peak RSS MB | vs floor |')
    console.log('|---|---:|---:|---:|---:|---:|')
    for (const r of rows) console.log(`| ${r.name} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.peakRssMb} | ${r.vsFloor.toFixed(2)} |`)
    mkdirSync(path.join(root, 'bench/results'), { recursive: true })
    const result = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, rows }
    writeFileSync(path.join(root, 'bench/results/latest.json'), `${JSON.stringify(result, null, 2)}\n`)
  } finally {
    for (const child of children) child.kill('SIGTERM')
    await issuer.close()
    await new Promise((r) => setTimeout(r, 300))
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()

// `npm run bench:ops`: what the operations features cost on the authenticated request path.
// The same server (SQLite, an Operator token, GET one device) with each feature alone, rounds
// interleaved, medians reported as a ratio of the bare server in the same run.
import { execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runLoad } from './lib/generator.js'
import { freePort, median, pinned, root, startProcess, waitFor } from './lib/processes.js'
import { API_VERSION, CONNECTIONS, SECONDS } from './lib/settings.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const OPERATOR = 'ae2c9854-393b-4f97-8c42-479d70ce626e'
const BARE = ['--no-access-log', '--auth-failure-limit', '0']
const CONTENDERS: Record<string, string[]> = {
  bare: BARE,
  'access log (info, JSON)': ['--auth-failure-limit', '0'],
  'failed-auth throttle': ['--no-access-log'],
  'metrics': [...BARE, '--metrics'],
  'rate limit (memory)': [...BARE, '--rate-limit', '1000000'],
}

const children: ChildProcess[] = []
const folders: string[] = []
try {
  const targets: { name: string; url: string; token: string }[] = []
  for (const [name, flags] of Object.entries(CONTENDERS)) {
    const data = mkdtempSync(path.join(tmpdir(), 'opencentral-bench-ops-'))
    folders.push(data)
    const cli = (...args: string[]) =>
      execFileSync(process.execPath, ['bin/opencentral.js', ...args, '--data', data], { cwd: root, encoding: 'utf8' }).trim()
    // Commands other than init and start refuse a store that does not exist yet.
    cli('init')
    const admin = cli('token', 'create', 'bench-admin', '--role', 'Administrator')
    const port = await freePort()
    children.push(startProcess(pinned(0, [process.execPath, 'bin/opencentral.js', 'start', '--port', String(port), '--data', data, '--mqtt-port', '0', '--log-format', 'json', '--no-embedded-idp', ...flags])))
    const base = `http://127.0.0.1:${port}`
    await waitFor(`${base}/livez`)
    const call = async (pathname: string, body: unknown) => {
      const response = await fetch(`${base}${pathname}?api-version=${API_VERSION}`, {
        method: 'PUT',
        headers: { authorization: admin, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      if (!response.ok) throw new Error(`${pathname}: ${response.status} ${await response.text()}`)
      return (await response.json()) as Record<string, unknown>
    }
    await call('/api/deviceTemplates/dtmi:bench:t;1', {
      '@type': ['ModelDefinition', 'DeviceModel'],
      displayName: 'T',
      capabilityModel: { '@id': 'dtmi:bench:t;1', '@type': 'Interface', contents: [] },
    })
    await call('/api/devices/bench-device', { displayName: 'B', template: 'dtmi:bench:t;1' })
    const token = (await call('/api/apiTokens/bench-operator', { roles: [{ role: OPERATOR }] })).token as string
    targets.push({ name, url: `${base}/api/devices/bench-device?api-version=${API_VERSION}`, token })
  }
  // Warm every server up (JIT, caches) before anything is counted.
  for (const target of targets) runLoad({ url: target.url, credential: target.token }, 2, CONNECTIONS)
  const results = new Map<string, number[]>(targets.map((t) => [t.name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    // A different contender goes first each round, so drift does not favour one.
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!)
    for (const target of order) {
      const result = runLoad({ url: target.url, credential: target.token }, SECONDS, CONNECTIONS)
      if (result.errors > 0 || result.requests === 0) throw new Error(`${target.name}: ${JSON.stringify(result)}`)
      results.get(target.name)!.push(result.requestsPerSecond)
    }
  }
  const bare = median(results.get('bare')!)
  console.log(`| Server (${ROUNDS} rounds × ${SECONDS} s, median) | req/s | vs bare |`)
  console.log('|---|---|---|')
  for (const [name, values] of results) {
    const rps = median(values)
    console.log(`| ${name} | ${Math.round(rps)} | ${(rps / bare).toFixed(2)} |`)
  }
} finally {
  for (const child of children) child.kill()
  for (const folder of folders) rmSync(folder, { recursive: true, force: true })
}

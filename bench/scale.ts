// `npm run bench:scale`: IoT Central's limit of a million devices, on SQLite and on PostgreSQL.
// Writes a CSV of SCALE_DEVICES devices, imports it with `opencentral devices import`, starts the
// server on core 0 and, from core 1, pages through every device by nextLink (first page against the
// last ones) and GETs random devices by id, then pages through two device groups over those devices
// the same way (first page against the last ones, and against the device list's first page);
// reports the server's peak RSS. Writes bench/results/scale.json and the scale tables in README.md.
import { execFileSync, spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { cpus, loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { runLoad } from './lib/generator.js'
import { freePort, peakRssMb, pinned, root, startProcess, stopProcess, waitFor } from './lib/processes.js'
import { createScratchDatabase } from './lib/scratch-database.js'
import { API_VERSION, CONNECTIONS, SECONDS } from './lib/settings.js'

const DEVICES = Number(process.env.SCALE_DEVICES ?? 1_000_000)
const BATCH_SIZE = Number(process.env.SCALE_BATCH_SIZE ?? 1000)
const TEMPLATE = 'dtmi:scale:sensor;1'
const ORGANIZATION = 'scale-org'
const RANDOM_IDS = 10_000
const STORES = (process.env.SCALE_STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim())

const deviceId = (n: number) => `dev-${String(n).padStart(7, '0')}`

/**
 * The device groups paged through: every device of the template (served by the (template, id)
 * index), and a selective one, the simulated devices of the organization (a tenth of them: one
 * index range on (organization_id, id), the filter checked on each row).
 */
const GROUPS = [
  {
    id: 'scale-template',
    body: { displayName: 'Every sensor', filter: `SELECT * FROM devices WHERE $template = "${TEMPLATE}"` },
    devices: DEVICES,
  },
  {
    id: 'scale-organization',
    body: {
      displayName: 'Simulated sensors of the organization',
      filter: `SELECT * FROM devices WHERE $template = "${TEMPLATE}" AND $simulated = true`,
      organizations: [ORGANIZATION],
    },
    devices: Math.floor(DEVICES / 10),
  },
]

/** Streams the import file to disk: every device has the template, one in ten the organization. */
async function writeCsv(file: string): Promise<void> {
  const out = createWriteStream(file)
  out.write('IOTC_DEVICEID,IOTC_DEVICENAME,template,organization,simulated,enabled\n')
  let chunk = ''
  for (let n = 1; n <= DEVICES; n++) {
    chunk += `${deviceId(n)},Sensor ${n},${TEMPLATE},${n % 10 === 0 ? ORGANIZATION : ''},${n % 2 === 0},true\n`
    if (n % 10_000 === 0 || n === DEVICES) {
      if (!out.write(chunk)) await once(out, 'drain')
      chunk = ''
    }
  }
  out.end()
  await once(out, 'finish')
}

const cli = (storeArgs: string[], ...args: string[]) =>
  execFileSync(process.execPath, ['bin/opencentral.js', ...args, ...storeArgs], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()

async function startServer(storeArgs: string[], core: number | null) {
  const port = await freePort()
  const command = [process.execPath, 'bin/opencentral.js', 'start', '--port', String(port), ...storeArgs, '--log-level', 'warn']
  const server = startProcess(core === null ? command : pinned(core, command))
  const base = `http://127.0.0.1:${port}`
  await waitFor(`${base}/healthz`)
  return { server, base }
}

/** The template and organization the rows name, made through the API as an Administrator would. */
async function prepareStore(storeArgs: string[]): Promise<void> {
  // Commands other than init and start refuse a store that does not exist yet.
  cli(storeArgs, 'init')
  const admin = cli(storeArgs, 'token', 'create', `scale-admin-${process.pid}`, '--role', 'Administrator')
  const { server, base } = await startServer(storeArgs, null)
  try {
    const put = async (pathname: string, body: unknown) => {
      const response = await fetch(`${base}${pathname}?api-version=${API_VERSION}`, {
        method: 'PUT',
        headers: { authorization: admin, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      if (!response.ok) throw new Error(`PUT ${pathname}: ${response.status} ${await response.text()}`)
    }
    await put(`/api/deviceTemplates/${TEMPLATE}`, {
      '@type': ['ModelDefinition', 'DeviceModel'],
      displayName: 'Sensor',
      capabilityModel: { '@id': TEMPLATE, '@type': 'Interface', contents: [] },
    })
    await put(`/api/organizations/${ORGANIZATION}`, { displayName: 'Scale' })
  } finally {
    await stopProcess(server)
  }
}

interface ImportSummary {
  rows: number
  imported: number
  seconds: number
  rowsPerSecond: number
}

interface WalkResult {
  pages: number
  devices: number
  firstPageMs: number
  lastPagesMs: number
  walkSeconds: number
  tenthsMs: number[]
}

async function measureStore(name: string, storeArgs: string[], csv: string, workDir: string) {
  await prepareStore(storeArgs)
  console.error(`${name}: importing ${DEVICES} devices…`)
  const imported = spawnSync(
    process.execPath,
    ['bin/opencentral.js', 'devices', 'import', csv, '--json', '--batch-size', String(BATCH_SIZE), ...storeArgs],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  )
  if (imported.status !== 0) throw new Error(`${name}: the import exited ${imported.status}: ${imported.stdout}`)
  const summary = JSON.parse(imported.stdout) as ImportSummary
  const operator = cli(storeArgs, 'token', 'create', `scale-operator-${process.pid}`, '--role', 'Operator')
  const { server, base } = await startServer(storeArgs, 0)
  try {
    console.error(`${name}: paging through every device…`)
    const firstPage = `${base}/api/devices?api-version=${API_VERSION}&maxpagesize=100`
    const [file, ...args] = pinned(1, [process.execPath, '--import', 'tsx', 'bench/scale-walk.ts']) as [string, ...string[]]
    const walk = JSON.parse(execFileSync(file, [...args, firstPage, operator], { cwd: root, encoding: 'utf8' })) as WalkResult
    if (walk.devices !== DEVICES) throw new Error(`${name}: paging found ${walk.devices} devices, not ${DEVICES}`)

    const groups = []
    for (const group of GROUPS) {
      const created = await fetch(`${base}/api/deviceGroups/${group.id}?api-version=${API_VERSION}`, {
        method: 'PUT',
        headers: { authorization: operator, 'content-type': 'application/json' },
        body: JSON.stringify(group.body),
      })
      if (!created.ok) throw new Error(`${name}: PUT device group ${group.id}: ${created.status} ${await created.text()}`)
      console.error(`${name}: paging through the device group ${group.id}…`)
      const groupPage = `${base}/api/deviceGroups/${group.id}/devices?api-version=${API_VERSION}&maxpagesize=100`
      const groupWalk = JSON.parse(execFileSync(file, [...args, groupPage, operator], { cwd: root, encoding: 'utf8' })) as WalkResult
      if (groupWalk.devices !== group.devices) {
        throw new Error(`${name}: the group ${group.id} held ${groupWalk.devices} devices, not ${group.devices}`)
      }
      groups.push({
        group: group.id,
        filter: group.body.filter,
        ...('organizations' in group.body ? { organization: ORGANIZATION } : {}),
        devices: groupWalk.devices,
        pages: groupWalk.pages,
        firstPageMs: groupWalk.firstPageMs,
        lastPagesMs: groupWalk.lastPagesMs,
        lastVsFirst: Number((groupWalk.lastPagesMs / groupWalk.firstPageMs).toFixed(2)),
        firstVsDeviceList: Number((groupWalk.firstPageMs / walk.firstPageMs).toFixed(2)),
        lastVsDeviceList: Number((groupWalk.lastPagesMs / walk.lastPagesMs).toFixed(2)),
        walkSeconds: groupWalk.walkSeconds,
        pageTenthsMs: groupWalk.tenthsMs,
      })
    }

    console.error(`${name}: GET /api/devices/{id} for random ids…`)
    const pathsFile = path.join(workDir, 'random-paths.txt')
    const paths = Array.from(
      { length: RANDOM_IDS },
      () => `/api/devices/${deviceId(1 + Math.floor(Math.random() * DEVICES))}?api-version=${API_VERSION}`,
    )
    writeFileSync(pathsFile, paths.join('\n'))
    runLoad({ url: `${base}${paths[0]}`, credential: operator, pathsFile }, 1, CONNECTIONS) // warm-up
    const byId = runLoad({ url: `${base}${paths[0]}`, credential: operator, pathsFile }, SECONDS, CONNECTIONS)
    if (byId.errors > 0 || byId.requests === 0) throw new Error(`${name}: ${byId.errors} errors of ${byId.requests}`)
    return {
      store: name,
      devices: DEVICES,
      importRowsPerSecond: summary.rowsPerSecond,
      importSeconds: summary.seconds,
      pages: walk.pages,
      firstPageMs: walk.firstPageMs,
      lastPagesMs: walk.lastPagesMs,
      lastVsFirst: Number((walk.lastPagesMs / walk.firstPageMs).toFixed(2)),
      walkSeconds: walk.walkSeconds,
      pageTenthsMs: walk.tenthsMs,
      getByIdRequestsPerSecond: Math.round(byId.requestsPerSecond),
      getByIdP50Ms: byId.p50,
      getByIdP99Ms: byId.p99,
      peakRssMb: peakRssMb(server.pid),
      groups,
    }
  } finally {
    await stopProcess(server)
  }
}

async function main() {
  if (!existsSync(path.join(root, 'dist/cli/main.js'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })
  const started = performance.now()
  // Other work on the machine skews every number; the table says how busy it was.
  const loadAtStart = loadavg()[0]?.toFixed(1)
  const workDir = mkdtempSync(path.join(tmpdir(), 'opencentral-scale-'))
  const postgres = await createScratchDatabase(`opencentral_scale_${process.pid}`, 'it is skipped')
  try {
    const csv = path.join(workDir, 'devices.csv')
    console.error(`writing ${DEVICES} devices to ${csv}…`)
    await writeCsv(csv)
    const csvMb = Math.round(statSync(csv).size / 1024 / 1024)
    const rows = []
    if (STORES.includes('sqlite')) rows.push(await measureStore('SQLite', ['--data', path.join(workDir, 'data')], csv, workDir))
    if (postgres && STORES.includes('postgres')) {
      rows.push(await measureStore('PostgreSQL', ['--database', postgres.url, '--data', path.join(workDir, 'pg')], csv, workDir))
    }

    const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}`
    const date = new Date().toISOString().slice(0, 10)
    const minutes = ((performance.now() - started) / 60_000).toFixed(1)
    const table = [
      `${DEVICES} devices (a ${csvMb} MB CSV) — ${date}, ${machine}; ${minutes} min in all, load average ${loadAtStart} at the start. First page: median of 100 requests, after the walk, of` +
        ` \`GET /api/devices?maxpagesize=100\`; last pages: median of the last 100 pages reached by following \`nextLink\`` +
        ` (goal: ≤ 1.5× the first); GET by id: random ids, ${SECONDS} s, ${CONNECTIONS} connections; peak RSS of the server (goal: < 300 MB).`,
      '',
      '| store | import rows/s | first page ms | last pages ms | last / first | pages walked in s | GET by id req/s | p50 ms | p99 ms | peak RSS MB |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map(
        (r) =>
          `| ${r.store} | ${r.importRowsPerSecond} | ${r.firstPageMs} | ${r.lastPagesMs} | ${r.lastVsFirst.toFixed(2)} | ${r.pages} in ${r.walkSeconds} | ${r.getByIdRequestsPerSecond} | ${r.getByIdP50Ms} | ${r.getByIdP99Ms} | ${r.peakRssMb} |`,
      ),
      '',
      `Device groups over the same devices: \`GET /api/deviceGroups/{id}/devices?maxpagesize=100\`, measured as above (goal: last pages ≤ 1.5× the first, and as fast as the device list's).`,
      '',
      '| store | group | devices | first page ms | last pages ms | last / first | first / device list first | last / device list last | pages walked in s |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.flatMap((r) =>
        r.groups.map(
          (g) =>
            `| ${r.store} | \`${g.filter.replace('SELECT * FROM devices WHERE ', '')}\`${g.organization ? ` in ${g.organization}` : ''} | ${g.devices} | ${g.firstPageMs} | ${g.lastPagesMs} | ${g.lastVsFirst.toFixed(2)} | ${g.firstVsDeviceList.toFixed(2)} | ${g.lastVsDeviceList.toFixed(2)} | ${g.pages} in ${g.walkSeconds} |`,
        ),
      ),
    ].join('\n')
    console.log(`\n${table}`)

    const results = path.join(root, 'bench/results')
    mkdirSync(results, { recursive: true })
    writeFileSync(
      path.join(results, 'scale.json'),
      `${JSON.stringify({ date, machine, loadAtStart, devices: DEVICES, batchSize: BATCH_SIZE, seconds: SECONDS, connections: CONNECTIONS, rows }, null, 2)}\n`,
    )
    const readme = path.join(root, 'README.md')
    const text = readFileSync(readme, 'utf8')
    const marked = /<!-- scale:start -->[\s\S]*<!-- scale:end -->/
    if (marked.test(text)) writeFileSync(readme, text.replace(marked, `<!-- scale:start -->\n${table}\n<!-- scale:end -->`))
  } finally {
    await postgres?.drop()
    rmSync(workDir, { recursive: true, force: true })
  }
}

await main()

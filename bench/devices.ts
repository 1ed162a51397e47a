// `npm run bench:devices`: devices on one node. Starts the server (`opencentral start --tls-dev`,
// a fresh SQLite data dir, free ports) on core 0 and simulated devices in worker processes
// (bench/lib/device-load-worker.ts) on the other cores, and measures, through the real protocol:
// connections established per second, telemetry messages stored per second at saturation (PUBACK
// after the store committed), publish → REST-visible latency at half that rate, the server's RSS per
// connected device and its CPU time; then the same devices and flood against a bare MQTT server
// (bench/mqtt-floor-server.ts), the floor OpenCentral's messages per second are a ratio of.
// Writes bench/results/devices.json and the table in README.md. Goals are reported against, not asserted.
import { execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:https'
import { cpus, loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { HubDevice } from '../src/device-plane/simulator/hub-device.js'
import { deriveDeviceKey } from '../src/provisioning/keys.js'
import { command, connectDevices, floodDevices, sentTotals, share, startWorkers, stopWorkers } from './lib/device-workers.js'
import { mqttFloor } from './lib/mqtt-floor.js'
import { rssMb } from './lib/process-usage.js'
import { freePort, median, pinned, root, startProcess, stopProcess } from './lib/processes.js'
import { API_VERSION } from './lib/settings.js'
import { tlsFloorKbPerConnection } from './lib/tls-floor.js'

const DEVICES = Number(argument('--devices') ?? process.env.BENCH_DEVICES ?? 10_000)
const WORKERS = Number(process.env.BENCH_DEVICE_WORKERS ?? Math.max(1, cpus().length - 1))
const FLOOD_SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
/** Messages each worker keeps awaiting their PUBACK while flooding. */
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 2000)
/** CONNECTs each worker keeps in flight while connecting. */
const CONNECT_CONCURRENCY = Number(process.env.BENCH_CONNECT_CONCURRENCY ?? 200)
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 200)
const TEMPLATE = 'dtmi:bench:sensor;1'
const HUB = 'localhost'
const PROBE = 'bench-probe'

const GOALS = { rssMbAtTenThousand: 500, messagesPerSecond: 20_000, p99Ms: 200 }

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name)
  return at === -1 ? undefined : process.argv[at + 1]
}

const deviceId = (n: number) => `bench-${String(n).padStart(6, '0')}`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] as number
}
const round = (value: number, digits = 1) => Number(value.toFixed(digits))

/** JSON over HTTPS to the server, trusting its development CA. */
function client(base: string, ca: string, authorization: string) {
  const agent = new Agent({ ca, keepAlive: true, maxSockets: 32 })
  return (method: string, pathname: string, body?: unknown): Promise<{ status: number; body: any }> =>
    new Promise((resolve, reject) => {
      const url = new URL(pathname, base)
      url.searchParams.set('api-version', API_VERSION)
      const data = body === undefined ? undefined : JSON.stringify(body)
      const sent = request(
        url,
        { method, agent, headers: { authorization, ...(data ? { 'content-type': 'application/json' } : {}) } },
        (response) => {
          let text = ''
          response.setEncoding('utf8')
          response.on('data', (chunk: string) => (text += chunk))
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }))
        },
      )
      sent.on('error', reject)
      sent.end(data)
    })
}

async function startServer(dataDir: string) {
  const [port, mqttPort] = [await freePort(), await freePort()]
  const server = startProcess(
    pinned(0, [
      process.execPath,
      'bin/opencentral.js',
      'start',
      '--port',
      String(port),
      '--mqtt-port',
      String(mqttPort),
      '--device-host-name',
      HUB,
      '--data',
      dataDir,
      '--tls-dev',
      // Every simulated device connects from 127.0.0.1: one address, which the per-address CONNECT
      // throttle would refuse after its burst.
      '--mqtt-connect-rate',
      '0',
      '--log-level',
      'warn',
    ]),
  )
  const caFile = path.join(dataDir, 'tls', 'ca.pem')
  const base = `https://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode})`)
    if (i > 600) throw new Error('the server did not come up in 60 s')
    if (existsSync(caFile)) {
      const answer = await client(base, readFileSync(caFile, 'utf8'), '')('GET', '/healthz').catch(() => null)
      if (answer && answer.status < 500) break
    }
    await sleep(100)
  }
  return { server, base, mqttPort, ca: readFileSync(caFile, 'utf8') }
}

/** Publishes a fresh value on the probe device and polls REST until it shows; the ms in between. */
async function visibleAfter(probe: HubDevice, call: ReturnType<typeof client>, n: number): Promise<number> {
  const value = 1000 + n + Math.random() / 10
  const started = performance.now()
  await probe.sendTelemetry({ temperature: value })
  for (;;) {
    const answer = await call('GET', `/api/devices/${PROBE}/telemetry/temperature`)
    if (answer.status === 200 && answer.body?.value === value) return performance.now() - started
    if (performance.now() - started > 10_000) throw new Error(`value ${value} not visible after 10 s`)
    await sleep(1)
  }
}

async function main() {
  if (!existsSync(path.join(root, 'dist/cli/main.js'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })
  const loadAtStart = loadavg()[0]?.toFixed(1)
  const workDir = mkdtempSync(path.join(tmpdir(), 'opencentral-devices-'))
  const dataDir = path.join(workDir, 'data')
  const children: ChildProcess[] = []
  try {
    const { server, base, mqttPort, ca } = await startServer(dataDir)
    children.push(server)
    const admin = execFileSync(
      process.execPath,
      ['bin/opencentral.js', 'token', 'create', `bench-admin-${process.pid}`, '--role', 'Administrator', '--data', dataDir],
      { cwd: root, encoding: 'utf8' },
    ).trim()
    const call = client(base, ca, admin)
    const must = async (method: string, pathname: string, body?: unknown) => {
      const answer = await call(method, pathname, body)
      if (answer.status >= 300) throw new Error(`${method} ${pathname}: ${answer.status} ${JSON.stringify(answer.body)}`)
      return answer.body
    }
    await must('PUT', `/api/deviceTemplates/${TEMPLATE}`, {
      '@type': ['ModelDefinition', 'DeviceModel'],
      displayName: 'Bench sensor',
      capabilityModel: {
        '@id': `${TEMPLATE}:model`,
        '@type': 'Interface',
        contents: [{ '@type': 'Telemetry', name: 'temperature', schema: 'double' }],
      },
    })
    const groupKey = (await must('GET', '/api/enrollmentGroups/SAS-IoT-Devices')).attestation.symmetricKey.primaryKey as string
    const ids = Array.from({ length: DEVICES }, (_, i) => deviceId(i + 1))
    console.error(`creating ${DEVICES} devices…`)
    for (let at = 0; at < ids.length; at += 50) {
      await Promise.all(ids.slice(at, at + 50).map((id) => must('PUT', `/api/devices/${id}`, { template: TEMPLATE })))
    }

    const endpoint = { host: '127.0.0.1', port: mqttPort, ca }
    await must('PUT', `/api/devices/${PROBE}`, { template: TEMPLATE })
    const idScope = (await must('GET', `/api/devices/${PROBE}/credentials`)).idScope as string
    const workers = startWorkers(WORKERS)
    children.push(...workers)

    // The hub admits only devices the provisioning service registered: DPS over HTTPS first.
    console.error(`registering ${DEVICES} devices through DPS…`)
    let started = performance.now()
    const registered = await command(
      workers,
      workers.map((_, w) => ({ kind: 'register', dps: { url: base, ca }, idScope, groupKey, ids: share(ids, WORKERS, w), concurrency: CONNECT_CONCURRENCY })),
    )
    const registerSeconds = (performance.now() - started) / 1000
    const registeredCount = registered.reduce((sum, r) => sum + (r.kind === 'registered' ? r.registered : 0), 0)
    for (const r of registered) if (r.kind === 'registered' && r.firstError) console.error(`first registration failure: ${r.firstError}`)
    await command([workers[0]!], [{ kind: 'register', dps: { url: base, ca }, idScope, groupKey, ids: [PROBE], concurrency: 1 }])
    await sleep(2000)
    const rssBefore = rssMb(server.pid)

    console.error(`connecting ${DEVICES} devices from ${WORKERS} worker(s)…`)
    const connectOrder = { hub: HUB, groupKey, ids, concurrency: CONNECT_CONCURRENCY }
    const connected = await connectDevices(workers, server.pid, { ...connectOrder, endpoint })
    const connectedCount = connected.connected
    await sleep(2000)
    const rssConnected = rssMb(server.pid)

    console.error(`flooding telemetry for ${FLOOD_SECONDS} s…`)
    const saturated = await floodDevices(workers, server.pid, FLOOD_SECONDS, IN_FLIGHT)
    const messagesPerSecond = saturated.acked / saturated.seconds
    const rssPeak = rssMb(server.pid)

    const halfRate = Math.max(1, Math.round(messagesPerSecond / 2))
    console.error(`publish → visible at ${halfRate} msg/s, ${LATENCY_SAMPLES} samples…`)
    const probe = await HubDevice.connect(endpoint, { hub: HUB, deviceId: PROBE, deviceKey: deriveDeviceKey(groupKey, PROBE) })
    const latencySeconds = Math.max(5, LATENCY_SAMPLES * 0.06)
    const background = command(
      workers,
      workers.map(() => ({ kind: 'rate', perSecond: halfRate / WORKERS, seconds: latencySeconds })),
    )
    started = performance.now()
    const latencies: number[] = []
    for (let n = 0; n < LATENCY_SAMPLES; n++) {
      latencies.push(await visibleAfter(probe, call, n))
      const spacing = (latencySeconds * 1000) / LATENCY_SAMPLES
      const next = started + (n + 1) * spacing - performance.now()
      if (next > 0) await sleep(next)
    }
    const atHalf = sentTotals(await background)
    await probe.close()
    await stopWorkers(workers)

    console.error(`the TLS floor: a bare node:tls server holding ${connectedCount} connections…`)
    const tlsFloorKb = await tlsFloorKbPerConnection(dataDir, ca, connectedCount, CONNECT_CONCURRENCY)

    // The floor has core 0 to itself, as OpenCentral had while it was measured.
    await stopProcess(server)
    console.error(`the MQTT floor: ${DEVICES} devices flooding a bare MQTT server for ${FLOOD_SECONDS} s…`)
    const floor = await mqttFloor({ ...connectOrder, dataDir, ca, workers: WORKERS, seconds: FLOOD_SECONDS, inFlight: IN_FLIGHT })
    const floorMessagesPerSecond = floor.flood.acked / floor.flood.seconds
    const serverCpuPerMessage = (saturated.serverCpu * 1e6) / Math.max(saturated.acked, 1)
    const floorCpuPerMessage = (floor.flood.serverCpu * 1e6) / Math.max(floor.flood.acked, 1)

    const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}`
    const date = new Date().toISOString().slice(0, 10)
    const perDeviceKb = ((rssConnected - rssBefore) * 1024) / Math.max(connectedCount, 1)
    const result = {
      date,
      machine,
      loadAtStart,
      devices: DEVICES,
      workers: WORKERS,
      registered: registeredCount,
      registrationsPerSecond: Math.round(registeredCount / registerSeconds),
      connected: connectedCount,
      connectFailures: connected.failed,
      connectsPerSecond: Math.round(connectedCount / connected.seconds),
      connectSeconds: round(connected.seconds, 2),
      connectCpuSeconds: round(connected.serverCpu, 2),
      rssBeforeMb: round(rssBefore),
      rssConnectedMb: round(rssConnected),
      rssPerDeviceKb: round(perDeviceKb),
      tlsFloorKbPerConnection: round(tlsFloorKb),
      rssPeakMb: round(rssPeak),
      floodSeconds: round(saturated.seconds, 2),
      messagesPerSecond: Math.round(messagesPerSecond),
      floodFailures: saturated.failed,
      sessionsDropped: atHalf.dropped,
      cpuMicrosecondsPerMessage: round(serverCpuPerMessage),
      serverCpuShare: round(saturated.serverCpu / saturated.seconds, 2),
      simulatorCpuMicrosecondsPerMessage: round((saturated.simulatorCpu * 1e6) / Math.max(saturated.acked, 1)),
      simulatorCpuShare: round(saturated.simulatorCpu / saturated.seconds, 2),
      floorConnected: floor.connected.connected,
      floorConnectsPerSecond: Math.round(floor.connected.connected / floor.connected.seconds),
      floorMessagesPerSecond: Math.round(floorMessagesPerSecond),
      floorFloodFailures: floor.flood.failed,
      messagesPerSecondOfFloor: round(messagesPerSecond / floorMessagesPerSecond, 2),
      floorCpuMicrosecondsPerMessage: round(floorCpuPerMessage),
      cpuPerMessageOfFloor: round(serverCpuPerMessage / floorCpuPerMessage, 2),
      floorCpuShare: round(floor.flood.serverCpu / floor.flood.seconds, 2),
      floorSimulatorCpuMicrosecondsPerMessage: round((floor.flood.simulatorCpu * 1e6) / Math.max(floor.flood.acked, 1)),
      floorSimulatorCpuShare: round(floor.flood.simulatorCpu / floor.flood.seconds, 2),
      latencyRate: Math.round(atHalf.acked / atHalf.seconds),
      latencyP50Ms: round(median(latencies), 1),
      latencyP99Ms: round(percentile(latencies, 99), 1),
      latencyMaxMs: round(Math.max(...latencies), 1),
    }
    const table = [
      `${DEVICES} devices, one SQLite node — ${date}, ${machine}; server on core 0, ${WORKERS} simulator process(es) on the other core(s); load average ${loadAtStart} at the start. Telemetry: QoS 1, acknowledged once stored; saturation: ${IN_FLIGHT} messages in flight per worker for ${FLOOD_SECONDS} s; latency: ${LATENCY_SAMPLES} values published on one more device and polled with \`GET …/telemetry/temperature\` while the others send at half the saturated rate. The floor: the same devices, simulator process(es) and flood against a bare MQTT server on core 0 (\`bench/mqtt-floor-server.ts\`: node:tls with the same certificate, mqtt-packet, PUBACK at once, nothing stored).`,
      '',
      '| measure | result | goal |',
      '|---|---:|---:|',
      `| DPS registrations (HTTPS) per second | ${result.registrationsPerSecond} (${result.registered} registered) | |`,
      `| devices connected (failed; sessions dropped later) | ${result.connected} (${result.connectFailures}; ${result.sessionsDropped}) | ${DEVICES} |`,
      `| connections established per second | ${result.connectsPerSecond} | |`,
      `| server RSS with every device connected, MB | ${result.rssConnectedMb} | < ${GOALS.rssMbAtTenThousand} at 10,000 |`,
      `| RSS per connected device, KB | ${result.rssPerDeviceKb} | |`,
      `| bare node:tls server, RSS per idle connection, KB (the floor: TLS alone) | ${result.tlsFloorKbPerConnection} | |`,
      `| telemetry messages stored per second (saturation) | ${result.messagesPerSecond} | ≥ ${GOALS.messagesPerSecond} |`,
      `| server CPU per message, µs (cores busy) | ${result.cpuMicrosecondsPerMessage} (${result.serverCpuShare}) | |`,
      `| simulators' CPU per message, µs (cores busy) | ${result.simulatorCpuMicrosecondsPerMessage} (${result.simulatorCpuShare}) | |`,
      `| bare MQTT server, messages acknowledged per second (the floor: TLS and MQTT alone) | ${result.floorMessagesPerSecond} | |`,
      `| OpenCentral's messages per second ÷ the floor's | ${result.messagesPerSecondOfFloor} | |`,
      `| bare MQTT server CPU per message, µs (cores busy) | ${result.floorCpuMicrosecondsPerMessage} (${result.floorCpuShare}) | |`,
      `| OpenCentral's CPU per message ÷ the floor's | ${result.cpuPerMessageOfFloor} | |`,
      `| simulators' CPU per message against the floor, µs (cores busy) | ${result.floorSimulatorCpuMicrosecondsPerMessage} (${result.floorSimulatorCpuShare}) | |`,
      `| publish → visible in REST at ${result.latencyRate} msg/s, p50 / p99 ms | ${result.latencyP50Ms} / ${result.latencyP99Ms} | p99 < ${GOALS.p99Ms} |`,
    ].join('\n')
    console.log(`\n${table}`)

    const results = path.join(root, 'bench/results')
    mkdirSync(results, { recursive: true })
    writeFileSync(path.join(results, 'devices.json'), `${JSON.stringify(result, null, 2)}\n`)
    const readme = path.join(root, 'README.md')
    const text = readFileSync(readme, 'utf8')
    const marked = /<!-- devices:start -->[\s\S]*<!-- devices:end -->/
    if (marked.test(text)) writeFileSync(readme, text.replace(marked, `<!-- devices:start -->\n${table}\n<!-- devices:end -->`))
  } finally {
    await Promise.all(children.map(stopProcess))
    rmSync(workDir, { recursive: true, force: true })
  }
}

await main()

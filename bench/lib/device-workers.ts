// The simulator processes of `npm run bench:devices` (bench/lib/device-load-worker.ts), each
// pinned to a core other than the server's, and the measured steps bench/devices.ts has them do
// against OpenCentral and against the floor server alike.
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { cpus } from 'node:os'
import path from 'node:path'
import type { Endpoint } from '../../src/device-plane/simulator/endpoint.js'
import type { WorkerOrder, WorkerReport } from './device-load-worker.js'
import { cpuSeconds } from './process-usage.js'
import { pinned, root } from './processes.js'

/** Starts `count` workers, each pinned to a core other than the server's. */
export function startWorkers(count: number): ChildProcess[] {
  const cores = Math.max(cpus().length, 2)
  return Array.from({ length: count }, (_, index) => {
    const core = 1 + (index % (cores - 1))
    const [file, ...args] = pinned(core, [process.execPath, '--import', 'tsx']) as [string, ...string[]]
    return fork(path.join(root, 'bench/lib/device-load-worker.ts'), [], {
      cwd: root,
      execPath: file,
      execArgv: args,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
  })
}

/** Sends each worker its order and waits for every report. */
export async function command(workers: ChildProcess[], orders: WorkerOrder[]): Promise<WorkerReport[]> {
  return Promise.all(
    workers.map(async (worker, index) => {
      const answered = once(worker, 'message') as Promise<[WorkerReport]>
      worker.send(orders[index] as WorkerOrder)
      return (await answered)[0]
    }),
  )
}

/** Has the workers close their devices and exit. */
export async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map((worker) => {
      if (worker.exitCode !== null || worker.signalCode !== null) return null
      const exited = once(worker, 'exit')
      worker.send({ kind: 'stop' } satisfies WorkerOrder)
      return exited
    }),
  )
}

/** The workers' share of `ids`: every n-th to the n-th worker. */
export const share = (ids: string[], workers: number, worker: number) => ids.filter((_, i) => i % workers === worker)

/** The sums of the workers' `sent` reports; seconds is the longest worker's. */
export function sentTotals(reports: WorkerReport[]) {
  return {
    dropped: reports.reduce((sum, r) => sum + (r.kind === 'sent' ? r.dropped : 0), 0),
    acked: reports.reduce((sum, r) => sum + (r.kind === 'sent' ? r.acked : 0), 0),
    failed: reports.reduce((sum, r) => sum + (r.kind === 'sent' ? r.failed : 0), 0),
    seconds: Math.max(...reports.map((r) => (r.kind === 'sent' ? r.seconds : 0))),
  }
}

export interface ConnectOrder {
  endpoint: Endpoint
  hub: string
  groupKey: string
  ids: string[]
  concurrency: number
}

/** Connects the ids (shared among the workers) to `endpoint`: counts, wall seconds and the server's CPU seconds. */
export async function connectDevices(workers: ChildProcess[], serverPid: number | undefined, order: ConnectOrder) {
  const cpu = cpuSeconds(serverPid)
  const started = performance.now()
  const reports = await command(
    workers,
    workers.map((_, w) => ({ kind: 'connect', ...order, ids: share(order.ids, workers.length, w) })),
  )
  const seconds = (performance.now() - started) / 1000
  const serverCpu = cpuSeconds(serverPid) - cpu
  for (const r of reports) if (r.kind === 'connected' && r.firstError) console.error(`first failure: ${r.firstError}`)
  return {
    connected: reports.reduce((sum, r) => sum + (r.kind === 'connected' ? r.connected : 0), 0),
    failed: reports.reduce((sum, r) => sum + (r.kind === 'connected' ? r.failed : 0), 0),
    seconds,
    serverCpu,
  }
}

/** Floods from every connected device for `seconds`, `inFlight` unacknowledged per worker: totals and CPU seconds. */
export async function floodDevices(workers: ChildProcess[], serverPid: number | undefined, seconds: number, inFlight: number) {
  const simulatorCpu = () => workers.reduce((sum, worker) => sum + cpuSeconds(worker.pid), 0)
  const server = cpuSeconds(serverPid)
  const simulators = simulatorCpu()
  const reports = await command(
    workers,
    workers.map(() => ({ kind: 'flood', seconds, inFlight })),
  )
  return { ...sentTotals(reports), serverCpu: cpuSeconds(serverPid) - server, simulatorCpu: simulatorCpu() - simulators }
}

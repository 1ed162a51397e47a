// One load-generating process of `npm run bench:devices`: holds its share of the simulated devices
// (src/device-plane/simulator) and, told over IPC by bench/devices.ts, connects them, floods
// telemetry, or sends it at a set rate. Runs pinned to its own core, apart from the server.
import { deriveDeviceKey } from '../../src/provisioning/keys.js'
import { registerOverHttps, type DpsHttpsEndpoint } from '../../src/device-plane/simulator/dps-https.js'
import type { Endpoint } from '../../src/device-plane/simulator/endpoint.js'
import { HubDevice } from '../../src/device-plane/simulator/hub-device.js'

export type WorkerOrder =
  | { kind: 'register'; dps: DpsHttpsEndpoint; idScope: string; groupKey: string; ids: string[]; concurrency: number }
  | { kind: 'connect'; endpoint: Endpoint; hub: string; groupKey: string; ids: string[]; concurrency: number }
  | { kind: 'flood'; seconds: number; inFlight: number }
  | { kind: 'rate'; perSecond: number; seconds: number }
  | { kind: 'stop' }

export type WorkerReport =
  | { kind: 'registered'; registered: number; failed: number; firstError?: string }
  | { kind: 'connected'; connected: number; failed: number; firstError?: string }
  | { kind: 'sent'; acked: number; failed: number; seconds: number; dropped: number }

const devices: HubDevice[] = []
/** Sessions the server ended while the bench ran. */
let dropped = 0

const report = (message: WorkerReport) => process.send?.(message)

/** Does `work` for each id, `concurrency` at a time; counts failures and keeps the first one's words. */
async function each(ids: string[], concurrency: number, work: (id: string) => Promise<void>) {
  let next = 0
  let failed = 0
  let firstError: string | undefined
  const lane = async () => {
    while (next < ids.length) {
      const id = ids[next++] as string
      try {
        await work(id)
      } catch (error) {
        failed++
        firstError ??= `${id}: ${(error as Error).message}`
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return { failed, ...(firstError ? { firstError } : {}) }
}

/** Registers the ids through DPS over HTTPS (which marks them provisioned, as the hub requires). */
async function register(order: Extract<WorkerOrder, { kind: 'register' }>) {
  let registered = 0
  const outcome = await each(order.ids, order.concurrency, async (registrationId) => {
    const deviceKey = deriveDeviceKey(order.groupKey, registrationId)
    await registerOverHttps(order.dps, { idScope: order.idScope, registrationId, deviceKey })
    registered++
  })
  report({ kind: 'registered', registered, ...outcome })
}

/** Connects the ids, `concurrency` CONNECTs in flight at a time. */
async function connect(order: Extract<WorkerOrder, { kind: 'connect' }>) {
  const outcome = await each(order.ids, order.concurrency, async (deviceId) => {
    const deviceKey = deriveDeviceKey(order.groupKey, deviceId)
    devices.push(await HubDevice.connect(order.endpoint, { hub: order.hub, deviceId, deviceKey }, { onClose: () => dropped++ }))
  })
  report({ kind: 'connected', connected: devices.length, ...outcome })
}

const message = () => ({ temperature: Math.round(Math.random() * 4000) / 100 })

/** Keeps `inFlight` messages unacknowledged at all times, round-robin over the devices, for `seconds`. */
async function flood(seconds: number, inFlight: number) {
  const until = performance.now() + seconds * 1000
  const started = performance.now()
  let acked = 0
  let failed = 0
  let turn = 0
  const lane = async () => {
    while (performance.now() < until && devices.length > 0) {
      const device = devices[turn++ % devices.length] as HubDevice
      try {
        await device.sendTelemetry(message())
        acked++
      } catch {
        failed++
      }
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane))
  report({ kind: 'sent', acked, failed, seconds: (performance.now() - started) / 1000, dropped })
}

/** Sends `perSecond` messages a second (in 10 ms ticks) for `seconds`, counting PUBACKs. */
async function rate(perSecond: number, seconds: number) {
  const started = performance.now()
  let due = 0
  let sent = 0
  let acked = 0
  let failed = 0
  let turn = 0
  const pending: Promise<void>[] = []
  while (performance.now() - started < seconds * 1000 && devices.length > 0) {
    due = ((performance.now() - started) / 1000) * perSecond
    while (sent < due) {
      const device = devices[turn++ % devices.length] as HubDevice
      sent++
      pending.push(device.sendTelemetry(message()).then(() => void acked++, () => void failed++))
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  // Messages still unacknowledged a while after the last was sent count as failed.
  await Promise.race([Promise.all(pending), new Promise((resolve) => setTimeout(resolve, 30_000))])
  failed += sent - acked - failed
  report({ kind: 'sent', acked, failed, seconds: (performance.now() - started) / 1000, dropped })
}

process.on('message', (order: WorkerOrder) => {
  const work =
    order.kind === 'register'
      ? register(order)
      : order.kind === 'connect'
      ? connect(order)
      : order.kind === 'flood'
        ? flood(order.seconds, order.inFlight)
        : order.kind === 'rate'
          ? rate(order.perSecond, order.seconds)
          : Promise.all(devices.map((device) => device.close())).then(() => process.exit(0))
  work.catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
})

import { deriveDeviceKey } from '../../provisioning/keys.js'
import { registerOverMqtt, type RegistrationInput } from './dps-client.js'
import { registerOverHttps, type DpsHttpsEndpoint } from './dps-https.js'
import type { Endpoint } from './endpoint.js'
import { HubDevice } from './hub-device.js'
import { sampleMessage, samplePlan, type SamplePlan } from './sample-values.js'

/** How often each device reports its properties again. */
export const PROPERTY_REPORT_INTERVAL_MS = 60_000

export interface FleetOptions {
  endpoint: Endpoint
  /** Device ids: `{prefix}{n}` for n from `first` (default 1). */
  idPrefix: string
  count: number
  first?: number
  /** The group's symmetric key each device's key is derived from. */
  groupKey: string
  /**
   * Register through DPS (with this ID scope) before connecting: over MQTT at `endpoint`, or over
   * HTTPS when `https` is given. Null: connect directly to `hub`.
   */
  dps: { idScope: string; https?: DpsHttpsEndpoint } | null
  /** The hub's host name devices sign for when they connect directly. */
  hub: string
  /** The template whose telemetry and properties are simulated (its document), and its id as model id. */
  template?: { id: string; document: unknown }
  /** Seconds between a device's telemetry messages; 0 sends none. */
  intervalSeconds: number
  connectsPerSecond: number
  /** Acknowledge desired properties already in the twin on connect. */
  acknowledgeTwin?: boolean
  /** Told of each device once connected (or failed), for progress. */
  onProgress?(stats: FleetStats): void
}

export interface FleetStats {
  connected: number
  failed: number
  disconnected: number
  registered: number
  telemetrySent: number
  telemetryFailed: number
  propertiesReported: number
  commandsAnswered: number
  desiredAcknowledged: number
  /** The first errors seen, in words (never a key or token). */
  errors: string[]
}

const MAX_ERRORS = 10

/**
 * Simulated devices on the real protocol: each registers (DPS over MQTT) or connects directly,
 * then sends telemetry every interval, reports properties every minute, answers direct methods and
 * acknowledges desired properties.
 */
export class Fleet {
  readonly stats: FleetStats = {
    connected: 0,
    failed: 0,
    disconnected: 0,
    registered: 0,
    telemetrySent: 0,
    telemetryFailed: 0,
    propertiesReported: 0,
    commandsAnswered: 0,
    desiredAcknowledged: 0,
    errors: [],
  }
  readonly devices: HubDevice[] = []
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly plan: SamplePlan
  private stopping = false

  constructor(private readonly options: FleetOptions) {
    this.plan = samplePlan(options.template?.document)
  }

  /** Connects every device at `connectsPerSecond`; resolves once each has connected or failed. */
  async start(): Promise<void> {
    const { count, connectsPerSecond } = this.options
    const first = this.options.first ?? 1
    const spacing = 1000 / Math.max(connectsPerSecond, 0.001)
    const started = performance.now()
    const attempts: Promise<void>[] = []
    for (let n = 0; n < count && !this.stopping; n++) {
      const due = started + n * spacing
      const wait = due - performance.now()
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
      attempts.push(this.bring(`${this.options.idPrefix}${first + n}`))
    }
    await Promise.all(attempts)
  }

  /** Disconnects every device cleanly (DISCONNECT, then the socket closes). */
  async stop(): Promise<void> {
    this.stopping = true
    for (const timer of this.timers) clearInterval(timer)
    this.timers.clear()
    await Promise.all(this.devices.map((device) => device.close()))
  }

  private note(error: unknown, deviceId: string) {
    if (this.stats.errors.length >= MAX_ERRORS) return
    const message = error instanceof Error ? error.message : String(error)
    this.stats.errors.push(`${deviceId}: ${message}`)
  }

  private async bring(deviceId: string): Promise<void> {
    const { endpoint, dps, template } = this.options
    const deviceKey = deriveDeviceKey(this.options.groupKey, deviceId)
    try {
      let hub = this.options.hub
      if (dps) {
        const input: RegistrationInput = {
          idScope: dps.idScope,
          registrationId: deviceId,
          deviceKey,
          ...(template ? { modelId: template.id } : {}),
        }
        const assignment = dps.https ? await registerOverHttps(dps.https, input) : await registerOverMqtt(endpoint, input)
        hub = assignment.assignedHub
        this.stats.registered++
      }
      if (this.stopping) return
      const device = await HubDevice.connect(
        endpoint,
        { hub, deviceId, deviceKey, ...(template ? { modelId: template.id } : {}) },
        {
          onCommand: () => this.stats.commandsAnswered++,
          onDesired: () => this.stats.desiredAcknowledged++,
          onClose: (_id, error) => {
            if (this.stopping) return
            this.stats.disconnected++
            if (error) this.note(error, deviceId)
          },
        },
      )
      this.devices.push(device)
      this.stats.connected++
      if (this.options.acknowledgeTwin) await device.acknowledgeTwin().catch((error) => this.note(error, deviceId))
      this.schedule(device)
    } catch (error) {
      this.stats.failed++
      this.note(error, deviceId)
    } finally {
      this.options.onProgress?.(this.stats)
    }
  }

  /** Telemetry every interval and properties every minute, each device starting at a random offset. */
  private schedule(device: HubDevice): void {
    const { intervalSeconds } = this.options
    const every = (ms: number, work: () => void) => {
      const start = setTimeout(() => {
        this.timers.delete(start)
        if (this.stopping) return
        work()
        const timer = setInterval(work, ms)
        this.timers.add(timer)
      }, Math.random() * ms)
      this.timers.add(start)
    }
    if (intervalSeconds > 0) every(intervalSeconds * 1000, () => this.sendTelemetry(device))
    if (this.plan.properties.size > 0) {
      this.reportProperties(device)
      every(PROPERTY_REPORT_INTERVAL_MS, () => this.reportProperties(device))
    }
  }

  private sendTelemetry(device: HubDevice): void {
    for (const [component, capabilities] of this.plan.telemetry) {
      device.sendTelemetry(sampleMessage(capabilities), component).then(
        () => this.stats.telemetrySent++,
        (error: unknown) => {
          this.stats.telemetryFailed++
          this.note(error, device.deviceId)
        },
      )
    }
  }

  private reportProperties(device: HubDevice): void {
    const patch: Record<string, unknown> = {}
    for (const [component, capabilities] of this.plan.properties) {
      const values = sampleMessage(capabilities)
      if (component === null) Object.assign(patch, values)
      else patch[component] = { __t: 'c', ...values }
    }
    device.reportProperties(patch).then(
      () => this.stats.propertiesReported++,
      (error: unknown) => this.note(error, device.deviceId),
    )
  }
}

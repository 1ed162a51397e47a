import { existsSync, readFileSync } from 'node:fs'
import type { Config } from '../../config/schema.js'
import { registerOverMqtt, RegistrationError, type RegistrationInput } from '../../device-plane/simulator/dps-client.js'
import { registerOverHttps } from '../../device-plane/simulator/dps-https.js'
import type { Endpoint } from '../../device-plane/simulator/endpoint.js'
import { Fleet, type FleetOptions, type FleetStats } from '../../device-plane/simulator/fleet.js'
import { AppError } from '../../errors/app-error.js'
import { deriveDeviceKey, symmetricKeyProblem } from '../../provisioning/keys.js'
import { DEFAULT_GROUPS } from '../../services/enrollment-group.service.js'
import type { Services } from '../../services/index.js'
import { devCertificatePaths } from '../../tls/dev-certificates.js'
import type { CommandContext } from '../command.js'
import { UsageError, type Output } from '../output.js'
import { createProgress } from '../progress.js'
import { withServices } from '../store-session.js'

const DEFAULT_INTERVAL_SECONDS = 10
const DEFAULT_CONNECTS_PER_SECOND = 100
const DEFAULT_ID_PREFIX = 'sim-'
const DEFAULT_GROUP = DEFAULT_GROUPS[0]!.id

/**
 * `devices simulate <count>`: devices on the real protocol (DPS over MQTT, then IoT Hub MQTT)
 * sending telemetry, reporting properties, answering commands and acknowledging desired
 * properties until Ctrl-C (or --duration), then a summary.
 */
export async function devicesSimulate({ args, flags, switches, env, output }: CommandContext) {
  const count = wholeNumber(args[0], 'count', 1)
  if (args.length !== 1) throw new UsageError('devices simulate takes exactly one count')
  const intervalSeconds = positive(flags.interval, '--interval', DEFAULT_INTERVAL_SECONDS)
  const connectsPerSecond = positive(flags['connects-per-second'], '--connects-per-second', DEFAULT_CONNECTS_PER_SECOND)
  const duration = flags.duration === undefined ? null : positive(flags.duration, '--duration', 0)
  const idPrefix = flags['id-prefix'] ?? DEFAULT_ID_PREFIX
  if (flags.key !== undefined && flags.group !== undefined) throw new UsageError('give --key or --group, not both')
  if (flags.key !== undefined) {
    const problem = symmetricKeyProblem(flags.key)
    if (problem) throw new UsageError(`--key ${problem}`)
  }

  const options = await withServices(flags, env, output, async (services, config) => {
    const settings = await settingsFrom(services, config, flags, { count, idPrefix, intervalSeconds, connectsPerSecond })
    if (switches.has('direct') || !(await dpsAnswers(settings, dpsUrl(config, flags), output))) {
      settings.dps = null
      const created = await createMissing(services, settings)
      output.err(`Connecting directly to ${settings.hub}${created > 0 ? ` (${created} devices created)` : ''}.`)
    }
    return settings
  })
  return simulate(options, duration, output)
}

/** Everything the fleet needs, from the flags and, where they are silent, the store and configuration. */
async function settingsFrom(
  services: Services,
  config: Config,
  flags: CommandContext['flags'],
  given: Pick<FleetOptions, 'count' | 'idPrefix' | 'intervalSeconds' | 'connectsPerSecond'>,
): Promise<FleetOptions> {
  const host = flags.host ?? config.host
  const endpoint: Endpoint = { host: host === '0.0.0.0' || host === '::' ? 'localhost' : host, port: config.mqttPort }
  const caFile = flags.ca ?? devCertificatePaths(config.dataDir).caCert
  if (flags.ca !== undefined || existsSync(caFile)) {
    try {
      endpoint.ca = readFileSync(caFile, 'utf8')
    } catch (error) {
      throw new UsageError(`--ca: cannot read '${caFile}': ${(error as Error).message}`)
    }
  }
  const groupKey = flags.key ?? (await services.enrollmentGroups.symmetricKeys(flags.group ?? DEFAULT_GROUP)).primaryKey
  const template = flags.template === undefined ? undefined : { id: flags.template, document: await services.deviceTemplates.get(flags.template) }
  return {
    ...given,
    endpoint,
    groupKey,
    dps: { idScope: flags['id-scope'] ?? (await services.provisioning.idScope()) },
    hub: config.deviceHostName ?? (config.publicUrl ? new URL(config.publicUrl).hostname : endpoint.host),
    ...(template ? { template } : {}),
    acknowledgeTwin: true,
  }
}

/** The provisioning service's HTTPS base: `--dps-url`, else the server's own URL. */
function dpsUrl(config: Config, flags: CommandContext['flags']): string {
  if (flags['dps-url']) return flags['dps-url']
  if (config.publicUrl) return config.publicUrl
  const tls = config.tlsDev || config.tlsCert !== undefined
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host
  return `${tls ? 'https' : 'http'}://${host}:${config.port}`
}

/**
 * Which provisioning transport answers: registers the first device over MQTT, else over HTTPS
 * (switching the fleet to it). A refusal is the service's answer (fatal: the group or scope is
 * wrong); no answer on either means there is no DPS, and devices connect directly.
 */
async function dpsAnswers(settings: FleetOptions, url: string, output: Output): Promise<boolean> {
  const registrationId = `${settings.idPrefix}1`
  const input: RegistrationInput = {
    idScope: settings.dps!.idScope,
    registrationId,
    deviceKey: deriveDeviceKey(settings.groupKey, registrationId),
    ...(settings.template ? { modelId: settings.template.id } : {}),
  }
  const where = `${settings.endpoint.host}:${settings.endpoint.port}`
  try {
    await registerOverMqtt(settings.endpoint, input)
    return true
  } catch (error) {
    if (error instanceof RegistrationError && error.status !== 408) throw new UsageError(error.message)
    output.err(`No device provisioning over MQTT at ${where} (${(error as Error).message}).`)
  }
  const https = { url, ...(settings.endpoint.ca ? { ca: settings.endpoint.ca } : {}) }
  try {
    await registerOverHttps(https, input)
    settings.dps = { ...settings.dps!, https }
    output.err(`Registering through DPS over HTTPS at ${url}.`)
    return true
  } catch (error) {
    if (error instanceof RegistrationError && error.status !== 408) throw new UsageError(error.message)
    output.err(`No device provisioning over HTTPS at ${url} (${(error as Error).message}).`)
    return false
  }
}

/** Connecting directly, a device must exist: creates those that do not (with the template). */
async function createMissing(services: Services, settings: FleetOptions): Promise<number> {
  let created = 0
  for (let n = 1; n <= settings.count; n++) {
    const id = `${settings.idPrefix}${n}`
    try {
      await services.devices.get(null, id)
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'NotFound')) throw error
      await services.devices.put(null, id, settings.template ? { template: settings.template.id } : {})
      created++
    }
  }
  return created
}

async function simulate(options: FleetOptions, duration: number | null, output: Output): Promise<number> {
  const progress = createProgress(process.stderr, options.count)
  const fleet = new Fleet({
    ...options,
    onProgress: (stats) => progress.update(stats.connected + stats.failed, `${stats.connected} connected, ${stats.failed} failed`),
  })
  const started = performance.now()
  let stop: () => void = () => {}
  const stopped = new Promise<void>((resolve) => (stop = resolve))
  const onSignal = () => stop()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const timer = duration === null ? null : setTimeout(stop, duration * 1000)
  try {
    await Promise.race([fleet.start(), stopped])
    progress.finish()
    if (fleet.stats.connected > 0) output.err(`${fleet.stats.connected} devices connected; Ctrl-C disconnects them.`)
    await stopped
  } finally {
    if (timer) clearTimeout(timer)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await fleet.stop()
  }
  summarize(output, fleet.stats, (performance.now() - started) / 1000)
  return fleet.stats.connected > 0 && fleet.stats.failed === 0 ? 0 : 1
}

function summarize(output: Output, stats: FleetStats, seconds: number) {
  output.out(
    `${stats.connected} devices connected (${stats.failed} failed, ${stats.disconnected} dropped) for ${seconds.toFixed(1)} s: ` +
      `${stats.telemetrySent} telemetry messages (${stats.telemetryFailed} failed), ${stats.propertiesReported} property reports, ` +
      `${stats.commandsAnswered} commands answered, ${stats.desiredAcknowledged} desired property updates acknowledged.`,
  )
  for (const error of stats.errors) output.err(error)
}

function wholeNumber(value: string | undefined, name: string, minimum: number): number {
  const number = value !== undefined && /^[0-9]+$/.test(value) ? Number(value) : Number.NaN
  if (!(number >= minimum)) throw new UsageError(`${name} must be a whole number from ${minimum} (got '${value ?? ''}')`)
  return number
}

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  const number = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : Number.NaN
  if (!(number > 0)) throw new UsageError(`${name} must be a number above 0 (got '${value}')`)
  return number
}

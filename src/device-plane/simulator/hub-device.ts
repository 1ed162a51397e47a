import mqtt, { type MqttClient } from 'mqtt'
import { tlsOptions, topicQuery, type Endpoint } from './endpoint.js'
import { deviceSas } from './sas.js'

/** The api-version of IoT Hub's MQTT username, as the device SDKs send it. */
const HUB_API_VERSION = '2021-04-12'
const KEEPALIVE_SECONDS = 180
/** How long a twin request waits for IoT Hub's answer. */
const TWIN_TIMEOUT_MS = 30_000
/** How long a clean disconnect may take before the socket is just closed. */
const CLOSE_TIMEOUT_MS = 5_000

export interface HubDeviceInput {
  /** The hub's host name devices sign for (DPS's assignedHub). */
  hub: string
  deviceId: string
  deviceKey: string
  modelId?: string
}

/** What a simulated device did, for the summary. */
export interface DeviceEvents {
  onCommand?(deviceId: string, method: string): void
  onDesired?(deviceId: string, version: number): void
  onClose?(deviceId: string, error?: Error): void
}

type Json = Record<string, unknown>

/**
 * One device on IoT Hub's MQTT protocol: telemetry (QoS 1), reported properties through twin
 * requests, direct methods answered 200 with the request echoed, and desired properties
 * acknowledged with `ac`/`av` as IoT Plug and Play asks.
 */
export class HubDevice {
  private rid = 0
  private readonly pending = new Map<string, (status: number, body: string) => void>()
  private closing = false

  private constructor(
    readonly deviceId: string,
    private readonly client: MqttClient,
    private readonly events: DeviceEvents,
  ) {
    client.on('message', (topic, payload) => this.receive(topic, payload))
    client.on('close', () => {
      if (!this.closing) events.onClose?.(deviceId, new Error('the server closed the connection'))
    })
    client.on('error', (error) => {
      if (!this.closing) events.onClose?.(deviceId, error)
    })
  }

  /** Connects (clean session 0, as the SDKs) and subscribes to methods, twin answers and desired pushes. */
  static async connect(endpoint: Endpoint, input: HubDeviceInput, events: DeviceEvents = {}): Promise<HubDevice> {
    const modelId = input.modelId ? `&model-id=${encodeURIComponent(input.modelId)}` : ''
    const client = await mqtt.connectAsync({
      ...tlsOptions(endpoint),
      clientId: input.deviceId,
      clean: false,
      keepalive: KEEPALIVE_SECONDS,
      username: `${input.hub}/${input.deviceId}/?api-version=${HUB_API_VERSION}${modelId}`,
      password: deviceSas(input.hub, input.deviceId, input.deviceKey),
    })
    const device = new HubDevice(input.deviceId, client, events)
    try {
      await client.subscribeAsync(
        ['$iothub/methods/POST/#', '$iothub/twin/res/#', '$iothub/twin/PATCH/properties/desired/#'],
        { qos: 0 },
      )
    } catch (error) {
      await device.close()
      throw error
    }
    return device
  }

  /** Sends one telemetry message; resolves on PUBACK (the server stored it). */
  async sendTelemetry(body: unknown, component: string | null = null): Promise<void> {
    const bag = `%24.ct=application%2Fjson&%24.ce=utf-8${component ? `&%24.sub=${encodeURIComponent(component)}` : ''}`
    await this.client.publishAsync(`devices/${this.deviceId}/messages/events/${bag}`, JSON.stringify(body), { qos: 1 })
  }

  /** Reports properties (a twin PATCH); resolves with IoT Hub's status (204 when accepted). */
  reportProperties(patch: Json): Promise<number> {
    return this.twinRequest('PATCH/properties/reported/', JSON.stringify(patch)).then(({ status }) => status)
  }

  /** The twin (`{desired, reported}`), as GET twin answers it. */
  async twin(): Promise<{ desired: Json; reported: Json }> {
    const { body } = await this.twinRequest('GET/', ' ')
    return JSON.parse(body) as { desired: Json; reported: Json }
  }

  /** Acknowledges every desired property of the twin not acknowledged at its version yet. */
  async acknowledgeTwin(): Promise<void> {
    const { desired, reported } = await this.twin()
    const version = Number(desired.$version)
    const patch = acknowledgement(desired, version, reported)
    if (Object.keys(patch).length > 0) await this.reportProperties(patch)
  }

  /** Sends DISCONNECT and closes; a connection already lost (or a server that does not answer) is just dropped. */
  async close(): Promise<void> {
    this.closing = true
    if (!this.client.connected) {
      this.client.end(true)
      return
    }
    const gaveUp = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref())
    await Promise.race([this.client.endAsync().catch(() => {}), gaveUp])
    if (!this.client.disconnected) this.client.end(true)
  }

  private twinRequest(path: string, body: string): Promise<{ status: number; body: string }> {
    const rid = String(++this.rid)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid)
        reject(new Error(`${this.deviceId}: no twin answer in ${TWIN_TIMEOUT_MS / 1000} s`))
      }, TWIN_TIMEOUT_MS).unref()
      this.pending.set(rid, (status, text) => {
        clearTimeout(timer)
        resolve({ status, body: text })
      })
      this.client.publishAsync(`$iothub/twin/${path}?$rid=${rid}`, body, { qos: 0 }).catch((error: unknown) => {
        clearTimeout(timer)
        this.pending.delete(rid)
        reject(error)
      })
    })
  }

  private receive(topic: string, payload: Buffer): void {
    if (topic.startsWith('$iothub/twin/res/')) {
      const status = Number(topic.slice('$iothub/twin/res/'.length).split('/')[0])
      const rid = topicQuery(topic).get('$rid') ?? ''
      const answer = this.pending.get(rid)
      this.pending.delete(rid)
      answer?.(status, payload.toString('utf8'))
    } else if (topic.startsWith('$iothub/methods/POST/')) {
      const method = decodeURIComponent(topic.slice('$iothub/methods/POST/'.length).split('/')[0] ?? '')
      const rid = topicQuery(topic).get('$rid') ?? ''
      // The request echoed back: a JSON value (an empty request is answered with null).
      const echo = payload.length > 0 ? payload : Buffer.from('null')
      this.client.publish(`$iothub/methods/res/200/?$rid=${rid}`, echo, { qos: 0 })
      this.events.onCommand?.(this.deviceId, method)
    } else if (topic.startsWith('$iothub/twin/PATCH/properties/desired/')) {
      let desired: Json
      try {
        desired = JSON.parse(payload.toString('utf8')) as Json
      } catch {
        return
      }
      const version = Number(desired.$version ?? topicQuery(topic).get('$version'))
      this.reportProperties(acknowledgement(desired, version, {})).catch(() => {})
      this.events.onDesired?.(this.deviceId, version)
    }
  }
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/** `{"value", "ac", "av", "ad"}`: the device took the value. */
const accepted = (value: unknown, version: number) => ({ value, ac: 200, av: version, ad: 'completed' })

/**
 * The reported patch that accepts desired values at `version` (a component's inside its
 * `{"__t": "c"}` wrapper), leaving out those `reported` already acknowledges at that version.
 */
export function acknowledgement(desired: Json, version: number, reported: Json): Json {
  const patch: Json = {}
  const done = (holder: Json, name: string) => {
    const current = holder[name]
    return isObject(current) && current.av === version
  }
  for (const [name, value] of Object.entries(desired)) {
    if (name.startsWith('$')) continue
    if (isObject(value) && value.__t === 'c') {
      const inner: Json = { __t: 'c' }
      const reportedComponent = isObject(reported[name]) ? reported[name] : {}
      for (const [property, innerValue] of Object.entries(value)) {
        if (property === '__t' || property.startsWith('$') || done(reportedComponent, property)) continue
        inner[property] = accepted(innerValue, version)
      }
      if (Object.keys(inner).length > 1) patch[name] = inner
    } else if (!done(reported, name)) {
      patch[name] = accepted(value, version)
    }
  }
  return patch
}

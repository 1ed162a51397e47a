import type { Client, PublishPacket } from 'aedes'
import type { Clock } from '../../clock.js'
import type { DevicePropertyService } from '../../services/device-properties.service.js'
import type { DeviceTelemetryService } from '../../services/device-telemetry.service.js'
import type { DeviceSession } from '../mqtt/device-session.js'
import type { MqttDeviceLinks } from '../mqtt/mqtt-device-links.js'
import {
  METHOD_RESPONSE,
  REPORTED_PATCH,
  TWIN_GET,
  telemetryPrefix,
  topicParameters,
} from '../mqtt/topic-rules.js'
import { parseTelemetry } from './telemetry-message.js'

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * IoT Hub's device-to-cloud topics: telemetry, twin reads and reported properties, method
 * answers. `handle` resolves once the message is taken care of (telemetry stored, reported
 * properties written), so the broker acknowledges a QoS 1 message only then.
 */
export class DeviceMessages {
  constructor(
    private readonly properties: DevicePropertyService,
    private readonly telemetry: DeviceTelemetryService,
    private readonly links: MqttDeviceLinks,
    private readonly clock: Clock,
  ) {}

  async handle(client: Client, session: DeviceSession, packet: PublishPacket): Promise<void> {
    const topic = packet.topic
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload)
    const events = telemetryPrefix(session.deviceId, session.module)
    if (topic.startsWith(events) || topic === events.slice(0, -1)) {
      const bag = topic.slice(events.length)
      await this.telemetry.ingest(parseTelemetry(session.deviceId, session.module, bag, payload, this.clock()))
      return
    }
    const requestId = topicParameters(topic).get('$rid') ?? ''
    if (topic.startsWith(TWIN_GET)) {
      const [desired, reported] = await Promise.all([
        this.properties.desiredDocument(session.deviceId, session.module),
        this.properties.reportedDocument(session.deviceId, session.module),
      ])
      reply(client, `$iothub/twin/res/200/?$rid=${requestId}`, {
        desired: { ...desired.desired, $version: desired.version },
        reported,
      })
      return
    }
    if (topic.startsWith(REPORTED_PATCH)) {
      const patch = parseJson(payload)
      if (!isObject(patch)) {
        // The SDK sees an error only through `errorCode` in the body.
        reply(client, `$iothub/twin/res/400/?$rid=${requestId}`, {
          errorCode: 400004,
          message: 'The reported properties must be a JSON object.',
        })
        return
      }
      const at = this.clock()
      await this.properties.applyReported(session.deviceId, session.module, patch, at)
      reply(client, `$iothub/twin/res/204/?$rid=${requestId}&$version=${at}`, null)
      return
    }
    if (topic.startsWith(METHOD_RESPONSE)) {
      const status = Number(topic.slice(METHOD_RESPONSE.length).split('/')[0])
      if (!Number.isInteger(status)) return
      const text = payload.toString('utf8')
      const parsed = text.trim() === '' ? null : parseJson(payload)
      this.links.answered(client, requestId, { status, payload: parsed === undefined ? text : parsed })
    }
  }
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

function reply(client: Client, topic: string, body: unknown): void {
  client.publish(
    {
      cmd: 'publish',
      topic,
      payload: Buffer.from(body === null ? '' : JSON.stringify(body)),
      qos: 0,
      dup: false,
      retain: false,
    },
    () => {},
  )
}

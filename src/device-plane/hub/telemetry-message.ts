import type { TelemetryMessage } from '../../services/device-telemetry.service.js'

const NO_PROPERTIES: Pick<URLSearchParams, 'get'> = { get: () => null }

/**
 * Reads a device-to-cloud message: the property bag after `messages/events/` is URL-encoded
 * (`$.sub` names the component, `iothub-creation-time-utc` when it was made, `$.ct`/`$.ce` its
 * content type and encoding); the body is JSON, in UTF-8 unless `$.ce` says UTF-16/32.
 */
export function parseTelemetry(
  deviceId: string,
  module: string | null,
  propertyBag: string,
  payload: Buffer,
  receivedAt: number,
): TelemetryMessage {
  // Most messages carry no properties: nothing to parse then.
  const properties = propertyBag === '' ? NO_PROPERTIES : new URLSearchParams(propertyBag)
  const created = Date.parse(properties.get('iothub-creation-time-utc') ?? '')
  return {
    deviceId,
    module,
    component: properties.get('$.sub') || null,
    enqueuedAt: Number.isFinite(created) ? created : receivedAt,
    body: parseBody(payload, properties.get('$.ce')),
  }
}

function parseBody(payload: Buffer, encoding: string | null): unknown {
  const text = /^utf-?16(le)?$/i.test(encoding ?? '') ? payload.toString('utf16le') : payload.toString('utf8')
  try {
    return JSON.parse(text) as unknown
  } catch {
    // Not JSON: IoT Central keeps no values from it.
    return undefined
  }
}

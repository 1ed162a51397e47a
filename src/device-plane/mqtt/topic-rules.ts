/**
 * What a device may publish and subscribe to: IoT Hub's MQTT topics, with its own id where a
 * topic names a device. Anything else is refused and the client disconnected, as IoT Hub does.
 */

/** IoT Hub's largest device-to-cloud message. */
export const MAX_MESSAGE_BYTES = 256 * 1024

export const METHODS_SUBSCRIPTION = '$iothub/methods/POST/#'
export const TWIN_RESPONSES_SUBSCRIPTION = '$iothub/twin/res/#'
export const DESIRED_SUBSCRIPTION = '$iothub/twin/PATCH/properties/desired/#'

export const TWIN_GET = '$iothub/twin/GET/'
export const REPORTED_PATCH = '$iothub/twin/PATCH/properties/reported/'
export const METHOD_RESPONSE = '$iothub/methods/res/'

/** The topic prefix of a device's (or module's) own messages. */
export function devicePrefix(deviceId: string, module: string | null): string {
  return module === null ? `devices/${deviceId}/` : `devices/${deviceId}/modules/${module}/`
}

export function telemetryPrefix(deviceId: string, module: string | null): string {
  return `${devicePrefix(deviceId, module)}messages/events/`
}

export function mayPublish(deviceId: string, module: string | null, topic: string): boolean {
  const events = telemetryPrefix(deviceId, module)
  return (
    topic.startsWith(events) ||
    topic === events.slice(0, -1) ||
    topic.startsWith(TWIN_GET) ||
    topic.startsWith(REPORTED_PATCH) ||
    topic.startsWith(METHOD_RESPONSE)
  )
}

export function maySubscribe(deviceId: string, module: string | null, topic: string): boolean {
  return (
    topic === METHODS_SUBSCRIPTION ||
    topic === TWIN_RESPONSES_SUBSCRIPTION ||
    topic === DESIRED_SUBSCRIPTION ||
    topic === `${devicePrefix(deviceId, module)}messages/devicebound/#`
  )
}

/** The `?a=b&c=d` part after the last `/?` of a topic, read as URL parameters. */
export function topicParameters(topic: string): URLSearchParams {
  const at = topic.indexOf('/?')
  return new URLSearchParams(at < 0 ? '' : topic.slice(at + 2))
}

import type { Client } from 'aedes'

/**
 * Sends one message to this client's session only, at QoS 0 as IoT Hub answers: never through the
 * broker's topic routing, since every device subscribes to the same `$iothub/…` filters.
 */
export function sendToClient(client: Client, topic: string, payload: string): void {
  client.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, dup: false, retain: false }, () => {})
}

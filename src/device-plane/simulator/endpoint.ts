import type { IClientOptions } from 'mqtt'

/** Where the simulator dials: the MQTT listener (TLS) and the CA to trust, if not the system's. */
export interface Endpoint {
  host: string
  port: number
  /** PEM of the CA that signed the server's certificate; the system's trust store when absent. */
  ca?: string
}

/** mqtt.js options common to DPS and IoT Hub connections: MQTT 3.1.1 over TLS, no automatic reconnect. */
export const tlsOptions = (endpoint: Endpoint): IClientOptions => ({
  protocol: 'mqtts',
  host: endpoint.host,
  port: endpoint.port,
  protocolVersion: 4,
  reconnectPeriod: 0,
  connectTimeout: 30_000,
  ...(endpoint.ca ? { ca: endpoint.ca } : {}),
  // SNI for host names only (an IP address is not a server name), as mqtt.js does for the SDKs.
  ...(/^[0-9.]+$|:/.test(endpoint.host) ? {} : { servername: endpoint.host }),
})

/** `key=value&…` query of a topic (after `?`), decoded. */
export function topicQuery(topic: string): URLSearchParams {
  const at = topic.indexOf('?')
  return new URLSearchParams(at === -1 ? '' : topic.slice(at + 1))
}

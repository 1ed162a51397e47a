/**
 * Who a CONNECT claims to be, read from its username (IoT Hub's and the provisioning service's
 * MQTT conventions) and checked against its client id.
 */
export type ConnectIdentity =
  | { kind: 'device'; hostName: string; deviceId: string; module: string | null }
  | { kind: 'provisioning'; idScope: string; registrationId: string }

const ID = '[A-Za-z0-9][A-Za-z0-9._:-]{0,127}'
/** `{host}/{deviceId}/?api-version=…` or `{host}/{deviceId}/{moduleId}/?api-version=…` */
const DEVICE = new RegExp(`^([^/?]+)/(${ID})/(?:(${ID})/)?\\?(.*)$`)
/** `{idScope}/registrations/{registrationId}/api-version=…` (no `?`, as the SDK sends it) */
const PROVISIONING = new RegExp(`^([^/?]+)/registrations/(${ID})/\\??api-version=.*$`)

/** The identity the username claims, or null when it follows neither convention. */
export function parseConnectUsername(username: string | undefined, clientId: string): ConnectIdentity | null {
  if (username === undefined) return null
  const provisioning = PROVISIONING.exec(username)
  if (provisioning) {
    const [, idScope, registrationId] = provisioning as unknown as [string, string, string]
    return { kind: 'provisioning', idScope, registrationId }
  }
  const device = DEVICE.exec(username)
  if (!device) return null
  const [, hostName, deviceId, module, query] = device as unknown as [string, string, string, string | undefined, string]
  if (!new URLSearchParams(query).has('api-version')) return null
  // IoT Hub: the client id is the device id, or `deviceId/moduleId` for a module.
  const expectedClientId = module === undefined ? deviceId : `${deviceId}/${module}`
  if (clientId !== expectedClientId) return null
  return { kind: 'device', hostName, deviceId, module: module ?? null }
}

import { createHmac } from 'node:crypto'

/** How long the simulator's tokens live: an hour, as Microsoft's device SDKs sign them. */
export const TOKEN_LIFETIME_SECONDS = 3600

const expiryFrom = (now: number) => Math.floor(now / 1000) + TOKEN_LIFETIME_SECONDS

/** HMAC-SHA256 of `sr\nse` under the base64 key, base64 then URL-encoded (IoT Hub's SAS signature). */
const signature = (resource: string, expiry: number, key: string) =>
  encodeURIComponent(
    createHmac('sha256', Buffer.from(key, 'base64')).update(`${resource}\n${expiry}`, 'utf8').digest('base64'),
  )

/**
 * The password a device sends to IoT Hub: `sr` is the URL-encoded `{hub}/devices/{deviceId}` and
 * the signature is over that encoded form; no key name (the device's own key).
 */
export function deviceSas(hub: string, deviceId: string, deviceKey: string, now = Date.now()): string {
  const resource = encodeURIComponent(`${hub}/devices/${deviceId}`)
  const expiry = expiryFrom(now)
  return `SharedAccessSignature sr=${resource}&sig=${signature(resource, expiry, deviceKey)}&se=${expiry}`
}

/**
 * The password a device sends to the provisioning service: `sr` is `{idScope}/registrations/{id}`
 * as it is (not URL-encoded, as the SDKs send it), key name `registration`.
 */
export function registrationSas(idScope: string, registrationId: string, deviceKey: string, now = Date.now()): string {
  const resource = `${idScope}/registrations/${registrationId}`
  const expiry = expiryFrom(now)
  return `SharedAccessSignature sr=${resource}&sig=${signature(resource, expiry, deviceKey)}&se=${expiry}&skn=registration`
}

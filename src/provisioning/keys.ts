import { createHmac, randomBytes } from 'node:crypto'

/** Bytes of a generated symmetric key: IoT Central's and the device provisioning service's size. */
export const SYMMETRIC_KEY_BYTES = 64
/** A given key must decode to this many bytes at least, and SYMMETRIC_KEY_BYTES at most. */
export const MIN_SYMMETRIC_KEY_BYTES = 16

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** A fresh symmetric key: 64 bytes from the CSPRNG, base64. */
export function newSymmetricKey(): string {
  return randomBytes(SYMMETRIC_KEY_BYTES).toString('base64')
}

/** Why `key` cannot be a symmetric key (base64 of 16 to 64 bytes), or null when it can. */
export function symmetricKeyProblem(key: string): string | null {
  if (!BASE64.test(key)) return 'must be base64.'
  const bytes = Buffer.from(key, 'base64').length
  if (bytes < MIN_SYMMETRIC_KEY_BYTES || bytes > SYMMETRIC_KEY_BYTES) {
    return `must be base64 of ${MIN_SYMMETRIC_KEY_BYTES} to ${SYMMETRIC_KEY_BYTES} bytes.`
  }
  return null
}

/**
 * The key of one device under a symmetric-key enrollment group, as IoT Central and the device
 * provisioning service compute it: base64(HMAC-SHA256(base64-decode(groupKey), deviceId)).
 */
export function deriveDeviceKey(groupKey: string, deviceId: string): string {
  return createHmac('sha256', Buffer.from(groupKey, 'base64')).update(deviceId, 'utf8').digest('base64')
}

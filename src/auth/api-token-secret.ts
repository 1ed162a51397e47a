import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Secrets carry a recognisable prefix (so leak scanners can find them) and a short checksum
 * (so garbage is refused before any lookup). The random part is 256 bits from the CSPRNG.
 */
const PREFIX = 'ocsk_'
const RANDOM_BYTES = 32
const BODY_LENGTH = Math.ceil((RANDOM_BYTES * 4) / 3)
const CHECKSUM_LENGTH = 6

const checksumOf = (body: string): string =>
  createHash('sha256').update(body).digest('base64url').slice(0, CHECKSUM_LENGTH)

export function generateSecret(): string {
  const body = PREFIX + randomBytes(RANDOM_BYTES).toString('base64url')
  return body + checksumOf(body)
}

/** True when the secret has our shape and its checksum matches; says nothing of whether it exists. */
export function isWellFormedSecret(secret: string): boolean {
  if (secret.length !== PREFIX.length + BODY_LENGTH + CHECKSUM_LENGTH) return false
  if (!secret.startsWith(PREFIX)) return false
  const body = secret.slice(0, -CHECKSUM_LENGTH)
  return checksumOf(body) === secret.slice(-CHECKSUM_LENGTH)
}

/** The stored form: SHA-256 is right for a 256-bit random secret (it is not a password). */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest()
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const presented = hashSecret(secret)
  return presented.length === storedHash.length && timingSafeEqual(presented, storedHash)
}

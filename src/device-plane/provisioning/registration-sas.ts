import { createHmac, timingSafeEqual } from 'node:crypto'

/** The parts of a device's registration SAS that matter, as sent and as meant. */
export interface RegistrationSas {
  /** `sr` exactly as sent: the signature covers these characters, encoded or not. */
  signedResource: string
  /** `sr` decoded: what it names, `{idScope}/registrations/{registrationId}`. */
  resource: string
  /** `se` as sent (epoch seconds, digits only) */
  expiry: string
  signature: Buffer
  keyName: string
}

const PREFIX = 'SharedAccessSignature '
const MAX_LENGTH = 4096

/**
 * Reads `SharedAccessSignature sr=…&sig=…&se=…&skn=registration` (fields in any order); null when
 * it is not one. URLSearchParams splits the fields; `%` and `+` are escaped first so that it keeps
 * each value as sent (Microsoft's SDK leaves `sr` unencoded and signs it so), and only then are
 * the values decoded.
 */
export function parseRegistrationSas(authorization: string): RegistrationSas | null {
  if (authorization.length > MAX_LENGTH || !authorization.startsWith(PREFIX)) return null
  const raw = new URLSearchParams(authorization.slice(PREFIX.length).replace(/%/g, '%25').replace(/\+/g, '%2B'))
  const fields = ['sr', 'sig', 'se', 'skn'].map((name) => raw.getAll(name))
  if (fields.some((values) => values.length !== 1)) return null
  const [signedResource, sig, expiry, skn] = fields.map((values) => values[0] as string) as [
    string,
    string,
    string,
    string,
  ]
  const resource = decoded(signedResource)
  const signature = decoded(sig)
  const keyName = decoded(skn)
  if (resource === null || signature === null || keyName === null || !/^\d{1,12}$/.test(expiry)) return null
  return { signedResource, resource, expiry, signature: Buffer.from(signature, 'base64'), keyName }
}

function decoded(value: string): string | null {
  try {
    return decodeURIComponent(value)
  } catch {
    return null
  }
}

/** Whether the SAS was signed with `key` (base64): HMAC-SHA256 over `sr` as sent, a newline and `se`. */
export function isSignedWith(sas: RegistrationSas, key: string): boolean {
  const expected = createHmac('sha256', Buffer.from(key, 'base64'))
    .update(`${sas.signedResource}\n${sas.expiry}`, 'utf8')
    .digest()
  return expected.length === sas.signature.length && timingSafeEqual(expected, sas.signature)
}

/** Whether the SAS has expired at `now` (ms). */
export const hasExpired = (sas: RegistrationSas, now: number): boolean => Number(sas.expiry) * 1000 <= now

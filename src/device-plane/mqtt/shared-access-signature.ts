import { createHmac, timingSafeEqual } from 'node:crypto'

/** The fields of a device's `SharedAccessSignature sr=…&sig=…&se=…[&skn=…]`. */
export interface SharedAccessSignature {
  /** `sr` exactly as sent (the signature covers this text, encoded or not). */
  rawResource: string
  /** `sr` percent-decoded: the resource the token names. */
  resource: string
  /** The signature bytes (base64-decoded `sig`). */
  signature: Buffer
  /** `se`, seconds since the epoch */
  expiry: number
  /** `se` exactly as sent. */
  rawExpiry: string
  keyName: string | null
}

const SCHEME = 'SharedAccessSignature '

/** Reads a SAS token; null when it is malformed (a missing, repeated or unknown field). */
export function parseSharedAccessSignature(text: string): SharedAccessSignature | null {
  if (!text.startsWith(SCHEME)) return null
  const fields = new Map<string, string>()
  for (const pair of text.slice(SCHEME.length).split('&')) {
    const at = pair.indexOf('=')
    if (at <= 0) return null
    const name = pair.slice(0, at)
    if (!['sr', 'sig', 'se', 'skn'].includes(name) || fields.has(name)) return null
    fields.set(name, pair.slice(at + 1))
  }
  const rawResource = fields.get('sr')
  const sig = fields.get('sig')
  const rawExpiry = fields.get('se')
  if (!rawResource || !sig || !rawExpiry || !/^[0-9]{1,12}$/.test(rawExpiry)) return null
  try {
    return {
      rawResource,
      resource: decodeURIComponent(rawResource),
      signature: Buffer.from(decodeURIComponent(sig), 'base64'),
      expiry: Number(rawExpiry),
      rawExpiry,
      keyName: fields.has('skn') ? decodeURIComponent(fields.get('skn') as string) : null,
    }
  } catch {
    return null
  }
}

/**
 * Whether `key` (base64) signed the token: HMAC-SHA256 over `sr` as sent, a newline and `se`,
 * which is how Microsoft's SDKs sign (they send `sr` encoded for devices, raw for provisioning).
 */
export function isSignedWith(token: SharedAccessSignature, key: string): boolean {
  const expected = createHmac('sha256', Buffer.from(key, 'base64'))
    .update(`${token.rawResource}\n${token.rawExpiry}`, 'utf8')
    .digest()
  return expected.length === token.signature.length && timingSafeEqual(expected, token.signature)
}

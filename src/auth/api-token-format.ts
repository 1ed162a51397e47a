/** The four fields of an IoT Central API token, in the order IoT Central writes them. */
export interface ApiTokenFields {
  /** the application id */
  sr: string
  /** the secret */
  sig: string
  /** the token id */
  skn: string
  /** expiry, milliseconds since the epoch */
  se: number
}

const FIELDS = ['sr', 'sig', 'skn', 'se'] as const
const SCHEME = 'SharedAccessSignature'

/** Writes a token value exactly as IoT Central does. */
export function formatApiToken(fields: ApiTokenFields): string {
  return (
    `${SCHEME} sr=${encodeURIComponent(fields.sr)}&sig=${encodeURIComponent(fields.sig)}` +
    `&skn=${encodeURIComponent(fields.skn)}&se=${fields.se}`
  )
}

/**
 * Reads the part after the `SharedAccessSignature` scheme. Fields may come in any order; a missing,
 * empty, duplicated or unknown field makes the credential malformed (null).
 */
export function parseApiTokenParameters(parameters: string): ApiTokenFields | null {
  const seen: Partial<Record<(typeof FIELDS)[number], string>> = {}
  for (const pair of parameters.split('&')) {
    const at = pair.indexOf('=')
    if (at <= 0) return null
    const name = pair.slice(0, at) as (typeof FIELDS)[number]
    if (!FIELDS.includes(name) || seen[name] !== undefined) return null
    let value: string
    try {
      value = decodeURIComponent(pair.slice(at + 1))
    } catch {
      return null
    }
    if (value === '') return null
    seen[name] = value
  }
  const { sr, sig, skn, se } = seen
  if (sr === undefined || sig === undefined || skn === undefined || se === undefined) return null
  if (!/^[0-9]{1,16}$/.test(se)) return null
  return { sr, sig, skn, se: Number(se) }
}

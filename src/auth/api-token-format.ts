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
  let sr: string | undefined
  let sig: string | undefined
  let skn: string | undefined
  let se: string | undefined
  // Hand-rolled rather than URLSearchParams: this runs on every request, and `+` must stay `+`.
  for (const pair of parameters.split('&')) {
    const at = pair.indexOf('=')
    if (at <= 0) return null
    const value = decodeValue(pair.slice(at + 1))
    if (value === null || value === '') return null
    switch (pair.slice(0, at)) {
      case 'sr':
        if (sr !== undefined) return null
        sr = value
        break
      case 'sig':
        if (sig !== undefined) return null
        sig = value
        break
      case 'skn':
        if (skn !== undefined) return null
        skn = value
        break
      case 'se':
        if (se !== undefined) return null
        se = value
        break
      default:
        return null
    }
  }
  if (sr === undefined || sig === undefined || skn === undefined || se === undefined) return null
  if (!/^[0-9]{1,16}$/.test(se)) return null
  return { sr, sig, skn, se: Number(se) }
}

/** Percent-decoding, skipped when there is nothing to decode; null when it is malformed. */
function decodeValue(raw: string): string | null {
  if (!raw.includes('%')) return raw
  try {
    return decodeURIComponent(raw)
  } catch {
    return null
  }
}

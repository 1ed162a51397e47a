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
  // Hand-rolled rather than URLSearchParams (`+` must stay `+`), and walked by position rather
  // than split into pairs: this runs on every request, and each piece cut out is an allocation.
  const encoded = parameters.includes('%')
  let start = 0
  while (start <= parameters.length) {
    let end = parameters.indexOf('&', start)
    if (end === -1) end = parameters.length
    const at = parameters.indexOf('=', start)
    if (at <= start || at >= end) return null
    const raw = parameters.slice(at + 1, end)
    const value = encoded ? decodeValue(raw) : raw
    if (value === null || value === '') return null
    switch (parameters.slice(start, at)) {
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
    start = end + 1
  }
  if (sr === undefined || sig === undefined || skn === undefined || se === undefined) return null
  if (!isMilliseconds(se)) return null
  return { sr, sig, skn, se: Number(se) }
}

/** 1 to 16 decimal digits. */
function isMilliseconds(value: string): boolean {
  if (value.length > 16) return false
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code < 48 || code > 57) return false
  }
  return true
}

/** Percent-decoding; null when it is malformed. */
function decodeValue(raw: string): string | null {
  if (!raw.includes('%')) return raw
  try {
    return decodeURIComponent(raw)
  } catch {
    return null
  }
}

import { decodeJwt } from 'jose'

/** What `az account get-access-token` prints, key for key. */
export interface AzAccessToken {
  accessToken: string
  /** Local time, `YYYY-MM-DD HH:MM:SS.ffffff`, as az prints it. */
  expiresOn: string
  /** Epoch seconds. */
  expires_on: number
  tenant: string
  tokenType: 'Bearer'
}

const two = (n: number) => String(n).padStart(2, '0')

function localTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000)
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
  return `${date} ${time}.${String(d.getMilliseconds() * 1000).padStart(6, '0')}`
}

/**
 * When the token expires: its own `exp` claim (exact, whatever the clocks), else `expires_in`
 * counted from now.
 */
export function expiryOf(accessToken: string, expiresIn: number | undefined): number {
  const { exp } = decodeJwt(accessToken)
  return typeof exp === 'number' ? exp : Math.floor(Date.now() / 1000) + (expiresIn ?? 0)
}

/** The az shape of an access token; the tenant is read from the token's own `tid` claim. */
export function azAccessToken(accessToken: string, expiresAt: number): AzAccessToken {
  const { tid } = decodeJwt(accessToken)
  return {
    accessToken,
    expiresOn: localTime(expiresAt),
    expires_on: expiresAt,
    tenant: typeof tid === 'string' ? tid : '',
    tokenType: 'Bearer',
  }
}

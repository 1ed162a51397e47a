/** The two issuer forms Entra uses for a tenant, on this server's public URL. */
export type TokenForm = 'v1' | 'v2'

/**
 * Entra-shaped URLs of the embedded issuer for its tenant `<tid>`. Entra's v2 issuer is
 * `https://login.microsoftonline.com/<tid>/v2.0`; its v1 issuer lives on another host
 * (`https://sts.windows.net/<tid>/`), which a single server cannot be, so the v1 form here is
 * `<public-url>/<tid>/` — the same shape, trailing slash included.
 */
export interface EntraPaths {
  readonly tenantId: string
  /** `/<tid>`, below the server's root. */
  readonly prefix: string
  issuer(form: TokenForm): string
  url(path: string): string
  /** The v2 and v1 token endpoints, which client assertions name as their audience. */
  tokenEndpoints(): string[]
}

export function entraPaths(publicUrl: string, tenantId: string): EntraPaths {
  const prefix = `/${tenantId}`
  const url = (path: string) => `${publicUrl}${prefix}${path}`
  return {
    tenantId,
    prefix,
    issuer: (form) => (form === 'v2' ? url('/v2.0') : url('/')),
    url,
    tokenEndpoints: () => [url('/oauth2/v2.0/token'), url('/oauth2/token')],
  }
}

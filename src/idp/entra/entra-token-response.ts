import type { TokenForm } from './entra-paths.js'

export interface ProviderTokenAnswer {
  access_token: string
  token_type?: string
  expires_in: number
  scope?: string
  refresh_token?: string
  id_token?: string
}

/**
 * oidc-provider's token answer as Entra gives it. v2: `token_type`, `expires_in`,
 * `ext_expires_in` (the same: this issuer has no outage extension), `scope` as the caller asked.
 * v1: the numbers as strings, `expires_on`/`not_before` in epoch seconds, and the `resource`.
 */
export function entraTokenResponse(
  answer: ProviderTokenAnswer,
  form: TokenForm,
  asked: { scope: string | undefined; resource: string | undefined },
  nowSeconds: number,
): Record<string, unknown> {
  const optional = {
    ...(answer.refresh_token ? { refresh_token: answer.refresh_token } : {}),
    ...(answer.id_token ? { id_token: answer.id_token } : {}),
  }
  if (form === 'v1') {
    return {
      token_type: 'Bearer',
      expires_in: String(answer.expires_in),
      ext_expires_in: String(answer.expires_in),
      expires_on: String(nowSeconds + answer.expires_in),
      not_before: String(nowSeconds),
      resource: asked.resource,
      access_token: answer.access_token,
      ...optional,
    }
  }
  return {
    token_type: 'Bearer',
    ...(asked.scope ? { scope: asked.scope } : {}),
    expires_in: answer.expires_in,
    ext_expires_in: answer.expires_in,
    access_token: answer.access_token,
    ...optional,
  }
}

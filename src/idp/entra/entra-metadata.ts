import type { EntraPaths, TokenForm } from './entra-paths.js'

/**
 * The discovery documents Entra publishes for a tenant, trimmed to what this issuer does: client
 * secrets and certificate assertions, device code, authorization code with PKCE, refresh tokens.
 * MSAL reads `issuer`, `authorization_endpoint`, `token_endpoint` and `jwks_uri` from them.
 */
export function entraMetadata(paths: EntraPaths, form: TokenForm): Record<string, unknown> {
  const version = form === 'v2' ? '/v2.0' : ''
  return {
    issuer: paths.issuer(form),
    token_endpoint: paths.url(`/oauth2${version}/token`),
    authorization_endpoint: paths.url(`/oauth2${version}/authorize`),
    device_authorization_endpoint: paths.url(`/oauth2${version}/devicecode`),
    jwks_uri: paths.url(`/discovery${version}/keys`),
    token_endpoint_auth_methods_supported: [
      'client_secret_post',
      'client_secret_basic',
      'private_key_jwt',
    ],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: [
      'client_credentials',
      'authorization_code',
      'refresh_token',
      'urn:ietf:params:oauth:grant-type:device_code',
    ],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'nbf',
      'tid',
      'oid',
      'name',
      'email',
      'preferred_username',
    ],
    tenant_region_scope: null,
    cloud_instance_name: 'opencentral',
  }
}

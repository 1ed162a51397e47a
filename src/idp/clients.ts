import type { ClientMetadata } from 'oidc-provider'
import type { IdpServicePrincipalRow } from '../storage/schema.js'
import { storedCertificate } from './certificate-credential.js'
import { CLI_CLIENT_ID, UI_CLIENT_ID } from './constants.js'

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

/**
 * A service principal as an oidc-provider client: client credentials only, authenticated by its
 * secret in the request body (as Entra's documentation and MSAL send it) or, when it has a
 * certificate, by a client assertion (private_key_jwt) signed with the certificate's key.
 * `client_secret` holds the SHA-256 of the secret, never the secret: `compareClientSecret` is
 * replaced to hash what is presented. A secret past its end date is left out, so none matches.
 */
export function servicePrincipalClient(
  row: IdpServicePrincipalRow,
  nowSeconds: number,
): ClientMetadata {
  const common = {
    client_id: row.app_id,
    client_name: row.display_name,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  }
  if (row.certificate_pem) {
    return {
      ...common,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [storedCertificate(row.certificate_pem).publicJwk as never] },
    }
  }
  const expired = row.secret_expires_at !== null && row.secret_expires_at <= nowSeconds
  return {
    ...common,
    // The provider requires a secret for this method; this one is no hash, so nothing matches it.
    client_secret: expired ? EXPIRED_SECRET : row.secret_hash,
    token_endpoint_auth_method: 'client_secret_post',
  }
}

const EXPIRED_SECRET = 'expired'

/** The first-party public clients: the CLI (device flow) and a browser application (code + PKCE). */
export function staticClients(publicUrl: string): ClientMetadata[] {
  return [
    {
      client_id: CLI_CLIENT_ID,
      client_name: 'OpenCentral CLI',
      token_endpoint_auth_method: 'none',
      grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
      response_types: [],
      redirect_uris: [],
    },
    {
      client_id: UI_CLIENT_ID,
      client_name: 'OpenCentral',
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [`${publicUrl}/ui/callback`],
      post_logout_redirect_uris: [`${publicUrl}/ui/signed-out`],
    },
  ]
}

export const isFirstPartyClient = (clientId: string | undefined): boolean =>
  clientId === CLI_CLIENT_ID || clientId === UI_CLIENT_ID

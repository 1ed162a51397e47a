import * as client from 'openid-client'
import type { CommandContext } from '../command.js'
import { CLI_CLIENT_ID, IOT_CENTRAL_RESOURCE } from '../../idp/constants.js'
import { expiryOf } from '../az-token.js'
import { loginFile, saveLogin } from '../login-store.js'
import { askIssuer, discoverIssuer, serverUrl } from '../oidc-client.js'

/** Signs a person in with the device authorization flow (RFC 8628) and keeps the tokens. */
export async function login({ flags, env, output }: CommandContext) {
  const server = serverUrl(flags.server)
  const resource = flags.resource ?? IOT_CENTRAL_RESOURCE
  const issuer = await discoverIssuer(server, CLI_CLIENT_ID)
  const device = await askIssuer(server, () =>
    client.initiateDeviceAuthorization(issuer, {
      scope: 'openid profile email offline_access user_impersonation',
      resource,
    }),
  )
  output.err(`To sign in, open ${device.verification_uri} and enter the code ${device.user_code}`)
  if (device.verification_uri_complete) output.err(`(or open ${device.verification_uri_complete})`)
  const tokens = await askIssuer(server, () => client.pollDeviceAuthorizationGrant(issuer, device))
  const file = loginFile(env)
  await saveLogin(file, {
    server,
    resource,
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    expires_at: expiryOf(tokens.access_token, tokens.expires_in),
  })
  const claims = tokens.claims()
  const who = typeof claims?.email === 'string' ? claims.email : 'you'
  output.err(`Signed in to ${server} as ${who}. Tokens are kept in ${file}.`)
  return 0
}

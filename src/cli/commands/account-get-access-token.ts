import * as client from 'openid-client'
import type { CommandContext } from '../command.js'
import { azAccessToken, expiryOf, type AzAccessToken } from '../az-token.js'
import { secretInput } from '../secret-input.js'
import { printData } from '../data-output.js'
import { CLI_CLIENT_ID, IOT_CENTRAL_RESOURCE } from '../../idp/constants.js'
import { loginFile, readLogin, saveLogin } from '../login-store.js'
import { askIssuer, discoverIssuer, serverUrl } from '../oidc-client.js'
import { UsageError } from '../output.js'
/** A saved token this close to expiry is refreshed rather than handed out. */
const MARGIN_SECONDS = 60

export async function accountGetAccessToken(context: CommandContext) {
  const { flags, env } = context
  const print = (token: AzAccessToken) => printData(context, token, undefined, 'json')
  const server = serverUrl(flags.server)
  const resource = flags.resource ?? IOT_CENTRAL_RESOURCE
  const clientId = flags['client-id']
  const clientSecret = await secretInput(flags['client-secret'], env.AZURE_CLIENT_SECRET)
  if ((clientId === undefined) !== (clientSecret === undefined)) {
    throw new UsageError('--client-id needs a secret (--client-secret -, read from standard input, or AZURE_CLIENT_SECRET), and a secret needs --client-id')
  }
  const now = Math.floor(Date.now() / 1000)

  if (clientId !== undefined && clientSecret !== undefined) {
    const issuer = await discoverIssuer(server, clientId, clientSecret)
    const tokens = await askIssuer(server, () => client.clientCredentialsGrant(issuer, { resource }))
    print(azAccessToken(tokens.access_token, expiryOf(tokens.access_token, tokens.expires_in)))
    return 0
  }

  const file = loginFile(env)
  const saved = await readLogin(file, server)
  if (!saved)
    throw new Error(`Not signed in to ${server}: run 'opencentral login --server ${server}' first.`)
  if (saved.resource === resource && saved.expires_at - MARGIN_SECONDS > now) {
    print(azAccessToken(saved.access_token, saved.expires_at))
    return 0
  }
  if (!saved.refresh_token) {
    throw new Error(
      `The sign-in to ${server} has expired: run 'opencentral login --server ${server}' again.`,
    )
  }
  const issuer = await discoverIssuer(server, CLI_CLIENT_ID)
  const refreshToken = saved.refresh_token
  const tokens = await askIssuer(server, () => client.refreshTokenGrant(issuer, refreshToken, { resource }))
  const expiresAt = expiryOf(tokens.access_token, tokens.expires_in)
  await saveLogin(file, {
    server,
    resource,
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token ?? saved.refresh_token,
    expires_at: expiresAt,
  })
  print(azAccessToken(tokens.access_token, expiresAt))
  return 0
}

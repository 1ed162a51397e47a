import * as client from 'openid-client'
import { explainNetworkError } from './network-errors.js'
import { UsageError } from './output.js'

export const DEFAULT_SERVER = 'http://127.0.0.1:8080'

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i

/** `--server` as a base URL without a trailing slash; plain http only for loopback hosts. */
export function serverUrl(flag: string | undefined): string {
  let url: URL
  try {
    url = new URL(flag ?? DEFAULT_SERVER)
  } catch {
    throw new UsageError(`--server ${flag} is not a URL`)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
    throw new UsageError(
      '--server must be https, or plain http on a loopback host (localhost, 127.0.0.1, [::1])',
    )
  }
  return url.href.replace(/\/+$/, '')
}

/**
 * The embedded issuer of `server` (at `<server>/oidc`), found through its discovery document.
 * With a secret the client authenticates as a service principal; without, it is the public CLI client.
 */
export async function discoverIssuer(
  server: string,
  clientId: string,
  clientSecret?: string,
): Promise<client.Configuration> {
  const issuer = new URL(`${server}/oidc`)
  const auth = clientSecret === undefined ? client.None() : client.ClientSecretPost(clientSecret)
  const options =
    issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined
  try {
    return await client.discovery(issuer, clientId, undefined, auth, options)
  } catch (error) {
    throw explainNetworkError(error, server) ?? error
  }
}

/**
 * Runs a request to the issuer of `server`; an OAuth error answer becomes a message naming its
 * code, a network failure one saying what failed.
 */
export async function askIssuer<T>(server: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request()
  } catch (error) {
    if (error instanceof client.ResponseBodyError) {
      const description = error.error_description ? `: ${error.error_description}` : ''
      throw new Error(`the identity provider refused (${error.error}${description})`, {
        cause: error,
      })
    }
    throw explainNetworkError(error, server) ?? error
  }
}

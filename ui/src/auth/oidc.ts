import { codeChallenge, randomString } from './pkce'

interface UiSettings {
  issuer: string
  clientId: string
  resource: string
}

interface Discovery {
  authorization_endpoint: string
  token_endpoint: string
}

/** What survives the trip to the issuer: only the PKCE verifier, the state and where to return. */
interface PendingSignIn {
  verifier: string
  state: string
  returnTo: string
}

const PENDING_KEY = 'opencentral.signIn'
export const CALLBACK_PATH = '/ui/callback'

const redirectUri = () => `${location.origin}${CALLBACK_PATH}`

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url)
  if (!response.ok) throw new Error(`${url} answered ${response.status}`)
  return (await response.json()) as T
}

async function discover(): Promise<{ settings: UiSettings; discovery: Discovery }> {
  const settings = await getJson<UiSettings>('/ui-config.json')
  const discovery = await getJson<Discovery>(`${settings.issuer}/.well-known/openid-configuration`)
  return { settings, discovery }
}

/** Sends the browser to the issuer's sign-in page (authorization code + PKCE). */
export async function startSignIn(returnTo: string): Promise<void> {
  const { settings, discovery } = await discover()
  const pending: PendingSignIn = { verifier: randomString(), state: randomString(16), returnTo }
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending))
  const url = new URL(discovery.authorization_endpoint)
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid profile email',
    resource: settings.resource,
    state: pending.state,
    code_challenge: await codeChallenge(pending.verifier),
    code_challenge_method: 'S256',
  }).toString()
  location.assign(url.href)
}

/**
 * Ends the sign-in on the callback page: checks the state, trades the code for an access token.
 * The token is only returned, to be kept in memory; the verifier is removed at once.
 */
export async function finishSignIn(
  query: URLSearchParams,
): Promise<{ accessToken: string; returnTo: string }> {
  const raw = sessionStorage.getItem(PENDING_KEY)
  sessionStorage.removeItem(PENDING_KEY)
  const pending = raw ? (JSON.parse(raw) as PendingSignIn) : null
  const error = query.get('error')
  if (error) throw new Error(query.get('error_description') ?? error)
  if (!pending || query.get('state') !== pending.state) {
    throw new Error('This sign-in was not started here, or it was already used. Sign in again.')
  }
  const { settings, discovery } = await discover()
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: query.get('code') ?? '',
      redirect_uri: redirectUri(),
      client_id: settings.clientId,
      code_verifier: pending.verifier,
    }),
  })
  const body = (await response.json()) as { access_token?: string; error_description?: string }
  if (!response.ok || !body.access_token) {
    throw new Error(
      body.error_description ?? `The issuer refused the sign-in (${response.status}).`,
    )
  }
  return { accessToken: body.access_token, returnTo: pending.returnTo }
}

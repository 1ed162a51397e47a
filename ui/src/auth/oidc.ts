import { codeChallenge, randomString } from './pkce'

/** One issuer the application signs people in with (served at /ui-config.json). */
export interface IssuerSettings {
  issuer: string
  name: string
  clientId: string
  scope: string
  resource?: string
}

interface Discovery {
  authorization_endpoint: string
  token_endpoint: string
  end_session_endpoint?: string
}

/** What survives the trip to the issuer: the PKCE verifier, the state, and where to return. */
interface PendingSignIn {
  issuer: string
  verifier: string
  state: string
  returnTo: string
  /** prompt=none: the issuer answers at once, signed in by its own session or not at all. */
  silent: boolean
  /** Started because the access token was refused (expired): a failure means the session ended. */
  renewal: boolean
}

const PENDING_KEY = 'opencentral.signIn'
/** The issuer the person chose (its URL, no secret): silent sign-in in a new tab asks it again. */
const CHOICE_KEY = 'opencentral.issuer'
export const CALLBACK_PATH = '/ui/callback'
export const SIGN_IN_PATH = '/ui/sign-in'
export const SIGNED_OUT_PATH = '/ui/signed-out'

/** The issuer had no session for a silent sign-in: the person has to sign in. */
export class SignInRequired extends Error {
  constructor(readonly renewal: boolean, readonly returnTo: string) {
    super(renewal ? 'Your session has ended. Sign in again.' : 'Sign in to continue.')
  }
}

const redirectUri = () => `${location.origin}${CALLBACK_PATH}`

export async function issuers(): Promise<IssuerSettings[]> {
  const response = await fetch('/ui-config.json')
  if (!response.ok) throw new Error(`The server answered ${response.status} for its settings.`)
  return ((await response.json()) as { issuers: IssuerSettings[] }).issuers
}

async function settingsOf(issuer?: string): Promise<IssuerSettings> {
  const all = await issuers()
  const wanted = issuer ?? localStorage.getItem(CHOICE_KEY)
  return all.find((entry) => entry.issuer === wanted) ?? (all[0] as IssuerSettings)
}

async function discover(settings: IssuerSettings): Promise<Discovery> {
  const url = `${settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`
  const who = `${settings.name} (${settings.issuer})`
  let response: Response
  try {
    response = await fetch(url)
  } catch {
    throw new Error(`${who} cannot be reached right now. Try again shortly.`)
  }
  if (!response.ok) throw new Error(`${who} answered ${response.status}. Try again shortly.`)
  return (await response.json()) as Discovery
}

/** Sends the browser to the issuer (authorization code + PKCE); `silent` asks with prompt=none. */
export async function startSignIn(options: {
  returnTo: string
  issuer?: string
  silent?: boolean
  renewal?: boolean
  loginHint?: string
}): Promise<void> {
  const settings = await settingsOf(options.issuer)
  const discovery = await discover(settings)
  const pending: PendingSignIn = {
    issuer: settings.issuer,
    verifier: randomString(),
    state: randomString(16),
    returnTo: options.returnTo,
    silent: options.silent ?? false,
    renewal: options.renewal ?? false,
  }
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending))
  const url = new URL(discovery.authorization_endpoint)
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: redirectUri(),
    scope: settings.scope,
    ...(settings.resource ? { resource: settings.resource } : {}),
    state: pending.state,
    code_challenge: await codeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    ...(pending.silent ? { prompt: 'none' } : {}),
    ...(options.loginHint ? { login_hint: options.loginHint } : {}),
  }).toString()
  location.assign(url.href)
}

/** The answers of prompt=none that mean "no session here", not a fault (OpenID Connect Core 3.1.2.6). */
const NO_SESSION = new Set([
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
])

/**
 * Ends the sign-in on the callback page: checks the state, trades the code for an access token.
 * The token is only returned, to be kept in memory; the verifier is removed at once.
 */
export async function finishSignIn(
  query: URLSearchParams,
): Promise<{ accessToken: string; returnTo: string; issuer: string }> {
  const raw = sessionStorage.getItem(PENDING_KEY)
  sessionStorage.removeItem(PENDING_KEY)
  const pending = raw ? (JSON.parse(raw) as PendingSignIn) : null
  if (!pending || query.get('state') !== pending.state) {
    throw new Error('This sign-in was not started here, or it was already used. Sign in again.')
  }
  const error = query.get('error')
  if (error && pending.silent && NO_SESSION.has(error)) {
    throw new SignInRequired(pending.renewal, pending.returnTo)
  }
  if (error) throw new Error(query.get('error_description') ?? error)
  const settings = await settingsOf(pending.issuer)
  const discovery = await discover(settings)
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
    throw new Error(body.error_description ?? `The issuer refused the sign-in (${response.status}).`)
  }
  localStorage.setItem(CHOICE_KEY, settings.issuer)
  return { accessToken: body.access_token, returnTo: pending.returnTo, issuer: settings.issuer }
}

/**
 * Signs out: forgets the choice of issuer and sends the browser to the issuer's end-session
 * endpoint (RP-initiated logout), which ends its session and returns to the signed-out page.
 * An issuer without one leaves its session as it is; the application still forgets the token.
 */
export async function signOut(issuer: string): Promise<void> {
  localStorage.removeItem(CHOICE_KEY)
  const back = `${location.origin}${SIGNED_OUT_PATH}`
  const settings = await settingsOf(issuer)
  const discovery = await discover(settings).catch(() => null)
  if (!discovery?.end_session_endpoint) return location.assign(back)
  const url = new URL(discovery.end_session_endpoint)
  url.search = new URLSearchParams({
    client_id: settings.clientId,
    post_logout_redirect_uri: back,
  }).toString()
  location.assign(url.href)
}

import { useEffect, useState } from 'react'
import {
  CALLBACK_PATH,
  finishSignIn,
  SIGN_IN_PATH,
  SIGNED_OUT_PATH,
  SignInRequired,
  startSignIn,
} from './oidc'

export type SessionState =
  | { status: 'starting' }
  | { status: 'signed-in'; accessToken: string; issuer: string }
  | { status: 'signed-out'; notice?: string; error?: unknown }

/** The page to return to after a sign-in: where the person is, or Devices from the bare root. */
export const currentPlace = () =>
  location.pathname === '/' || location.pathname.startsWith('/ui/')
    ? '/devices'
    : location.pathname + location.search

const RENEWED_AT_KEY = 'opencentral.renewedAt'
const RENEWAL_PAUSE_MS = 60_000

/**
 * Asks the issuer for a new access token without a page of its own (prompt=none) after the API
 * refused the current one. At most once a minute: a token the API keeps refusing is shown as an
 * error instead of sending the browser back and forth.
 */
export function renewSession(): boolean {
  const last = Number(sessionStorage.getItem(RENEWED_AT_KEY) ?? 0)
  if (Date.now() - last < RENEWAL_PAUSE_MS) return false
  sessionStorage.setItem(RENEWED_AT_KEY, String(Date.now()))
  void startSignIn({ returnTo: currentPlace(), silent: true, renewal: true })
  return true
}

const show = (path: string) => {
  history.replaceState(null, '', path)
  dispatchEvent(new PopStateEvent('popstate'))
}

/**
 * The access token lives in this component state only: never in localStorage, sessionStorage or
 * a cookie a script can read. A page load signs in again through the issuer's own session
 * (a top-level redirect with prompt=none, back at once), so a reload keeps the person signed in
 * while that session lasts, and a sign-out at the issuer signs out every tab on its next load.
 */
export function useSession(): SessionState {
  const [state, setState] = useState<SessionState>(() =>
    location.pathname === SIGNED_OUT_PATH
      ? { status: 'signed-out', notice: 'You are signed out.' }
      : { status: 'starting' },
  )
  useEffect(() => {
    const path = location.pathname
    const failed = (error: unknown) => setState({ status: 'signed-out', error })
    if (path === SIGNED_OUT_PATH) return
    if (path === CALLBACK_PATH) {
      finishSignIn(new URLSearchParams(location.search)).then(
        ({ accessToken, returnTo, issuer }) => {
          show(returnTo)
          setState({ status: 'signed-in', accessToken, issuer })
        },
        (error: unknown) => {
          if (error instanceof SignInRequired) {
            show(error.returnTo)
            setState(
              error.renewal ? { status: 'signed-out', notice: error.message } : { status: 'signed-out' },
            )
          } else {
            show('/')
            failed(error)
          }
        },
      )
      return
    }
    if (path === SIGN_IN_PATH) {
      const hint = new URLSearchParams(location.search).get('login_hint')
      startSignIn({ returnTo: '/devices', ...(hint ? { loginHint: hint } : {}) }).catch(failed)
      return
    }
    startSignIn({ returnTo: currentPlace(), silent: true }).catch(failed)
  }, [])
  return state
}

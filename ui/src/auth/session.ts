import { useEffect, useState } from 'react'
import { CALLBACK_PATH, finishSignIn } from './oidc'

export type SessionState =
  | { status: 'signed-out' }
  | { status: 'finishing' }
  | { status: 'signed-in'; accessToken: string }
  | { status: 'failed'; error: unknown }

/**
 * The access token lives in this component state only: never in localStorage or sessionStorage,
 * so a reload signs in again (silently while the issuer's session lasts).
 */
export function useSession(): SessionState {
  const onCallback = location.pathname === CALLBACK_PATH
  const [state, setState] = useState<SessionState>(
    onCallback ? { status: 'finishing' } : { status: 'signed-out' },
  )
  useEffect(() => {
    if (!onCallback) return
    finishSignIn(new URLSearchParams(location.search)).then(
      ({ accessToken, returnTo }) => {
        history.replaceState(null, '', returnTo)
        dispatchEvent(new PopStateEvent('popstate'))
        setState({ status: 'signed-in', accessToken })
      },
      (error: unknown) => {
        history.replaceState(null, '', '/')
        setState({ status: 'failed', error })
      },
    )
  }, [onCallback])
  return state
}

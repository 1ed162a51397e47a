import { useState } from 'react'
import { startSignIn } from '../auth/oidc'
import { ErrorMessage } from '../components/ErrorMessage'

export function SignInPage({ error }: { error?: unknown }) {
  const [failure, setFailure] = useState<unknown>(error ?? null)
  const returnTo = location.pathname === '/' ? '/devices' : location.pathname
  return (
    <main className="centered">
      <h1>OpenCentral</h1>
      <p>Sign in to manage devices, API tokens, users and roles.</p>
      <ErrorMessage error={failure} />
      <button type="button" onClick={() => startSignIn(returnTo).catch(setFailure)}>
        Sign in
      </button>
    </main>
  )
}

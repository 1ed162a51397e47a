import { useEffect, useState } from 'react'
import { issuers, startSignIn, type IssuerSettings } from '../auth/oidc'
import { currentPlace } from '../auth/session'
import { ErrorMessage } from '../components/ErrorMessage'

/** Signed out: one button per issuer (the embedded one first), and why the person is here. */
export function SignInPage({ error, notice }: { error?: unknown; notice?: string | undefined }) {
  const [failure, setFailure] = useState<unknown>(error ?? null)
  const [choices, setChoices] = useState<IssuerSettings[] | null>(null)
  useEffect(() => {
    issuers().then(setChoices, setFailure)
  }, [])
  const signIn = (issuer: string) => {
    setFailure(null)
    startSignIn({ returnTo: currentPlace(), issuer }).catch(setFailure)
  }
  return (
    <main className="centered">
      <h1>OpenCentral</h1>
      {notice ? <p role="status">{notice}</p> : null}
      <p>Sign in to manage devices, API tokens, users and roles.</p>
      <ErrorMessage error={failure} />
      {(choices ?? []).map((choice, index) => (
        <p key={choice.issuer}>
          <button type="button" onClick={() => signIn(choice.issuer)}>
            {index === 0 ? 'Sign in' : `Sign in with ${choice.name}`}
          </button>
        </p>
      ))}
    </main>
  )
}

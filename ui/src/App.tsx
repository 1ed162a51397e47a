import { useEffect, useMemo, useState } from 'react'
import { ApiClient, ApiError } from './api/client'
import { mayAnywhere, mayApplicationWide } from './api/permissions'
import type { Caller } from './api/types'
import { signOut } from './auth/oidc'
import { renewSession, useSession } from './auth/session'
import { displayNameOf } from './auth/token-claims'
import { ErrorMessage } from './components/ErrorMessage'
import { Navigation, pageFor } from './Navigation'
import { NotMemberPage } from './pages/NotMemberPage'
import { SignInPage } from './pages/SignInPage'
import { usePath } from './router'

export function App() {
  const session = useSession()
  if (session.status === 'signed-in')
    return <SignedIn accessToken={session.accessToken} issuer={session.issuer} />
  if (session.status === 'starting') return <p className="centered">Signing in…</p>
  return <SignInPage error={session.error} notice={session.notice} />
}

function SignedIn({ accessToken, issuer }: { accessToken: string; issuer: string }) {
  const api = useMemo(() => new ApiClient(accessToken, renewSession), [accessToken])
  const [caller, setCaller] = useState<Caller | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [path, navigate] = usePath()

  useEffect(() => {
    api.get<Caller>('/me').then(setCaller, setError)
  }, [api])

  if (error instanceof ApiError && error.status === 403) return <NotMemberPage error={error} />
  if (error) return <ErrorMessage error={error} />
  if (!caller) return <p className="centered">Loading…</p>

  const may = (permission: string, applicationWide = false) =>
    applicationWide ? mayApplicationWide(caller, permission) : mayAnywhere(caller, permission)
  const page = pageFor(path, may)
  return (
    <div className="shell">
      <Navigation
        path={path}
        navigate={navigate}
        may={may}
        who={displayNameOf(accessToken) ?? caller.principal.id}
        onSignOut={() => void signOut(issuer)}
      />
      <main className="content">
        {page ? (
          page.render(api, may, {
            rest: path.startsWith(`${page.path}/`)
              ? decodeURIComponent(path.slice(page.path.length + 1))
              : '',
            base: page.path,
            navigate,
          })
        ) : (
          <p>There is nothing here.</p>
        )}
      </main>
    </div>
  )
}

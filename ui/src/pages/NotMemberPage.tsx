import type { ApiError } from '../api/client'

/** Signed in, but not a user of this application: the API's own words name the tenant and object id. */
export function NotMemberPage({ error }: { error: ApiError }) {
  return (
    <main className="centered">
      <h1>You are not a user of this application</h1>
      <p>{error.message}</p>
      <p>Ask an administrator to add you under Administration / Users, then sign in again.</p>
      {error.requestId ? <p className="request-id">Request id {error.requestId}</p> : null}
    </main>
  )
}

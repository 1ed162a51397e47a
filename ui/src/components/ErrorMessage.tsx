import { ApiError } from '../api/client'

/** An error in plain words; the API's request id is quoted so that an operator can find it. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null
  const message = error instanceof Error ? error.message : String(error)
  const requestId = error instanceof ApiError ? error.requestId : null
  return (
    <p className="error" role="alert">
      {message}
      {requestId ? <span className="request-id"> (request id {requestId})</span> : null}
    </p>
  )
}

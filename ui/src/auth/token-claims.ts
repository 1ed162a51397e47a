/**
 * The display claims of an access token (its payload, read without verifying: only for showing
 * who is signed in; the API verifies the token on every call).
 */
export function displayNameOf(accessToken: string): string | null {
  try {
    const payload = accessToken.split('.')[1] ?? ''
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'))
    const claims = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))),
    )
    return claims.email ?? claims.name ?? null
  } catch {
    return null
  }
}

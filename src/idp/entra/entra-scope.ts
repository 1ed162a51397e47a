import { EntraError } from './entra-errors.js'

/** Scopes that belong to OpenID Connect itself rather than to a resource. */
const OPENID_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access'])

export interface TranslatedScope {
  /** The resource the scope names (`https://apps.azureiotcentral.com` for its `/.default`). */
  resource: string | undefined
  /** The OpenID Connect scopes asked for alongside, space-separated; empty when none. */
  openid: string
}

/**
 * Entra v2 names the resource inside the scope (`<resource>/.default`, `<resource>/<permission>`);
 * the embedded issuer takes it as a resource indicator (RFC 8707) and grants its one permission.
 */
export function translateScope(scope: string | undefined): TranslatedScope {
  const openid: string[] = []
  const resources = new Set<string>()
  for (const entry of (scope ?? '').split(' ').filter(Boolean)) {
    if (OPENID_SCOPES.has(entry)) {
      openid.push(entry)
      continue
    }
    const slash = entry.lastIndexOf('/')
    if (slash <= 0) throw EntraError.invalidScope(entry)
    resources.add(entry.slice(0, slash))
  }
  if (resources.size > 1) throw EntraError.multipleResources()
  return { resource: [...resources][0], openid: openid.join(' ') }
}

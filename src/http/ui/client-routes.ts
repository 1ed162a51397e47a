/**
 * The paths the web application routes on the client (ui/src/Navigation.tsx, and the sign-in
 * callback of ui/src/auth/oidc.ts), each with the item paths under it. A browser navigating to
 * one of them gets index.html; any other path is not a page, whoever asks.
 */
const CLIENT_ROUTES: readonly string[] = [
  '/devices',
  '/device-groups',
  '/device-templates',
  '/jobs',
  '/scheduled-jobs',
  '/admin/users',
  '/admin/roles',
  '/admin/organizations',
  '/admin/api-tokens',
  '/admin/device-connection-groups',
  '/admin/audit-log',
]

/** The sign-in pages of ui/src/auth/oidc.ts (callback, sign-in, signed out): one path each, nothing under them. */
const SIGN_IN_PAGES: ReadonlySet<string> = new Set(['/ui/callback', '/ui/sign-in', '/ui/signed-out'])

export function isClientRoute(pathname: string): boolean {
  if (pathname === '/' || SIGN_IN_PAGES.has(pathname)) return true
  return CLIENT_ROUTES.some((route) => pathname === route || pathname.startsWith(`${route}/`))
}

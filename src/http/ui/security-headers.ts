/**
 * Headers of every file of the web application. Scripts come only from this origin (no inline
 * script can run), the application talks only to this origin (API and embedded issuer) and to the
 * external issuers people may sign in with (their discovery and token endpoints), and no other
 * site may frame it.
 */
export function uiContentSecurityPolicy(issuerOrigins: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ["connect-src 'self'", ...new Set(issuerOrigins)].join(' '),
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ')
}

export function uiHeaders(issuerOrigins: readonly string[] = []): Readonly<Record<string, string>> {
  return {
    'content-security-policy': uiContentSecurityPolicy(issuerOrigins),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  }
}

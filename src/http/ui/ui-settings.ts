import type { IssuerTrust } from '../../auth/bearer/issuer-trust.js'

/** One issuer the web application can sign people in with (authorization code + PKCE). */
export interface UiIssuer {
  /** The issuer URL; also what the application remembers as the person's choice. */
  issuer: string
  /** What the sign-in button names. */
  name: string
  clientId: string
  scope: string
  /** The resource (audience) asked for with RFC 8707 `resource`; absent where the scope names it. */
  resource?: string
}

/** What the web application reads at /ui-config.json: the issuers, the embedded one first. */
export interface UiSettings {
  issuers: UiIssuer[]
}

const OIDC_SCOPE = 'openid profile email'

/** The embedded issuer, then every trusted external issuer configured for web sign-in. */
export function uiSettings(
  embedded: { issuer: string; clientId: string },
  audiences: readonly string[],
  external: readonly IssuerTrust[],
): UiSettings {
  return {
    issuers: [
      {
        issuer: embedded.issuer,
        name: 'OpenCentral',
        clientId: embedded.clientId,
        scope: OIDC_SCOPE,
        resource: audiences[0] as string,
      },
      ...external.flatMap((trust) =>
        trust.webSignIn
          ? [
              {
                issuer: trust.issuer,
                name: trust.webSignIn.name,
                clientId: trust.webSignIn.clientId,
                scope: trust.webSignIn.scope ?? OIDC_SCOPE,
                // Entra names the resource in the scope; other issuers take RFC 8707 `resource`.
                ...(trust.webSignIn.scope ? {} : { resource: trust.audiences[0] as string }),
              },
            ]
          : [],
      ),
    ],
  }
}

/** The origins the application's scripts may call besides its own: the external issuers'. */
export const issuerOrigins = (settings: UiSettings): string[] =>
  settings.issuers.slice(1).map((entry) => new URL(entry.issuer).origin)

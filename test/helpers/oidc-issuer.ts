import type { IncomingMessage, ServerResponse } from 'node:http'
import Provider from 'oidc-provider'
import { LoopbackServer } from './loopback.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/**
 * A real external OpenID Connect issuer on loopback (oidc-provider with its development sign-in
 * pages: any login name, any password), for signing people in to the web application the way
 * Entra or Keycloak would: authorization code + PKCE for a public client, prompt=none against its
 * session, RP-initiated logout. Access tokens are JWTs for the requested resource and carry the
 * login name as `email`.
 */
export class OidcTestIssuer extends LoopbackServer {
  private handler: Handler | null = null

  /** Listens first: the issuer URL (its port) must be known before the application trusts it. */
  static async listen(): Promise<OidcTestIssuer> {
    const issuer = new OidcTestIssuer()
    await issuer.up()
    return issuer
  }

  get url(): string {
    return this.base
  }

  /** Starts answering as an issuer with the web application registered as `clientId`. */
  register(clientId: string, appUrl: string, resource: string): void {
    const provider = new Provider(this.url, {
      clients: [
        {
          client_id: clientId,
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code'],
          response_types: ['code'],
          redirect_uris: [`${appUrl}/ui/callback`],
          post_logout_redirect_uris: [`${appUrl}/ui/signed-out`],
        },
      ],
      clientBasedCORS: () => true,
      findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
      ttl: { AccessToken: 3600, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
      features: {
        devInteractions: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: async () => resource,
          useGrantedResource: async () => true,
          getResourceServerInfo: async () => ({
            scope: 'user_impersonation',
            audience: resource,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
      },
      extraTokenClaims: async (_ctx, token) => ({
        email: (token as { accountId?: string }).accountId,
        scp: 'user_impersonation',
      }),
    })
    this.handler = provider.callback() as unknown as Handler
  }

  protected handle(request: IncomingMessage, response: ServerResponse): void {
    if (this.handler) return this.handler(request, response)
    response.writeHead(503).end()
  }
}

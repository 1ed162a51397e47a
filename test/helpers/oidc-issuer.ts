import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/**
 * A real external OpenID Connect issuer on loopback (oidc-provider with its development sign-in
 * pages: any login name, any password), for signing people in to the web application the way
 * Entra or Keycloak would: authorization code + PKCE for a public client, prompt=none against its
 * session, RP-initiated logout. Access tokens are JWTs for the requested resource and carry the
 * login name as `email`.
 */
export class OidcTestIssuer {
  private server: Server | null = null
  private handler: Handler | null = null
  private port = 0

  /** Listens first: the issuer URL (its port) must be known before the application trusts it. */
  static async listen(): Promise<OidcTestIssuer> {
    const issuer = new OidcTestIssuer()
    await issuer.up()
    return issuer
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
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

  async up(): Promise<void> {
    const server = createServer((req, res) => {
      if (this.handler) return this.handler(req, res)
      res.writeHead(503).end()
    })
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve))
    this.port = (server.address() as AddressInfo).port
    this.server = server
  }

  /** Stops answering (connections refused) until up() again. */
  async down(): Promise<void> {
    const server = this.server
    this.server = null
    server?.closeAllConnections()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  }
}

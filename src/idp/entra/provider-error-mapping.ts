import { EntraError } from './entra-errors.js'

export interface ProviderErrorContext {
  tenantId: string
  clientId: string | undefined
  /** Whether the client id names a client of this issuer (a service principal or a first-party client). */
  clientKnown: boolean
  /** How the client tried to authenticate, from the request. */
  credential: 'secret' | 'assertion' | 'none'
  /** The secret presented is the right one, past its end date. */
  secretExpired: boolean
  resource: string | undefined
}

/**
 * oidc-provider's OAuth errors (`error`, `error_description`) in Entra's words: the same OAuth
 * code where Entra keeps it, with the AADSTS number Entra gives for that failure. Device-flow
 * polling answers keep their RFC 8628 codes, which MSAL polls on.
 */
export function entraErrorFor(
  status: number,
  body: { error?: string; error_description?: string },
  context: ProviderErrorContext,
): EntraError {
  const detail = body.error_description ?? body.error ?? 'the request failed'
  const clientId = context.clientId ?? ''
  switch (body.error) {
    case 'invalid_client':
      if (!context.clientKnown) return EntraError.unknownClient(clientId, context.tenantId)
      if (context.secretExpired) return EntraError.expiredSecret(clientId)
      if (context.credential === 'secret') return EntraError.wrongSecret(clientId)
      if (context.credential === 'assertion') return EntraError.badAssertion(clientId)
      return EntraError.missingCredential()
    case 'invalid_target':
      return EntraError.unknownResource(context.resource ?? '', context.tenantId)
    case 'authorization_pending':
      return new EntraError(
        400,
        'authorization_pending',
        70016,
        'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
      )
    case 'slow_down':
      return new EntraError(
        400,
        'slow_down',
        70016,
        'OAuth 2.0 device flow error. Polling too fast: slow down.',
      )
    case 'expired_token':
      return new EntraError(400, 'expired_token', 70019, 'Verification code expired.')
    case 'access_denied':
      return new EntraError(400, 'authorization_declined', 70000, 'The user declined to sign in.')
    case 'invalid_grant':
      return new EntraError(
        400,
        'invalid_grant',
        70000,
        `The provided grant is not valid: ${detail}.`,
      )
    case 'unsupported_grant_type':
      return new EntraError(
        400,
        'unsupported_grant_type',
        70003,
        'The app requested an unsupported grant type.',
      )
    case 'unauthorized_client':
      return new EntraError(
        400,
        'unauthorized_client',
        700025,
        `The application '${clientId}' may not use this grant type.`,
      )
    case 'invalid_scope':
      return new EntraError(
        400,
        'invalid_scope',
        70011,
        `The provided value for the input parameter 'scope' is not valid: ${detail}.`,
      )
    case 'invalid_request':
      return new EntraError(400, 'invalid_request', 900144, `The request is not valid: ${detail}.`)
    default:
      return status >= 500
        ? new EntraError(
            500,
            'temporarily_unavailable',
            50000,
            'There was an error issuing a token. Please try again.',
          )
        : new EntraError(
            status,
            body.error ?? 'invalid_request',
            90100,
            `The request is not valid: ${detail}.`,
          )
  }
}

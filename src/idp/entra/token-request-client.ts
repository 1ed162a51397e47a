import { decodeJwt } from 'jose'

export interface ClientDirectory {
  /** Whether the id names a service principal or a first-party client of the embedded issuer. */
  isKnown(clientId: string): Promise<boolean>
  /** Whether the secret is the client's, past its end date. */
  hasExpiredSecret(clientId: string, secret: string): Promise<boolean>
}

export interface RequestingClient {
  clientId: string | undefined
  clientKnown: boolean
  credential: 'secret' | 'assertion' | 'none'
  secretExpired: boolean
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** The subject of an assertion, read without trusting it: only to word an error. */
function assertionSubject(assertion: string): string | undefined {
  try {
    const sub = decodeJwt(assertion).sub
    return typeof sub === 'string' ? sub : undefined
  } catch {
    return undefined
  }
}

/** `Authorization: Basic` as oidc-provider reads it: URL-encoded id and secret. */
function basicCredentials(
  authorization: string | undefined,
): { clientId: string; secret: string } | undefined {
  const [scheme, value] = (authorization ?? '').split(' ')
  if (scheme?.toLowerCase() !== 'basic' || !value) return undefined
  const decoded = Buffer.from(value, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) return undefined
  try {
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon)),
      secret: decodeURIComponent(decoded.slice(colon + 1)),
    }
  } catch {
    return undefined
  }
}

/**
 * Who a token request says it comes from and how it tries to prove it, so that a refusal by the
 * provider can be worded as Entra words it. Authentication itself is the provider's.
 */
export async function clientOf(
  fields: Record<string, string>,
  authorization: string | undefined,
  clients: ClientDirectory,
): Promise<RequestingClient> {
  const basic = basicCredentials(authorization)
  const assertion =
    fields.client_assertion_type === ASSERTION_TYPE ? fields.client_assertion : undefined
  let clientId = fields.client_id || basic?.clientId
  if (!clientId && assertion) clientId = assertionSubject(assertion)
  const secret = fields.client_secret || basic?.secret
  const credential = secret ? 'secret' : assertion ? 'assertion' : 'none'
  const clientKnown = clientId ? await clients.isKnown(clientId) : false
  const secretExpired =
    clientKnown && clientId && secret ? await clients.hasExpiredSecret(clientId, secret) : false
  return { clientId, clientKnown, credential, secretExpired }
}

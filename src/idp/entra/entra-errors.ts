import { randomUUID } from 'node:crypto'

/** An OAuth error as Entra words it: the OAuth code, an AADSTS number and its sentence. */
export class EntraError extends Error {
  override name = 'EntraError'

  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    readonly sentence: string,
  ) {
    super(`AADSTS${code}: ${sentence}`)
  }

  static invalidScope(scope: string): EntraError {
    return new EntraError(
      400,
      'invalid_scope',
      70011,
      `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
    )
  }

  static multipleResources(): EntraError {
    return new EntraError(
      400,
      'invalid_scope',
      28000,
      'Provided value for the input parameter scope is not valid because it contains more than one resource.',
    )
  }

  static unknownClient(clientId: string, tenantId: string): EntraError {
    return new EntraError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    )
  }

  static wrongSecret(clientId: string): EntraError {
    return new EntraError(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    )
  }

  static expiredSecret(clientId: string): EntraError {
    return new EntraError(
      401,
      'invalid_client',
      7000222,
      `The provided client secret keys for app '${clientId}' are expired. Create a new secret for the app (opencentral idp sp create), or consider using certificate credentials for added security.`,
    )
  }

  static badAssertion(clientId: string): EntraError {
    return new EntraError(
      401,
      'invalid_client',
      700027,
      `Client assertion failed signature validation. The application '${clientId}' has no registered certificate whose key signed the assertion, or the assertion is malformed, expired or meant for another audience.`,
    )
  }

  static missingCredential(): EntraError {
    return new EntraError(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    )
  }

  static unknownResource(resource: string, tenantId: string): EntraError {
    return new EntraError(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    )
  }
}

/** Entra's timestamp format: `2026-11-28 22:15:02Z`. */
function entraTimestamp(now: Date): string {
  return `${now.toISOString().slice(0, 19).replace('T', ' ')}Z`
}

/**
 * The body Entra answers errors with. MSAL and @azure/identity surface `error_codes` and the
 * AADSTS text of `error_description`; the ids let a caller quote the failed attempt.
 */
export function entraErrorBody(
  error: EntraError,
  correlationId: string | undefined,
  now = new Date(),
): Record<string, unknown> {
  const traceId = randomUUID()
  const correlation =
    correlationId && /^[\w-]{1,64}$/.test(correlationId) ? correlationId : randomUUID()
  const timestamp = entraTimestamp(now)
  return {
    error: error.error,
    error_description: `${error.message} Trace ID: ${traceId} Correlation ID: ${correlation} Timestamp: ${timestamp}`,
    error_codes: [error.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlation,
  }
}

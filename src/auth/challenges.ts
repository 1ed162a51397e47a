import { AppError } from '../errors/app-error.js'

/** No credential at all. */
export function missingCredential(): AppError {
  return new AppError(
    'Unauthenticated',
    'Authentication is required: send an API token or a Bearer token in the Authorization header.',
    { challenge: 'none' },
  )
}

/**
 * Any credential that cannot be accepted. The default message is the same for unknown ids and
 * wrong secrets, so the answer is no oracle.
 */
export function invalidToken(
  message = 'The provided authentication token is invalid.',
  detail?: string,
): AppError {
  return new AppError('Unauthenticated', message, {
    challenge: 'invalid_token',
    ...(detail === undefined ? {} : { detail }),
  })
}

/** Two Authorization headers in one request. */
export function duplicateCredential(): AppError {
  return new AppError('BadRequest', 'Send exactly one Authorization header.', {
    challenge: 'invalid_request',
  })
}

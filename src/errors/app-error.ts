import { ERROR_STATUS, type ErrorCode } from './codes.js'

/**
 * The `WWW-Authenticate` challenge an error carries (RFC 6750 §3): `none` for a request without
 * credentials, otherwise the `error` parameter. The error handler adds the realm.
 */
export type Challenge = 'none' | 'invalid_token' | 'invalid_request' | 'insufficient_scope'

export interface AppErrorOptions {
  challenge?: Challenge
  /** Extra response headers, e.g. `WWW-Authenticate` or `Retry-After`. */
  headers?: Record<string, string>
  /** Logged with the request, never sent to the client. */
  detail?: string
  cause?: unknown
}

/**
 * The one error class of the server. `message` is sent to the client, so it must never hold any
 * part of a credential; `detail` is for the log only.
 */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly headers: Record<string, string>
  readonly detail: string | undefined
  readonly challenge: Challenge | undefined

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.status = ERROR_STATUS[code]
    this.headers = options.headers ?? {}
    this.detail = options.detail
    this.challenge = options.challenge
  }

  /** Server-side failures are not explained to the client. */
  get expose(): boolean {
    return this.status < 500 || this.code === 'ServiceUnavailable' || this.code === 'GatewayTimeout'
  }
}

export const notFound = (what: string): AppError =>
  new AppError('NotFound', `${what} was not found.`)

export const unprocessable = (message: string): AppError =>
  new AppError('UnprocessableEntity', message)

export const conflict = (message: string): AppError => new AppError('Conflict', message)

export const forbidden = (message: string): AppError => new AppError('Forbidden', message)

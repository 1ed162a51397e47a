/** The error codes OpenCentral answers with, in IoT Central's PascalCase vocabulary, and their HTTP status. */
export const ERROR_STATUS = {
  BadRequest: 400,
  Unauthenticated: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  Conflict: 409,
  PreconditionFailed: 412,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  UnprocessableEntity: 422,
  TooManyRequests: 429,
  InternalServerError: 500,
  ServiceUnavailable: 503,
  /** A device got a command but did not answer in time. */
  GatewayTimeout: 504,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../../errors/app-error.js'
import { ERROR_STATUS, type ErrorCode } from '../../errors/codes.js'
import { toBody } from '../../errors/to-body.js'
import { isStoreBusy, isStoreUnavailable } from '../../storage/is-unavailable.js'

const CODE_BY_STATUS = new Map<number, ErrorCode>(
  Object.entries(ERROR_STATUS).map(([code, status]) => [status, code as ErrorCode]),
)

interface ValidationIssue {
  instancePath?: string
  message?: string
  params?: { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] }
}

/** `/roles/0/role` → `roles[0].role`; the field a client has to fix. */
function fieldName(context: string, issue: ValidationIssue): string {
  const parts = (issue.instancePath ?? '').split('/').filter(Boolean)
  const extra = issue.params?.missingProperty ?? issue.params?.additionalProperty
  if (extra) parts.push(extra)
  const name = parts.reduce(
    (acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
    '',
  )
  return name || context
}

function describeIssue(issue: ValidationIssue): string {
  if (issue.params?.additionalProperty) return 'is not a known member'
  if (issue.params?.missingProperty) return 'is required'
  if (issue.params?.allowedValues) return `must be one of ${issue.params.allowedValues.join(', ')}`
  return issue.message ?? 'is not valid'
}

/** Turns whatever was thrown into the AppError the client will see. */
export function toAppError(error: FastifyError | Error): AppError {
  if (error instanceof AppError) return error
  const fastifyError = error as FastifyError & { validation?: ValidationIssue[] }
  if (fastifyError.validation && fastifyError.validation.length > 0) {
    const context = fastifyError.validationContext ?? 'body'
    const issue = fastifyError.validation[0] as ValidationIssue
    const message = `${fieldName(context, issue)}: ${describeIssue(issue)}.`
    return new AppError(context === 'body' ? 'UnprocessableEntity' : 'BadRequest', message)
  }
  if (isStoreUnavailable(error)) {
    const message = isStoreBusy(error)
      ? 'The store is busy: another writer held it longer than the busy timeout; retry shortly.'
      : 'The store is unavailable; retry shortly.'
    return new AppError('ServiceUnavailable', message, {
      headers: { 'retry-after': '5' },
      cause: error,
    })
  }
  const status = fastifyError.statusCode
  if (status !== undefined && status >= 400 && status < 500) {
    if (fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
      return new AppError('BadRequest', 'The body is not valid JSON.')
    }
    const code = CODE_BY_STATUS.get(status) ?? 'BadRequest'
    return new AppError(code, fastifyError.message, { cause: error })
  }
  return new AppError('InternalServerError', 'An internal error occurred.', { cause: error })
}

/** Errors raised by the router before any route runs (an over-long or malformed URL). */
export function frameworkError(error: FastifyError): AppError {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new AppError('NotFound', 'There is no resource with such a long id.')
  }
  return new AppError('BadRequest', 'The URL could not be read.')
}

/** Writes the error body, `x-ms-error-code` and any challenge; the one place errors are shaped. */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: AppError,
  realm: string,
): FastifyReply {
  const body = toBody(error, request.id)
  if (error.status >= 500) {
    request.log.error({ err: error.cause ?? error, code: body.error.code }, 'request failed')
  } else {
    request.log.info({ code: error.code, detail: error.detail }, error.message)
  }
  reply.code(error.status).header('x-ms-error-code', body.error.code).headers(error.headers)
  // A member calling with a bearer token who lacks a permission, wherever the check was made.
  const challenge =
    error.challenge ??
    (error.code === 'Forbidden' && request.principal?.scheme === 'Bearer'
      ? 'insufficient_scope'
      : undefined)
  if (challenge) {
    const parameter = challenge === 'none' ? '' : `, error="${challenge}"`
    reply.header('www-authenticate', `Bearer realm="${realm}"${parameter}`)
  }
  return reply.send(body)
}

/** The root error and not-found handlers (plugins never set their own). */
export const errorHandlerPlugin = fp<{ realm: string }>(async (app: FastifyInstance, { realm }) => {
  app.setErrorHandler((error: FastifyError, request, reply) =>
    sendError(request, reply, toAppError(error), realm),
  )
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new AppError('NotFound', `There is no ${request.method} ${request.url.split('?')[0]} here.`),
      realm,
    ),
  )
})

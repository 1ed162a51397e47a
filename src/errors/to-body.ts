import type { AppError } from './app-error.js'

export interface ErrorBody {
  error: { code: string; message: string; requestId: string; time: string }
}

/** The only serializer of errors: IoT Central's `Error` → `ErrorDetails` shape. */
export function toBody(error: AppError, requestId: string, now: Date = new Date()): ErrorBody {
  const message = error.expose ? error.message : 'An internal error occurred.'
  const code = error.expose ? error.code : 'InternalServerError'
  return { error: { code, message, requestId, time: now.toUTCString() } }
}

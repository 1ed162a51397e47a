import type { FastifyRequest } from 'fastify'
import { duplicateCredential } from '../auth/challenges.js'

const NAME = 'authorization'

const isAuthorization = (name: string): boolean =>
  name.length === NAME.length && (name === 'Authorization' || name === NAME || name.toLowerCase() === NAME)

/**
 * The request's Authorization header, read from the raw header list. Node keeps only the first of
 * repeated Authorization headers, so repeats are found here, and refused (a second credential is
 * never silently ignored). Reading the raw list also spares building Node's headers object, which
 * a GET on the API otherwise never needs.
 */
export function authorizationHeader(request: FastifyRequest): string | undefined {
  const raw = request.raw.rawHeaders
  let value: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    if (!isAuthorization(raw[i] as string)) continue
    if (value !== undefined) throw duplicateCredential()
    value = raw[i + 1] as string
  }
  return value
}

/** Whether the request carries an Authorization header (one or more). */
export function carriesAuthorization(request: FastifyRequest): boolean {
  const raw = request.raw.rawHeaders
  for (let i = 0; i < raw.length; i += 2) if (isAuthorization(raw[i] as string)) return true
  return false
}

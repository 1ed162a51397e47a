import { randomUUID } from 'node:crypto'

/** A DPS answer exactly as both transports send it: HTTP status + JSON body; MQTT res/{status}/?$rid=…&retry-after=… */
export interface DpsAnswer {
  status: number
  body: unknown
  retryAfterSeconds?: number
}

/** What the device provisioning service says about one registration (`registrationState`). */
export interface RegistrationState {
  registrationId: string
  createdDateTimeUtc?: string
  assignedHub?: string
  deviceId?: string
  status: 'assigning' | 'assigned'
  substatus?: 'initialAssignment' | 'reprovisionedToInitialAssignment'
  lastUpdatedDateTimeUtc?: string
  etag?: string
}

/**
 * The device provisioning service's error kinds, with its HTTP status and six-digit `errorCode`
 * (status × 1000 + detail, the way DPS numbers them: 401002 is its "Unauthorized").
 */
const ERRORS = {
  badRequest: { status: 400, errorCode: 400004 },
  invalidApiVersion: { status: 400, errorCode: 400001 },
  unauthorized: { status: 401, errorCode: 401002 },
  notFound: { status: 404, errorCode: 404001 },
  internal: { status: 500, errorCode: 500000 },
  unavailable: { status: 503, errorCode: 503000 },
} as const

export type DpsErrorKind = keyof typeof ERRORS

/** A DPS error: `{errorCode, trackingId, message, timestampUtc}`. Messages never quote a credential. */
export function dpsError(kind: DpsErrorKind, message: string, now: number, retryAfterSeconds?: number): DpsAnswer {
  const { status, errorCode } = ERRORS[kind]
  const answer: DpsAnswer = {
    status,
    body: { errorCode, trackingId: randomUUID(), message, timestampUtc: new Date(now).toISOString() },
  }
  if (retryAfterSeconds !== undefined) answer.retryAfterSeconds = retryAfterSeconds
  return answer
}

/** The one answer for every credential problem: a device learns nothing about which part failed. */
export const unauthorized = (now: number): DpsAnswer => dpsError('unauthorized', 'Unauthorized', now)

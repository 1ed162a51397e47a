import mqtt from 'mqtt'
import { tlsOptions, topicQuery, type Endpoint } from './endpoint.js'
import { registrationSas } from './sas.js'

/** The api-version Microsoft's provisioning SDK sends. */
export const DPS_API_VERSION = '2019-03-31'
/** How long one registration may take, polls included (the SDK's per-request limit is 30 s). */
const REGISTRATION_TIMEOUT_MS = 60_000
const DEFAULT_RETRY_AFTER_SECONDS = 2

export interface RegistrationInput {
  idScope: string
  registrationId: string
  /** The device's key (derived from its group's key). */
  deviceKey: string
  /** The device's model (IoT Central assigns the template whose id it is). */
  modelId?: string
}

/** What DPS answered once the device is assigned. */
export interface Assignment {
  assignedHub: string
  deviceId: string
}

/** A DPS answer that refused the registration, with its status and the service's words. */
export class RegistrationError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Registers a device with the provisioning service over MQTT, exactly as the SDK's MQTT transport
 * does: PUT iotdps-register, then GET iotdps-get-operationstatus every `retry-after` seconds while
 * it is assigning.
 */
export async function registerOverMqtt(endpoint: Endpoint, input: RegistrationInput): Promise<Assignment> {
  const { idScope, registrationId } = input
  const client = await mqtt.connectAsync({
    ...tlsOptions(endpoint),
    clientId: registrationId,
    clean: true,
    username: `${idScope}/registrations/${registrationId}/api-version=${DPS_API_VERSION}&ClientVersion=opencentral-simulator`,
    password: registrationSas(idScope, registrationId, input.deviceKey),
  })
  try {
    return await new Promise<Assignment>((resolve, reject) => {
      let rid = 0
      const timer = setTimeout(
        () => reject(new RegistrationError(408, `registration of ${registrationId} took over ${REGISTRATION_TIMEOUT_MS / 1000} s`)),
        REGISTRATION_TIMEOUT_MS,
      )
      const done = (outcome: () => void) => {
        clearTimeout(timer)
        outcome()
      }
      const send = (topic: string, body: string) => {
        client.publishAsync(topic, body, { qos: 1 }).catch((error: unknown) => done(() => reject(error)))
      }
      const poll = (operationId: string) =>
        send(
          `$dps/registrations/GET/iotdps-get-operationstatus/?$rid=${++rid}&operationId=${encodeURIComponent(operationId)}`,
          ' ',
        )
      client.on('message', (topic, payload) => {
        const match = /^\$dps\/registrations\/res\/(\d+)\//.exec(topic)
        if (!match) return
        const retryAfter = topicQuery(topic).get('retry-after')
        try {
          const next = readDpsAnswer(registrationId, Number(match[1]), payload.toString('utf8'), retryAfter === null ? null : Number(retryAfter))
          if (next.kind === 'assigned') return done(() => resolve(next.assignment))
          const { operationId } = next
          setTimeout(() => (operationId ? poll(operationId) : register()), next.retryAfterSeconds * 1000)
        } catch (error) {
          done(() => reject(error))
        }
      })
      const register = () =>
        send(
          `$dps/registrations/PUT/iotdps-register/?$rid=${++rid}`,
          JSON.stringify({
            registrationId,
            ...(input.modelId ? { payload: { modelId: input.modelId } } : {}),
          }),
        )
      client
        .subscribeAsync('$dps/registrations/res/#', { qos: 1 })
        .then(register, (error: unknown) => done(() => reject(error)))
    })
  } finally {
    await client.endAsync(true).catch(() => {})
  }
}

/** What to do after a DPS answer: done, or ask again (poll the operation, or register again). */
export type DpsNext =
  | { kind: 'assigned'; assignment: Assignment }
  | { kind: 'again'; operationId: string | null; retryAfterSeconds: number }

/**
 * Reads one DPS answer as the SDK's state machine does: `assigned` with its registrationState is
 * done, `assigning` polls its operation, 429 and `registering` ask again; any other status of
 * 300 or more, `failed`, or a body that is not JSON is a RegistrationError.
 */
export function readDpsAnswer(registrationId: string, status: number, text: string, retryAfter: number | null): DpsNext {
  let body: Record<string, unknown>
  try {
    body = JSON.parse(text) as Record<string, unknown>
  } catch {
    throw new RegistrationError(status, `DPS answered ${status} with a body that is not JSON`)
  }
  const operationId = typeof body.operationId === 'string' ? body.operationId : null
  const retryAfterSeconds = retryAfter ?? DEFAULT_RETRY_AFTER_SECONDS
  if (status === 429) return { kind: 'again', operationId, retryAfterSeconds }
  if (status >= 300) {
    const message = typeof body.message === 'string' ? body.message : JSON.stringify(body)
    throw new RegistrationError(status, `DPS refused ${registrationId} (${status}): ${message}`)
  }
  const state = body.registrationState as Record<string, unknown> | undefined
  const said = String(body.status).toLowerCase()
  if (said === 'assigned' && state) {
    return { kind: 'assigned', assignment: { assignedHub: String(state.assignedHub), deviceId: String(state.deviceId ?? registrationId) } }
  }
  if (said === 'failed') throw new RegistrationError(status, `DPS failed ${registrationId}: ${JSON.stringify(body)}`)
  return { kind: 'again', operationId, retryAfterSeconds }
}

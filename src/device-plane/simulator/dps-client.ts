import mqtt from 'mqtt'
import { tlsOptions, topicQuery, type Endpoint } from './endpoint.js'
import { registrationSas } from './sas.js'

/** The api-version Microsoft's provisioning SDK sends. */
const DPS_API_VERSION = '2019-03-31'
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
        const status = Number(match[1])
        let body: Record<string, unknown>
        try {
          body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>
        } catch {
          return done(() => reject(new RegistrationError(status, `DPS answered ${status} with a body that is not JSON`)))
        }
        const retryAfter = Number(topicQuery(topic).get('retry-after') ?? DEFAULT_RETRY_AFTER_SECONDS)
        const operationId = typeof body.operationId === 'string' ? body.operationId : null
        if (status >= 300 && status !== 429) {
          const message = typeof body.message === 'string' ? body.message : JSON.stringify(body)
          return done(() => reject(new RegistrationError(status, `DPS refused ${registrationId} (${status}): ${message}`)))
        }
        const state = body.registrationState as Record<string, unknown> | undefined
        if (String(body.status).toLowerCase() === 'assigned' && state) {
          return done(() =>
            resolve({ assignedHub: String(state.assignedHub), deviceId: String(state.deviceId ?? registrationId) }),
          )
        }
        if (String(body.status).toLowerCase() === 'failed') {
          return done(() => reject(new RegistrationError(status, `DPS failed ${registrationId}: ${JSON.stringify(body)}`)))
        }
        setTimeout(() => (operationId ? poll(operationId) : register()), retryAfter * 1000)
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

import type { Client, PublishPacket } from 'aedes'
import { randomUUID } from 'node:crypto'
import type { Clock } from '../../clock.js'
import type { ProvisioningService } from '../../services/provisioning.service.js'
import type { Store } from '../../storage/store.js'
import { RegistrationAdmission, type RegistrationProof } from './registration-admission.js'
import type { DeviceRegistrationService } from './registration.service.js'
import { sendToClient } from '../mqtt/send-to-client.js'

/**
 * The provisioning service over MQTT, on the device endpoint's listener: a client whose username
 * is `{idScope}/registrations/{registrationId}/api-version=…` registers through the same
 * DeviceRegistrationService as HTTPS. Its session is kept apart from the devices' (its client id is
 * renamed on CONNECT), so a registration never takes over the session of the device it names.
 */

export interface ProvisioningSession {
  idScope: string
  registrationId: string
  proof: RegistrationProof
}

export const DPS_SUBSCRIPTION = '$dps/registrations/res/#'
const REGISTER = '$dps/registrations/PUT/iotdps-register/'
const OPERATION_STATUS = '$dps/registrations/GET/iotdps-get-operationstatus/'
const CLIENT_ID_PREFIX = '$dps/'

/** The client id a registration's session gets: never a device id (device ids hold no `$` or `/`). */
export const provisioningClientId = (registrationId: string): string =>
  `${CLIENT_ID_PREFIX}${registrationId}/${randomUUID()}`

/** Whether the renamed client id belongs to `registrationId`. */
export const isProvisioningClientOf = (clientId: string, registrationId: string): boolean =>
  clientId.startsWith(`${CLIENT_ID_PREFIX}${registrationId}/`)

export const mayPublishProvisioning = (topic: string): boolean =>
  topic.startsWith(`${REGISTER}?`) || topic.startsWith(`${OPERATION_STATUS}?`)

export const maySubscribeProvisioning = (topic: string): boolean => topic === DPS_SUBSCRIPTION

export class ProvisioningOverMqtt {
  private readonly admission: RegistrationAdmission

  constructor(
    private readonly registrations: DeviceRegistrationService,
    private readonly provisioning: ProvisioningService,
    store: Store,
    clock: Clock,
  ) {
    this.admission = new RegistrationAdmission(store, provisioning, clock)
  }

  /** Whether the client may open a session: its ID scope is this application's and its proof holds. */
  async admits(session: ProvisioningSession): Promise<boolean> {
    if (session.idScope.toLowerCase() !== (await this.provisioning.idScope()).toLowerCase()) return false
    return (await this.admission.check(session.idScope, session.registrationId, session.proof)) === null
  }

  /** Answers a registration or an operation-status request on `$dps/registrations/res/{status}/?$rid=…`. */
  async handle(client: Client, session: ProvisioningSession, packet: PublishPacket): Promise<void> {
    const parameters = new URLSearchParams(packet.topic.slice(packet.topic.indexOf('?') + 1))
    const requestId = parameters.get('$rid') ?? ''
    const request = { idScope: session.idScope, registrationId: session.registrationId, proof: session.proof }
    const answer = packet.topic.startsWith(REGISTER)
      ? await this.registrations.register({ ...request, payload: payloadOf(packet.payload) })
      : await this.registrations.operationStatus({ ...request, operationId: parameters.get('operationId') ?? '' })
    const retry = answer.retryAfterSeconds === undefined ? '' : `&retry-after=${answer.retryAfterSeconds}`
    sendToClient(client, `$dps/registrations/res/${answer.status}/?$rid=${encodeURIComponent(requestId)}${retry}`, JSON.stringify(answer.body))
  }
}

/** The request body's `payload` (IoT Central reads `payload.modelId`); anything unreadable is none. */
function payloadOf(body: Buffer | string): unknown {
  try {
    const parsed = JSON.parse(body.toString()) as { payload?: unknown }
    return typeof parsed === 'object' && parsed !== null ? parsed.payload : undefined
  } catch {
    return undefined
  }
}

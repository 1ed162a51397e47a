import { randomBytes } from 'node:crypto'
import type { Clock } from '../../clock.js'
import { isDeviceId } from '../../services/device.service.js'
import { newEtag } from '../../services/etag.js'
import type { ProvisioningService } from '../../services/provisioning.service.js'
import { isUniqueViolation } from '../../storage/is-unique-violation.js'
import { deviceTemplateRepository } from '../../storage/repositories/device-template.repository.js'
import { deviceRepository } from '../../storage/repositories/device.repository.js'
import { dpsOperationRepository } from '../../storage/repositories/dps-operation.repository.js'
import type { Executor } from '../../storage/repositories/executor.js'
import type { DeviceRow } from '../../storage/schema.js'
import type { Store } from '../../storage/store.js'
import { dpsError, type DpsAnswer, type RegistrationState } from './dps-answers.js'
import { RegistrationAdmission, type RegistrationProof } from './registration-admission.js'

export type { DpsAnswer } from './dps-answers.js'
export type { RegistrationProof } from './registration-admission.js'

export interface RegistrationRequest {
  idScope: string
  registrationId: string
  /** the body's `payload` (IoT Central reads payload.modelId) */
  payload?: unknown
  proof: RegistrationProof
}

export type OperationRequest = Omit<RegistrationRequest, 'payload'> & { operationId: string }

/** How long a device may poll an operation, in seconds. */
export const OPERATION_TTL_SECONDS = 900
/** The polling interval the answers suggest (`retry-after`), in seconds. */
export const RETRY_AFTER_SECONDS = 1

const MAX_OPERATION_ID_LENGTH = 128

/**
 * DPS-compatible registration, the same for HTTPS and MQTT: checks the ID scope and the device's
 * proof, assigns the device (creating it when an enrollment group admits an unknown one, with the
 * template its `payload.modelId` names), and answers `202 assigning`; the device then polls the
 * operation, which answers `200 assigned` with the hub to connect to. Every answer, refusals
 * included, is a DPS answer: nothing is thrown for a device's mistake.
 */
export class DeviceRegistrationService {
  private readonly admission: RegistrationAdmission

  constructor(
    private readonly store: Store,
    private readonly provisioning: ProvisioningService,
    private readonly clock: Clock,
    /** The host name devices are assigned to (bare, no port). */
    private readonly assignedHub: () => string,
  ) {
    this.admission = new RegistrationAdmission(store, provisioning, clock)
  }

  async register(request: RegistrationRequest): Promise<DpsAnswer> {
    const refusal = await this.admit(request)
    if (refusal) return refusal
    const state = await this.assign(request.registrationId, modelIdOf(request.payload))
    if (!state) return dpsError('unauthorized', `The device '${request.registrationId}' is blocked.`, this.clock())
    const now = Math.floor(this.clock() / 1000)
    const operationId = newOperationId()
    await this.store.db.transaction().execute(async (trx) => {
      await dpsOperationRepository.deleteExpired(trx, now)
      await dpsOperationRepository.insert(trx, {
        id: operationId,
        registration_id: request.registrationId,
        registration_state: JSON.stringify(state),
        created_at: now,
        expires_at: now + OPERATION_TTL_SECONDS,
      })
    })
    return {
      status: 202,
      body: { operationId, status: 'assigning', registrationState: { registrationId: request.registrationId, status: 'assigning' } },
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    }
  }

  async operationStatus(request: OperationRequest): Promise<DpsAnswer> {
    const refusal = await this.admit(request)
    if (refusal) return refusal
    const { operationId, registrationId } = request
    const row =
      operationId.length <= MAX_OPERATION_ID_LENGTH
        ? await dpsOperationRepository.get(this.store.db, operationId, Math.floor(this.clock() / 1000))
        : undefined
    if (!row || row.registration_id !== registrationId) {
      return dpsError('notFound', `The operation '${operationId.slice(0, MAX_OPERATION_ID_LENGTH)}' does not exist.`, this.clock())
    }
    const registrationState = JSON.parse(row.registration_state) as RegistrationState
    return { status: 200, body: { operationId, status: registrationState.status, registrationState } }
  }

  /** Device registration status lookup: the assignment of a device that has registered. */
  async registrationStatus(request: Omit<RegistrationRequest, 'payload'>): Promise<DpsAnswer> {
    const refusal = await this.admit(request)
    if (refusal) return refusal
    const device = await deviceRepository.get(this.store.db, request.registrationId)
    if (!device || device.provisioned !== 1) {
      return dpsError('notFound', `The registration '${request.registrationId}' does not exist.`, this.clock())
    }
    return { status: 200, body: this.stateOf(device) }
  }

  /** The ID scope, the registration id and the proof, checked in that order; null when admitted. */
  private async admit(request: Omit<RegistrationRequest, 'payload'>): Promise<DpsAnswer | null> {
    const { idScope, registrationId, proof } = request
    const now = this.clock()
    if (!isDeviceId(registrationId)) {
      return dpsError(
        'badRequest',
        `The registration id '${registrationId.slice(0, 128)}' is not valid: 1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit.`,
        now,
      )
    }
    if (idScope.toLowerCase() !== (await this.provisioning.idScope()).toLowerCase()) {
      return dpsError('notFound', `There is no ID scope '${idScope.slice(0, 64)}' here.`, now)
    }
    const refusal = await this.admission.check(idScope, registrationId, proof)
    return refusal ? dpsError(refusal.refused, refusal.message, now) : null
  }

  /**
   * Marks the device provisioned, creating it first when it is new; a device without template
   * takes the one `modelId` names, when it exists. Null when the device is blocked meanwhile.
   */
  private async assign(registrationId: string, modelId: string | null, retried = false): Promise<RegistrationState | null> {
    const now = Math.floor(this.clock() / 1000)
    try {
      return await this.store.db.transaction().execute(async (trx) => {
        const current = await deviceRepository.get(trx, registrationId)
        if (current && current.enabled !== 1) return null
        const template = current?.template ?? (await templateNamed(trx, modelId))
        if (current && current.provisioned === 1 && current.template === template) return this.stateOf(current)
        const row: DeviceRow = {
          id: registrationId,
          display_name: current?.display_name ?? registrationId,
          template,
          enabled: 1,
          provisioned: 1,
          simulated: current?.simulated ?? 0,
          organization_id: current?.organization_id ?? null,
          etag: newEtag(),
          created_at: current?.created_at ?? now,
          updated_at: now,
        }
        if (!current) await deviceRepository.insert(trx, row)
        else if (!(await deviceRepository.update(trx, row, current.etag))) throw new ConcurrentChange()
        return this.stateOf(row)
      })
    } catch (error) {
      // Two registrations of one device at once (or an API write in between): the second reads again.
      if (!retried && (error instanceof ConcurrentChange || isUniqueViolation(error))) {
        return this.assign(registrationId, modelId, true)
      }
      throw error
    }
  }

  private stateOf(device: DeviceRow): RegistrationState {
    return {
      registrationId: device.id,
      createdDateTimeUtc: new Date(device.created_at * 1000).toISOString(),
      assignedHub: this.assignedHub(),
      deviceId: device.id,
      status: 'assigned',
      substatus: 'initialAssignment',
      lastUpdatedDateTimeUtc: new Date(device.updated_at * 1000).toISOString(),
      etag: device.etag,
    }
  }
}

class ConcurrentChange extends Error {}

/** `payload.modelId` when it is a string (IoT Central's device template id is the model id). */
function modelIdOf(payload: unknown): string | null {
  if (typeof payload !== 'object' || payload === null) return null
  const modelId = (payload as { modelId?: unknown }).modelId
  return typeof modelId === 'string' && modelId.length <= 1024 ? modelId : null
}

async function templateNamed(db: Executor, modelId: string | null): Promise<string | null> {
  return modelId !== null && (await deviceTemplateRepository.exists(db, modelId)) ? modelId : null
}

/** An operation id that is hard to guess, in DPS's dotted form. */
const newOperationId = (): string => {
  const bytes = randomBytes(24).toString('hex')
  return `${bytes.slice(0, 16)}.${bytes.slice(16)}`
}

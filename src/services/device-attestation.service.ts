import type { Principal } from '../auth/principal.js'
import type { Permission } from '../authz/permissions.js'
import type { Clock } from '../clock.js'
import { notFound, unprocessable } from '../errors/app-error.js'
import { commonNames, parseCertificate, validityProblem, type ParsedCertificate } from '../provisioning/certificates.js'
import { newSymmetricKey, symmetricKeyProblem } from '../provisioning/keys.js'
import type { SecretBox } from '../secrets/secret-box.js'
import { deviceRepository } from '../storage/repositories/device.repository.js'
import type { Executor } from '../storage/repositories/executor.js'
import { deviceAttestationRepository } from '../storage/repositories/provisioning.repository.js'
import type { DeviceRow } from '../storage/schema.js'
import type { Store } from '../storage/store.js'
import type { DeviceAttestationRow } from '../storage/tables/provisioning.js'
import type { OrganizationCatalog } from './organization-catalog.js'
import {
  attestationKeyContext,
  thumbprintsOf,
  type DeviceCredentials,
  type ProvisioningService,
  type Thumbprints,
} from './provisioning.service.js'
import { requireAt } from './scope-checks.js'

export type AttestationView =
  | { type: 'symmetricKey'; symmetricKey: { primaryKey: string; secondaryKey: string } }
  | { type: 'x509'; x509: { clientCertificates: Thumbprints } }
  | { type: 'tpm'; tpm: { endorsementKey: string } }

type CertificateSlot = { certificate?: string | undefined; info?: unknown } | null | undefined

/** A device attestation as a PUT body or a merge patch carries it. */
export interface AttestationInput {
  type?: string | null | undefined
  symmetricKey?: { primaryKey?: string | undefined; secondaryKey?: string | undefined } | null | undefined
  x509?: { clientCertificates?: { primary?: CertificateSlot; secondary?: CertificateSlot } | null | undefined } | null | undefined
  tpm?: { endorsementKey?: string | undefined } | null | undefined
}

const ENDORSEMENT_KEY = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const MAX_ENDORSEMENT_KEY_CHARS = 4096

const attestationOf = (id: string) => `The attestation of the device '${id}'`

/**
 * A device's own attestation (IoT Central's individual enrollment) and the credentials it connects
 * with. The device must be within the caller's reach for devices.read (404 otherwise); reading
 * then needs deviceConnectivity.readInstance there, changing deviceConnectivity.manageInstance.
 */
export class DeviceAttestationService {
  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationCatalog,
    private readonly provisioning: ProvisioningService,
    private readonly secrets: SecretBox,
    private readonly clock: Clock,
  ) {}

  async get(caller: Principal | null, deviceId: string): Promise<AttestationView> {
    await this.device(this.store.db, caller, deviceId, 'deviceConnectivity.readInstance')
    const row = await deviceAttestationRepository.get(this.store.db, deviceId)
    if (!row) throw notFound(attestationOf(deviceId))
    return this.toView(row)
  }

  /** The ID scope and what the device authenticates with (its own attestation, else its group's keys). */
  async credentials(caller: Principal | null, deviceId: string): Promise<DeviceCredentials> {
    await this.device(this.store.db, caller, deviceId, 'deviceConnectivity.readInstance')
    const found = await this.provisioning.deviceCredentials(deviceId)
    if (!found) throw notFound(`The device '${deviceId}'`)
    return found.credentials
  }

  /** Creates or replaces the attestation; keys and certificates not sent are kept for the same type. */
  async put(caller: Principal | null, deviceId: string, input: AttestationInput): Promise<AttestationView> {
    if (input.type === undefined || input.type === null) throw unprocessable('type: is required.')
    return this.write(caller, deviceId, input, false)
  }

  /** Applies a JSON merge patch to the attestation. */
  async patch(caller: Principal | null, deviceId: string, patch: AttestationInput): Promise<AttestationView> {
    if (patch.type === null) throw unprocessable('type: cannot be removed.')
    return this.write(caller, deviceId, patch, true)
  }

  async delete(caller: Principal | null, deviceId: string): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      await this.device(trx, caller, deviceId, 'deviceConnectivity.manageInstance')
      if (!(await deviceAttestationRepository.delete(trx, deviceId))) throw notFound(attestationOf(deviceId))
    })
    // Its credentials changed: sessions opened with the old ones end.
    await this.store.changes.publish('device', deviceId)
  }

  private async write(
    caller: Principal | null,
    deviceId: string,
    input: AttestationInput,
    patch: boolean,
  ): Promise<AttestationView> {
    const now = Math.floor(this.clock() / 1000)
    const row = await this.store.db.transaction().execute(async (trx) => {
      await this.device(trx, caller, deviceId, 'deviceConnectivity.manageInstance')
      const stored = await deviceAttestationRepository.get(trx, deviceId)
      if (patch && !stored) throw notFound(attestationOf(deviceId))
      const type = input.type ?? (stored?.type as string)
      const current = stored?.type === type ? stored : undefined
      const row: DeviceAttestationRow = {
        device_id: deviceId,
        type,
        primary_key: null,
        secondary_key: null,
        primary_certificate: null,
        primary_thumbprint: null,
        secondary_certificate: null,
        secondary_thumbprint: null,
        endorsement_key: null,
        created_at: stored?.created_at ?? now,
        updated_at: now,
      }
      for (const member of ['symmetricKey', 'x509', 'tpm'] as const) {
        if (member !== type && input[member] !== undefined && input[member] !== null) {
          throw unprocessable(`${member}: does not belong to an attestation of type ${type}.`)
        }
      }
      if (type === 'symmetricKey') {
        const given = input.symmetricKey ?? {}
        for (const which of ['primaryKey', 'secondaryKey'] as const) {
          const column = which === 'primaryKey' ? 'primary_key' : 'secondary_key'
          const key = given[which]
          if (key !== undefined) {
            const problem = symmetricKeyProblem(key)
            if (problem) throw unprocessable(`symmetricKey.${which}: ${problem}`)
            row[column] = this.secrets.seal(key, attestationKeyContext(deviceId, which))
          } else {
            row[column] =
              current?.[column] ?? this.secrets.seal(newSymmetricKey(), attestationKeyContext(deviceId, which))
          }
        }
      } else if (type === 'x509') {
        const given = input.x509?.clientCertificates ?? {}
        for (const entry of ['primary', 'secondary'] as const) {
          const slot = given[entry]
          const field = `x509.clientCertificates.${entry}.certificate`
          if (slot === null) continue
          if (slot?.certificate !== undefined) {
            const parsed = this.parseClient(slot.certificate, field, deviceId)
            row[`${entry}_certificate`] = parsed.pem
            row[`${entry}_thumbprint`] = parsed.thumbprint
          } else {
            row[`${entry}_certificate`] = current?.[`${entry}_certificate`] ?? null
            row[`${entry}_thumbprint`] = current?.[`${entry}_thumbprint`] ?? null
          }
        }
        if (row.primary_certificate === null) {
          throw unprocessable('x509.clientCertificates.primary.certificate: is required.')
        }
      } else if (type === 'tpm') {
        const key = input.tpm?.endorsementKey ?? current?.endorsement_key ?? undefined
        if (key === undefined) throw unprocessable('tpm.endorsementKey: is required.')
        if (key === '' || key.length > MAX_ENDORSEMENT_KEY_CHARS || !ENDORSEMENT_KEY.test(key)) {
          throw unprocessable('tpm.endorsementKey: must be base64.')
        }
        row.endorsement_key = key
      } else {
        throw unprocessable('type: must be symmetricKey, x509 or tpm.')
      }
      await deviceAttestationRepository.upsert(trx, row)
      return row
    })
    await this.store.changes.publish('device', deviceId)
    return this.toView(row)
  }

  /** A device certificate: parsable, valid now, its subject CN the device id (the registration id). */
  private parseClient(text: string, field: string, deviceId: string): ParsedCertificate {
    const parsed = parseCertificate(text)
    if (!parsed) throw unprocessable(`${field}: is not an X.509 certificate (PEM or base64 DER).`)
    const validity = validityProblem(parsed.certificate, this.clock())
    if (validity) throw unprocessable(`${field}: ${validity}`)
    if (!commonNames(parsed.certificate).includes(deviceId)) {
      throw unprocessable(`${field}: its subject CN must be the device id '${deviceId}'.`)
    }
    return parsed
  }

  /** The device, when the caller reaches it (404 otherwise) and holds `permission` where it is (403). */
  private async device(
    db: Executor,
    caller: Principal | null,
    deviceId: string,
    permission: Permission,
  ): Promise<DeviceRow> {
    const reach = await this.organizations.reachOf(caller)
    const row = await deviceRepository.get(db, deviceId)
    if (!row || !reach.includes('devices.read', row.organization_id)) {
      throw notFound(`The device '${deviceId}'`)
    }
    requireAt(reach, permission, row.organization_id)
    return row
  }

  private toView(row: DeviceAttestationRow): AttestationView {
    if (row.type === 'symmetricKey') {
      return {
        type: 'symmetricKey',
        symmetricKey: {
          primaryKey: this.secrets.open(row.primary_key as string, attestationKeyContext(row.device_id, 'primaryKey')),
          secondaryKey: this.secrets.open(
            row.secondary_key as string,
            attestationKeyContext(row.device_id, 'secondaryKey'),
          ),
        },
      }
    }
    if (row.type === 'tpm') return { type: 'tpm', tpm: { endorsementKey: row.endorsement_key as string } }
    return { type: 'x509', x509: { clientCertificates: thumbprintsOf(row) } }
  }
}

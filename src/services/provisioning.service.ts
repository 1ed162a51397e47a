import { randomBytes } from 'node:crypto'
import type { Clock } from '../clock.js'
import {
  commonNames,
  isSignedBy,
  parseCertificate,
  validityProblem,
  type ParsedCertificate,
} from '../provisioning/certificates.js'
import { deriveDeviceKey } from '../provisioning/keys.js'
import type { SecretBox } from '../secrets/secret-box.js'
import { deviceTemplateRepository } from '../storage/repositories/device-template.repository.js'
import { deviceRepository } from '../storage/repositories/device.repository.js'
import type { Executor } from '../storage/repositories/executor.js'
import {
  deviceAttestationRepository,
  enrollmentGroupRepository,
  groupCertificateRepository,
  provisioningSettingsRepository,
} from '../storage/repositories/provisioning.repository.js'
import type { Store } from '../storage/store.js'
import type { DeviceAttestationRow, EnrollmentGroupRow } from '../storage/tables/provisioning.js'
import { DEFAULT_GROUPS, type EnrollmentGroupService, type GroupType } from './enrollment-group.service.js'

const ID_SCOPE = 'idScope'

/** A new ID scope in IoT Central's form: `0ne` and eight uppercase hex digits. */
export const newIdScope = (): string => `0ne${randomBytes(4).toString('hex').toUpperCase()}`

export interface Thumbprints {
  primary?: { info: { sha1Thumbprint: string } }
  secondary?: { info: { sha1Thumbprint: string } }
}

/** What a device authenticates with, as `GET /devices/{id}/credentials` shows it. */
export interface DeviceCredentials {
  idScope: string
  symmetricKey?: { primaryKey: string; secondaryKey: string }
  x509?: { clientCertificates: Thumbprints }
  tpm?: { endorsementKey: string }
}

/** The credentials, and where they come from: the device's own attestation or a group's keys. */
export interface DeviceAuthentication {
  credentials: DeviceCredentials
  /** `individual` when the device has its own attestation (it then authenticates only with it). */
  source: { kind: 'individual' } | { kind: 'enrollmentGroup'; id: string; type: GroupType } | { kind: 'none' }
}

/** How a device proves itself when it registers. */
export type RegistrationProof =
  /** `accepts(deviceKey)` says whether the device's signature verifies under that key. */
  | { type: 'symmetricKey'; accepts(deviceKey: string): boolean | Promise<boolean> }
  /** The certificates the device presented, leaf first (PEM or base64 DER). */
  | { type: 'x509'; chain: readonly string[] }

export interface RegistrationGroup {
  id: string
  type: GroupType
}

/**
 * The provisioning facts the device plane relies on: the application's ID scope, what a device
 * authenticates with, and which enrollment group admits a device that registers with a group
 * credential. No caller checks: the HTTP services make those before they call in.
 */
export class ProvisioningService {
  private scope: string | null = null

  constructor(
    private readonly store: Store,
    private readonly groups: EnrollmentGroupService,
    private readonly secrets: SecretBox,
    private readonly clock: Clock,
  ) {}

  /**
   * First start (of a new store, or of one made before provisioning existed): the ID scope and
   * IoT Central's two default symmetric-key groups. Made once; a default group deleted later
   * stays deleted.
   */
  async initialize(): Promise<void> {
    const now = Math.floor(this.clock() / 1000)
    await this.store.db.transaction().execute(async (trx) => {
      if (!(await provisioningSettingsRepository.insertNew(trx, ID_SCOPE, newIdScope()))) return
      for (const { id, type } of DEFAULT_GROUPS) {
        if (await enrollmentGroupRepository.get(trx, id)) continue
        await enrollmentGroupRepository.insert(trx, this.groups.newSymmetricKeyGroup(id, type, now))
      }
    })
  }

  /** The application's ID scope (it never changes). */
  async idScope(): Promise<string> {
    if (this.scope !== null) return this.scope
    const stored = await provisioningSettingsRepository.get(this.store.db, ID_SCOPE)
    if (stored === undefined) throw new Error('The store has no ID scope: it was not initialized.')
    this.scope = stored
    return stored
  }

  /** What the device authenticates with; null when there is no such device. */
  async deviceCredentials(deviceId: string): Promise<DeviceAuthentication | null> {
    const db = this.store.db
    const device = await deviceRepository.get(db, deviceId)
    if (!device) return null
    const idScope = await this.idScope()
    const own = await deviceAttestationRepository.get(db, deviceId)
    if (own) {
      return { credentials: { idScope, ...individualCredentials(own, this.secrets) }, source: { kind: 'individual' } }
    }
    const type = await kindOf(db, device.template)
    const group = await this.sasGroupFor(db, type)
    if (!group) return { credentials: { idScope }, source: { kind: 'none' } }
    const keys = this.groups.openKeys(group)
    return {
      credentials: {
        idScope,
        symmetricKey: {
          primaryKey: deriveDeviceKey(keys.primaryKey, deviceId),
          secondaryKey: deriveDeviceKey(keys.secondaryKey, deviceId),
        },
      },
      source: { kind: 'enrollmentGroup', id: group.id, type },
    }
  }

  /**
   * The enabled group that admits `registrationId` with `proof`, or null. Symmetric keys: the
   * first group (in id order) under whose primary or secondary key the derived device key is
   * accepted. X.509: the leaf's subject CN must be the registration id, every certificate of the
   * chain valid now and signed by the next, and the chain must hold a verified signing certificate
   * of the group or be signed by one.
   */
  async groupForRegistration(registrationId: string, proof: RegistrationProof): Promise<RegistrationGroup | null> {
    const db = this.store.db
    if (proof.type === 'symmetricKey') {
      for (const group of await enrollmentGroupRepository.enabled(db, 'symmetricKey')) {
        const keys = this.groups.openKeys(group)
        for (const key of [keys.primaryKey, keys.secondaryKey]) {
          if (await proof.accepts(deriveDeviceKey(key, registrationId))) {
            return { id: group.id, type: group.type as GroupType }
          }
        }
      }
      return null
    }
    const chain = proof.chain.map(parseCertificate)
    if (chain.length === 0 || chain.some((c) => c === null)) return null
    const certificates = chain as ParsedCertificate[]
    const now = this.clock()
    const leaf = certificates[0] as ParsedCertificate
    if (!commonNames(leaf.certificate).includes(registrationId)) return null
    for (let i = 0; i < certificates.length; i++) {
      const certificate = certificates[i] as ParsedCertificate
      if (validityProblem(certificate.certificate, now)) return null
      const issuer = certificates[i + 1]
      if (issuer && !(await isSignedBy(certificate.certificate, issuer.certificate))) return null
    }
    const top = certificates[certificates.length - 1] as ParsedCertificate
    const groups = await enrollmentGroupRepository.enabled(db, 'x509')
    const signing = (await groupCertificateRepository.ofGroups(db, groups.map((g) => g.id))).filter(
      (c) => c.verified === 1,
    )
    for (const group of groups) {
      for (const stored of signing.filter((c) => c.group_id === group.id)) {
        if (certificates.some((c) => c.thumbprint === stored.thumbprint)) {
          return { id: group.id, type: group.type as GroupType }
        }
        const signer = parseCertificate(stored.certificate)
        if (signer && !validityProblem(signer.certificate, now) && (await isSignedBy(top.certificate, signer.certificate))) {
          return { id: group.id, type: group.type as GroupType }
        }
      }
    }
    return null
  }

  /** The enabled symmetric-key group for devices of `type`: the default one if enabled, else the first by id. */
  private async sasGroupFor(db: Executor, type: GroupType): Promise<EnrollmentGroupRow | undefined> {
    const candidates = (await enrollmentGroupRepository.enabled(db, 'symmetricKey')).filter((g) => g.type === type)
    const preferred = DEFAULT_GROUPS.find((g) => g.type === type)?.id
    return candidates.find((g) => g.id === preferred) ?? candidates[0]
  }
}

/** `iotEdge` for a device whose template is an IoT Edge one (`@type` holds `EdgeModel`), else `iot`. */
export async function kindOf(db: Executor, template: string | null): Promise<GroupType> {
  if (template === null) return 'iot'
  const row = await deviceTemplateRepository.get(db, template)
  if (!row) return 'iot'
  try {
    const types = (JSON.parse(row.document) as { '@type'?: unknown })['@type']
    const list = Array.isArray(types) ? types : [types]
    return list.includes('EdgeModel') ? 'iotEdge' : 'iot'
  } catch {
    return 'iot'
  }
}

/** The secret box context of one key of a device's own attestation. */
export const attestationKeyContext = (deviceId: string, which: 'primaryKey' | 'secondaryKey'): string =>
  `deviceAttestation:${deviceId}:${which}`

function individualCredentials(row: DeviceAttestationRow, secrets: SecretBox): Omit<DeviceCredentials, 'idScope'> {
  if (row.type === 'symmetricKey') {
    return {
      symmetricKey: {
        primaryKey: secrets.open(row.primary_key as string, attestationKeyContext(row.device_id, 'primaryKey')),
        secondaryKey: secrets.open(row.secondary_key as string, attestationKeyContext(row.device_id, 'secondaryKey')),
      },
    }
  }
  if (row.type === 'tpm') return { tpm: { endorsementKey: row.endorsement_key as string } }
  return { x509: { clientCertificates: thumbprintsOf(row) } }
}

export function thumbprintsOf(row: DeviceAttestationRow): Thumbprints {
  const thumbprints: Thumbprints = {}
  if (row.primary_thumbprint) thumbprints.primary = { info: { sha1Thumbprint: row.primary_thumbprint } }
  if (row.secondary_thumbprint) thumbprints.secondary = { info: { sha1Thumbprint: row.secondary_thumbprint } }
  return thumbprints
}

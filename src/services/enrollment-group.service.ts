import { GROUP_DEVICES } from '../storage/change-feed.js'
import { randomBytes } from 'node:crypto'
import type { Principal } from '../auth/principal.js'
import type { Permission } from '../authz/permissions.js'
import type { Clock } from '../clock.js'
import { conflict, notFound, unprocessable } from '../errors/app-error.js'
import {
  commonNames,
  isSignedBy,
  parseCertificate,
  validityProblem,
  type ParsedCertificate,
} from '../provisioning/certificates.js'
import { newSymmetricKey, symmetricKeyProblem } from '../provisioning/keys.js'
import type { SecretBox } from '../secrets/secret-box.js'
import { retryLostCreate } from './retry-lost-create.js'
import type { Executor } from '../storage/repositories/executor.js'
import {
  enrollmentGroupRepository,
  groupCertificateRepository,
} from '../storage/repositories/provisioning.repository.js'
import type { Store } from '../storage/store.js'
import type { EnrollmentGroupCertificateRow, EnrollmentGroupRow } from '../storage/tables/provisioning.js'
import { checkEtag, expectedEtag, insertOrUpdateRead } from './etag.js'
import type { OrganizationCatalog } from './organization-catalog.js'
import { readPage, type Page, type PageRequest } from './paging.js'
import { requireAt } from './scope-checks.js'

export type GroupType = 'iot' | 'iotEdge'
export type GroupAttestationType = 'symmetricKey' | 'x509'
export type CertificateEntry = 'primary' | 'secondary'
export const CERTIFICATE_ENTRIES: readonly CertificateEntry[] = ['primary', 'secondary']

/** IoT Central's default symmetric-key groups, made with the application. */
export const DEFAULT_GROUPS: readonly { id: string; type: GroupType }[] = [
  { id: 'SAS-IoT-Devices', type: 'iot' },
  { id: 'SAS-IoT-Edge-Devices', type: 'iotEdge' },
]

export const ENROLLMENT_GROUP_ID_PATTERN = '^[a-zA-Z0-9-]{1,255}$'
const ID_PATTERN = new RegExp(ENROLLMENT_GROUP_ID_PATTERN)

export interface SigningCertificateView {
  verified: boolean
  info: { sha1Thumbprint: string }
  etag: string
}

export interface EnrollmentGroupView {
  id: string
  displayName: string
  enabled: boolean
  type: GroupType
  attestation:
    | { type: 'symmetricKey'; symmetricKey?: { primaryKey: string; secondaryKey: string } }
    | {
        type: 'x509'
        x509: { signingCertificates: Partial<Record<CertificateEntry, SigningCertificateView>> }
      }
  etag: string
}

export interface SigningCertificateInput {
  certificate?: string | undefined
  verified?: boolean | undefined
  etag?: string | undefined
  info?: unknown
}

/** The writable members of a group, as a PUT body or a merge patch carries them. */
export interface EnrollmentGroupInput {
  id?: string | undefined
  etag?: string | undefined
  displayName?: string | null | undefined
  enabled?: boolean | null | undefined
  type?: string | null | undefined
  attestation?:
    | {
        type?: string | undefined
        symmetricKey?: { primaryKey?: string | undefined; secondaryKey?: string | undefined } | null | undefined
        x509?:
          | {
              signingCertificates?:
                | Partial<Record<CertificateEntry, SigningCertificateInput | null>>
                | null
                | undefined
            }
          | null
          | undefined
      }
    | null
    | undefined
}

/** Enrollment-group etags, like IoT Central's: base64, without quotes. */
export const newGroupEtag = (): string => randomBytes(12).toString('base64')

/** The secret box context of one key of one group: a sealed key opens only in its own place. */
export const groupKeyContext = (id: string, which: 'primaryKey' | 'secondaryKey'): string =>
  `enrollmentGroup:${id}:${which}`

const what = (id: string) => `The enrollment group '${id}'`
const certificateWhat = (id: string, entry: string) =>
  `The ${entry} certificate of the enrollment group '${id}'`

/**
 * Enrollment groups (IoT Central's group enrollments) and their X.509 signing certificates. They
 * belong to the whole application: reading needs deviceConnectivity.readGlobal and every change
 * deviceConnectivity.manageGlobal, both application-wide.
 */
export class EnrollmentGroupService {
  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationCatalog,
    private readonly secrets: SecretBox,
    private readonly clock: Clock,
  ) {}

  /** The groups, a page at a time; the list never shows keys (GET of one group does). */
  async list(caller: Principal | null, page: PageRequest): Promise<Page<EnrollmentGroupView>> {
    await this.require(caller, 'deviceConnectivity.readGlobal')
    return readPage(
      page,
      (after, limit) => enrollmentGroupRepository.page(this.store.db, after, limit),
      async (rows) => {
        const certificates = await groupCertificateRepository.ofGroups(
          this.store.db,
          rows.filter((row) => row.attestation_type === 'x509').map((row) => row.id),
        )
        return rows.map((row) =>
          this.toView(row, certificates.filter((c) => c.group_id === row.id), false),
        )
      },
    )
  }

  async get(caller: Principal | null, id: string): Promise<EnrollmentGroupView> {
    await this.require(caller, 'deviceConnectivity.readGlobal')
    const row = ID_PATTERN.test(id) ? await enrollmentGroupRepository.get(this.store.db, id) : undefined
    if (!row) throw notFound(what(id))
    return this.toView(row, await groupCertificateRepository.ofGroup(this.store.db, id), true)
  }

  /** Creates the group, or replaces its writable members (keys and certificates kept unless given). */
  async put(caller: Principal | null, id: string, input: EnrollmentGroupInput): Promise<EnrollmentGroupView> {
    await this.require(caller, 'deviceConnectivity.manageGlobal')
    if (!ID_PATTERN.test(id)) {
      throw unprocessable(
        `enrollmentGroupId: '${id}' is not a valid enrollment group id (1-255 letters, digits or '-').`,
      )
    }
    if (input.displayName === undefined || input.displayName === null) {
      throw unprocessable('displayName: is required.')
    }
    if (input.type === undefined || input.type === null) throw unprocessable('type: is required.')
    if (!input.attestation) throw unprocessable('attestation: is required.')
    if (input.attestation.type === undefined) throw unprocessable('attestation.type: is required.')
    return this.write(id, 'put', input, (current) => ({
      displayName: input.displayName as string,
      enabled: input.enabled ?? true,
      type: input.type as string,
      attestationType: input.attestation?.type,
    }))
  }

  /** Applies a JSON merge patch to an existing group. */
  async patch(caller: Principal | null, id: string, patch: EnrollmentGroupInput): Promise<EnrollmentGroupView> {
    await this.require(caller, 'deviceConnectivity.manageGlobal')
    if (!ID_PATTERN.test(id)) throw notFound(what(id))
    if (patch.displayName === null) throw unprocessable('displayName: cannot be removed.')
    if (patch.type === null) throw unprocessable('type: cannot be removed.')
    if (patch.attestation === null) throw unprocessable('attestation: cannot be removed.')
    return this.write(id, 'patch', patch, (current) => ({
      displayName: patch.displayName ?? (current as EnrollmentGroupRow).display_name,
      enabled: patch.enabled === undefined ? current?.enabled === 1 : (patch.enabled ?? true),
      type: patch.type ?? (current as EnrollmentGroupRow).type,
      attestationType: patch.attestation?.type ?? current?.attestation_type,
    }))
  }

  async delete(caller: Principal | null, id: string): Promise<void> {
    await this.require(caller, 'deviceConnectivity.manageGlobal')
    if (!ID_PATTERN.test(id)) throw notFound(what(id))
    await this.store.db.transaction().execute(async (trx) => {
      if (!(await enrollmentGroupRepository.get(trx, id))) throw notFound(what(id))
      await enrollmentGroupRepository.delete(trx, id)
    })
    await this.store.changes.publish('device', GROUP_DEVICES)
  }

  async getCertificate(caller: Principal | null, id: string, entry: string): Promise<SigningCertificateView> {
    await this.require(caller, 'deviceConnectivity.readGlobal')
    const row = await this.findCertificate(this.store.db, id, entry)
    return certificateView(row)
  }

  /** Sets the group's signing certificate `entry`; `verified: true` is the uploader's word for it. */
  async putCertificate(
    caller: Principal | null,
    id: string,
    entry: string,
    input: SigningCertificateInput,
  ): Promise<SigningCertificateView> {
    await this.require(caller, 'deviceConnectivity.manageGlobal')
    if (!ID_PATTERN.test(id)) throw notFound(what(id))
    if (!isEntry(entry)) throw unprocessable(`entry: must be primary or secondary.`)
    if (input.certificate === undefined) throw unprocessable('certificate: is required.')
    const parsed = this.parseSigning(input.certificate, 'certificate')
    const now = this.now()
    const written = await this.store.db.transaction().execute(async (trx) => {
      const group = await enrollmentGroupRepository.get(trx, id)
      if (!group) throw notFound(what(id))
      if (group.attestation_type !== 'x509') {
        throw conflict(`${what(id)} uses symmetric keys; signing certificates belong to X.509 groups.`)
      }
      const current = await groupCertificateRepository.get(trx, id, entry)
      if (current) checkEtag(expectedEtag(input.etag, undefined), current.etag, certificateWhat(id, entry))
      const row = certificateRow(id, entry, parsed, input.verified, current, now)
      await groupCertificateRepository.upsert(trx, row)
      await this.touch(trx, group, now)
      return row
    })
    await this.store.changes.publish('device', GROUP_DEVICES)
    return certificateView(written)
  }

  async deleteCertificate(caller: Principal | null, id: string, entry: string): Promise<void> {
    await this.require(caller, 'deviceConnectivity.manageGlobal')
    const now = this.now()
    await this.store.db.transaction().execute(async (trx) => {
      await this.findCertificate(trx, id, entry)
      await groupCertificateRepository.delete(trx, id, entry)
      await this.touch(trx, (await enrollmentGroupRepository.get(trx, id)) as EnrollmentGroupRow, now)
    })
    await this.store.changes.publish('device', GROUP_DEVICES)
  }

  /** A fresh proof-of-possession code for the certificate; it replaces any earlier one. */
  async generateVerificationCode(caller: Principal | null, id: string, entry: string): Promise<string> {
    await this.require(caller, 'deviceConnectivity.manageGlobal')
    const code = randomBytes(24).toString('hex').toUpperCase()
    await this.store.db.transaction().execute(async (trx) => {
      const row = await this.findCertificate(trx, id, entry)
      await groupCertificateRepository.upsert(trx, { ...row, verification_code: code, updated_at: this.now() })
    })
    return code
  }

  /**
   * Proof of possession: `certificate` must be valid now, have the verification code as its
   * subject CN, and be signed by the key of the uploaded certificate; then that one is verified.
   */
  async verifyCertificate(caller: Principal | null, id: string, entry: string, certificate: string | undefined) {
    await this.require(caller, 'deviceConnectivity.manageGlobal')
    const now = this.now()
    await this.store.db.transaction().execute(async (trx) => {
      const row = await this.findCertificate(trx, id, entry)
      if (certificate === undefined) throw unprocessable('certificate: is required.')
      const proof = parseCertificate(certificate)
      if (!proof) throw unprocessable('certificate: is not an X.509 certificate (PEM or base64 DER).')
      if (row.verification_code === null) {
        throw conflict(
          `${certificateWhat(id, entry)} has no verification code; call generateVerificationCode first.`,
        )
      }
      if (!commonNames(proof.certificate).includes(row.verification_code)) {
        throw unprocessable('certificate: its subject CN must be the verification code.')
      }
      const validity = validityProblem(proof.certificate, now * 1000)
      if (validity) throw unprocessable(`certificate: ${validity}`)
      const signer = parseCertificate(row.certificate) as ParsedCertificate
      if (!(await isSignedBy(proof.certificate, signer.certificate))) {
        throw unprocessable(`certificate: is not signed by the key of the ${entry} certificate.`)
      }
      await groupCertificateRepository.upsert(trx, {
        ...row,
        verified: 1,
        verification_code: null,
        etag: newGroupEtag(),
        updated_at: now,
      })
      await this.touch(trx, (await enrollmentGroupRepository.get(trx, id)) as EnrollmentGroupRow, now)
    })
  }

  /** The opened keys of the symmetric-key group `id` (the operator's, at the CLI: no caller checks). */
  async symmetricKeys(id: string): Promise<{ primaryKey: string; secondaryKey: string }> {
    const row = ID_PATTERN.test(id) ? await enrollmentGroupRepository.get(this.store.db, id) : undefined
    if (!row) throw notFound(what(id))
    if (row.attestation_type !== 'symmetricKey') {
      throw unprocessable(`${what(id)} uses X.509 certificates; it has no keys.`)
    }
    return this.openKeys(row)
  }

  /** The keys of a symmetric-key group, opened (for the CLI and for device credentials). */
  openKeys(row: EnrollmentGroupRow): { primaryKey: string; secondaryKey: string } {
    return {
      primaryKey: this.secrets.open(row.primary_key as string, groupKeyContext(row.id, 'primaryKey')),
      secondaryKey: this.secrets.open(row.secondary_key as string, groupKeyContext(row.id, 'secondaryKey')),
    }
  }

  /** A new symmetric-key group row with fresh keys (the defaults at first start). */
  newSymmetricKeyGroup(id: string, type: GroupType, now: number): EnrollmentGroupRow {
    return {
      id,
      display_name: id,
      enabled: 1,
      type,
      attestation_type: 'symmetricKey',
      primary_key: this.secrets.seal(newSymmetricKey(), groupKeyContext(id, 'primaryKey')),
      secondary_key: this.secrets.seal(newSymmetricKey(), groupKeyContext(id, 'secondaryKey')),
      etag: newGroupEtag(),
      created_at: now,
      updated_at: now,
    }
  }

  private async write(
    id: string,
    mode: 'put' | 'patch',
    input: EnrollmentGroupInput,
    next: (current: EnrollmentGroupRow | undefined) => {
      displayName: string
      enabled: boolean
      type: string
      attestationType: string | undefined
    },
  ): Promise<EnrollmentGroupView> {
    if (input.id !== undefined && input.id !== id) {
      throw unprocessable(`id: is read-only and must be '${id}', the id in the path.`)
    }
    const now = this.now()
    const certificatesIn = input.attestation?.x509?.signingCertificates ?? {}
    // Certificates are parsed before the transaction: bad input fails before anything is read.
    const parsed = new Map<CertificateEntry, ParsedCertificate | null>()
    for (const entry of CERTIFICATE_ENTRIES) {
      const given = certificatesIn?.[entry]
      if (given === null) parsed.set(entry, null)
      else if (given?.certificate !== undefined) {
        parsed.set(
          entry,
          this.parseSigning(given.certificate, `attestation.x509.signingCertificates.${entry}.certificate`),
        )
      }
    }
    const written = await retryLostCreate(this.store.db, async (trx) => {
      const current = await enrollmentGroupRepository.getForUpdate(trx, id)
      if (!current && mode === 'patch') throw notFound(what(id))
      if (current) checkEtag(expectedEtag(input.etag, undefined), current.etag, what(id))
      const values = next(current)
      if (values.displayName.trim() === '' || values.displayName.length > 200) {
        throw unprocessable('displayName: must be 1 to 200 characters.')
      }
      if (values.type !== 'iot' && values.type !== 'iotEdge') {
        throw unprocessable('type: must be iot or iotEdge.')
      }
      const attestationType = values.attestationType
      if (attestationType !== 'symmetricKey' && attestationType !== 'x509') {
        throw unprocessable('attestation.type: must be symmetricKey or x509.')
      }
      if (current && current.attestation_type !== attestationType) {
        throw unprocessable(
          `attestation.type: is ${current.attestation_type} and cannot change; create another group.`,
        )
      }
      if (attestationType === 'symmetricKey' && input.attestation?.x509) {
        throw unprocessable('attestation.x509: a symmetricKey group has no certificates.')
      }
      if (attestationType === 'x509' && input.attestation?.symmetricKey) {
        throw unprocessable('attestation.symmetricKey: an x509 group has no keys.')
      }
      const row: EnrollmentGroupRow = {
        id,
        display_name: values.displayName,
        enabled: values.enabled ? 1 : 0,
        type: values.type,
        attestation_type: attestationType,
        primary_key: null,
        secondary_key: null,
        etag: newGroupEtag(),
        created_at: current?.created_at ?? now,
        updated_at: now,
      }
      if (attestationType === 'symmetricKey') {
        const given = input.attestation?.symmetricKey ?? {}
        for (const which of ['primaryKey', 'secondaryKey'] as const) {
          const key = given[which]
          if (key !== undefined) {
            const problem = symmetricKeyProblem(key)
            if (problem) throw unprocessable(`attestation.symmetricKey.${which}: ${problem}`)
            row[which === 'primaryKey' ? 'primary_key' : 'secondary_key'] = this.secrets.seal(
              key,
              groupKeyContext(id, which),
            )
          } else {
            const kept = which === 'primaryKey' ? current?.primary_key : current?.secondary_key
            row[which === 'primaryKey' ? 'primary_key' : 'secondary_key'] =
              kept ?? this.secrets.seal(newSymmetricKey(), groupKeyContext(id, which))
          }
        }
      }
      await insertOrUpdateRead(
        current?.etag,
        {
          insert: () => enrollmentGroupRepository.insert(trx, row),
          update: (etag) => enrollmentGroupRepository.update(trx, row, etag),
        },
        what(id),
      )
      for (const [entry, certificate] of parsed) {
        const stored = await groupCertificateRepository.get(trx, id, entry)
        if (certificate === null) {
          await groupCertificateRepository.delete(trx, id, entry)
          continue
        }
        const given = certificatesIn?.[entry] as SigningCertificateInput
        if (stored) {
          checkEtag(expectedEtag(given.etag, undefined), stored.etag, certificateWhat(id, entry))
        }
        await groupCertificateRepository.upsert(
          trx,
          certificateRow(id, entry, certificate, given.verified, stored, now),
        )
      }
      // Devices admitted under the old keys, certificates or an enabled group lose their sessions.
      const affectsDevices =
        current !== undefined &&
        (row.primary_key !== current.primary_key ||
          row.secondary_key !== current.secondary_key ||
          (current.enabled === 1 && row.enabled === 0) ||
          parsed.size > 0)
      return { row, certificates: await groupCertificateRepository.ofGroup(trx, id), affectsDevices }
    }, `${what(id)} was created concurrently; retry.`)
    if (written.affectsDevices) await this.store.changes.publish('device', GROUP_DEVICES)
    return this.toView(written.row, written.certificates, true)
  }

  private parseSigning(text: string, field: string): ParsedCertificate {
    const parsed = parseCertificate(text)
    if (!parsed) throw unprocessable(`${field}: is not an X.509 certificate (PEM or base64 DER).`)
    const validity = validityProblem(parsed.certificate, this.clock())
    if (validity) throw unprocessable(`${field}: ${validity}`)
    return parsed
  }

  private async findCertificate(db: Executor, id: string, entry: string): Promise<EnrollmentGroupCertificateRow> {
    if (!ID_PATTERN.test(id)) throw notFound(what(id))
    if (!isEntry(entry)) throw notFound(certificateWhat(id, entry))
    const row = await groupCertificateRepository.get(db, id, entry)
    if (!row) {
      const group = await enrollmentGroupRepository.get(db, id)
      throw notFound(group ? certificateWhat(id, entry) : what(id))
    }
    return row
  }

  /** A certificate change shows in the group's own view, so the group gets a new etag too. */
  private async touch(db: Executor, group: EnrollmentGroupRow, now: number): Promise<void> {
    await enrollmentGroupRepository.update(db, { ...group, etag: newGroupEtag(), updated_at: now }, group.etag)
  }

  /** 403 unless `permission` is held application-wide (these groups belong to no organization). */
  private async require(caller: Principal | null, permission: Permission): Promise<void> {
    if (caller === null) return
    requireAt(await this.organizations.reachOf(caller), permission, null)
  }

  private now(): number {
    return Math.floor(this.clock() / 1000)
  }

  private toView(
    row: EnrollmentGroupRow,
    certificates: readonly EnrollmentGroupCertificateRow[],
    withKeys: boolean,
  ): EnrollmentGroupView {
    const base = {
      id: row.id,
      displayName: row.display_name,
      enabled: row.enabled === 1,
      type: row.type as GroupType,
    }
    if (row.attestation_type === 'symmetricKey') {
      return {
        ...base,
        attestation: withKeys
          ? { type: 'symmetricKey', symmetricKey: this.openKeys(row) }
          : { type: 'symmetricKey' },
        etag: row.etag,
      }
    }
    const signingCertificates: Partial<Record<CertificateEntry, SigningCertificateView>> = {}
    for (const certificate of certificates) {
      signingCertificates[certificate.entry as CertificateEntry] = certificateView(certificate)
    }
    return { ...base, attestation: { type: 'x509', x509: { signingCertificates } }, etag: row.etag }
  }
}

const isEntry = (entry: string): entry is CertificateEntry =>
  (CERTIFICATE_ENTRIES as readonly string[]).includes(entry)

/**
 * The stored certificate after an upload: `verified` as sent; when left out, kept for the same
 * certificate and false for another. A new certificate drops any pending verification code.
 */
function certificateRow(
  groupId: string,
  entry: CertificateEntry,
  parsed: ParsedCertificate,
  verified: boolean | undefined,
  current: EnrollmentGroupCertificateRow | undefined,
  now: number,
): EnrollmentGroupCertificateRow {
  const same = current?.thumbprint === parsed.thumbprint
  return {
    group_id: groupId,
    entry,
    certificate: parsed.pem,
    thumbprint: parsed.thumbprint,
    verified: (verified ?? (same && current?.verified === 1)) ? 1 : 0,
    verification_code: same ? (current?.verification_code ?? null) : null,
    etag: newGroupEtag(),
    created_at: current?.created_at ?? now,
    updated_at: now,
  }
}

function certificateView(row: EnrollmentGroupCertificateRow): SigningCertificateView {
  return { verified: row.verified === 1, info: { sha1Thumbprint: row.thumbprint }, etag: row.etag }
}

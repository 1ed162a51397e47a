import type { Selectable } from 'kysely'

/** The store's tables for provisioning, as Kysely sees them (see ../schema.ts for the conventions). */
export interface ProvisioningTables {
  provisioning_settings: ProvisioningSettingTable
  enrollment_groups: EnrollmentGroupTable
  enrollment_group_certificates: EnrollmentGroupCertificateTable
  device_attestations: DeviceAttestationTable
}

export interface ProvisioningSettingTable {
  /** `idScope` */
  name: string
  value: string
}

export interface EnrollmentGroupTable {
  id: string
  display_name: string
  enabled: number
  /** `iot` or `iotEdge` */
  type: string
  /** `symmetricKey` or `x509` */
  attestation_type: string
  /** sealed (secret box), for symmetric-key groups */
  primary_key: string | null
  secondary_key: string | null
  etag: string
  created_at: number
  updated_at: number
}

export interface EnrollmentGroupCertificateTable {
  group_id: string
  /** `primary` or `secondary` */
  entry: string
  /** PEM */
  certificate: string
  /** SHA-1 of the DER, uppercase hex */
  thumbprint: string
  verified: number
  /** the proof-of-possession code last generated, until it is used */
  verification_code: string | null
  etag: string
  created_at: number
  updated_at: number
}

export interface DeviceAttestationTable {
  device_id: string
  /** `symmetricKey`, `x509` or `tpm` */
  type: string
  /** sealed (secret box) */
  primary_key: string | null
  secondary_key: string | null
  /** PEM */
  primary_certificate: string | null
  /** SHA-1 of the DER, uppercase hex */
  primary_thumbprint: string | null
  secondary_certificate: string | null
  secondary_thumbprint: string | null
  endorsement_key: string | null
  created_at: number
  updated_at: number
}

export type EnrollmentGroupRow = Selectable<EnrollmentGroupTable>
export type EnrollmentGroupCertificateRow = Selectable<EnrollmentGroupCertificateTable>
export type DeviceAttestationRow = Selectable<DeviceAttestationTable>

import type { Clock } from '../../clock.js'
import { commonNames, parseCertificate, validityProblem } from '../../provisioning/certificates.js'
import type { ProvisioningService } from '../../services/provisioning.service.js'
import { deviceRepository } from '../../storage/repositories/device.repository.js'
import type { Store } from '../../storage/store.js'
import { isSignedWith, parseSharedAccessSignature } from './shared-access-signature.js'

/** What a device connects with: the MQTT password, or the client certificates of its TLS session. */
export type DeviceProof =
  | { kind: 'sas'; token: string }
  /** leaf first; PEM or base64 DER */
  | { kind: 'x509'; chain: readonly string[] }

/** MQTT 3.1.1 CONNACK return codes used for refusals. */
export const BAD_CREDENTIALS = 4
export const NOT_AUTHORIZED = 5

export type DeviceAuthentication =
  /** `group`: the credential is derived from (or chains to) an enrollment group. */
  | { accepted: true; source: 'individual' | 'group' }
  /** `reason` is for the log: it never holds a secret. */
  | { accepted: false; returnCode: typeof BAD_CREDENTIALS | typeof NOT_AUTHORIZED; reason: string }

const refuse = (returnCode: typeof BAD_CREDENTIALS | typeof NOT_AUTHORIZED, reason: string): DeviceAuthentication => ({
  accepted: false,
  returnCode,
  reason,
})

/**
 * Decides whether a device may open a session: it must exist, be enabled and provisioned (IoT
 * Hub only knows the devices the provisioning service registered), and prove itself with a SAS
 * token signed by its primary or secondary key, or with a client certificate whose CN is its id
 * (its own thumbprint, or a chain to a verified certificate of an X.509 enrollment group).
 */
export class DeviceAuthenticator {
  constructor(
    private readonly store: Store,
    private readonly provisioning: ProvisioningService,
    private readonly clock: Clock,
  ) {}

  async authenticate(hostName: string, deviceId: string, proof: DeviceProof): Promise<DeviceAuthentication> {
    const device = await deviceRepository.get(this.store.db, deviceId)
    if (!device) return refuse(NOT_AUTHORIZED, 'unknown device')
    if (device.enabled !== 1) return refuse(NOT_AUTHORIZED, 'device disabled')
    if (device.provisioned !== 1) return refuse(NOT_AUTHORIZED, 'device not provisioned')
    const authentication = await this.provisioning.deviceCredentials(deviceId)
    if (!authentication) return refuse(NOT_AUTHORIZED, 'unknown device')
    const source = authentication.source.kind === 'individual' ? 'individual' : 'group'
    const { credentials } = authentication
    if (proof.kind === 'sas') {
      const token = parseSharedAccessSignature(proof.token)
      if (!token) return refuse(BAD_CREDENTIALS, 'malformed SAS token')
      if (token.expiry * 1000 <= this.clock()) return refuse(BAD_CREDENTIALS, 'SAS token expired')
      if (!namesDevice(token.resource, hostName, deviceId)) {
        return refuse(BAD_CREDENTIALS, 'SAS token names another resource')
      }
      const keys = credentials.symmetricKey
      if (!keys) return refuse(BAD_CREDENTIALS, 'device has no symmetric key')
      if (!isSignedWith(token, keys.primaryKey) && !isSignedWith(token, keys.secondaryKey)) {
        return refuse(BAD_CREDENTIALS, 'SAS signature does not match the device keys')
      }
      return { accepted: true, source }
    }
    const leaf = proof.chain[0] === undefined ? null : parseCertificate(proof.chain[0])
    if (!leaf) return refuse(BAD_CREDENTIALS, 'no client certificate')
    if (!commonNames(leaf.certificate).includes(deviceId)) {
      return refuse(BAD_CREDENTIALS, 'certificate CN is not the device id')
    }
    if (authentication.source.kind === 'individual') {
      const thumbprints = credentials.x509?.clientCertificates
      const own = [thumbprints?.primary?.info.sha1Thumbprint, thumbprints?.secondary?.info.sha1Thumbprint]
      if (!own.some((t) => t !== undefined && t.toUpperCase() === leaf.thumbprint)) {
        return refuse(BAD_CREDENTIALS, 'certificate is not one of the device')
      }
      if (validityProblem(leaf.certificate, this.clock())) return refuse(BAD_CREDENTIALS, 'certificate not valid now')
      return { accepted: true, source }
    }
    const group = await this.provisioning.groupForRegistration(deviceId, { type: 'x509', chain: proof.chain })
    if (!group) return refuse(BAD_CREDENTIALS, 'certificate chains to no verified enrollment group certificate')
    return { accepted: true, source: 'group' }
  }
}

/** `sr` must be `{host}/devices/{deviceId}`; host names compare without case, as DNS does. */
function namesDevice(resource: string, hostName: string, deviceId: string): boolean {
  const suffix = `/devices/${deviceId}`
  return (
    resource.endsWith(suffix) && resource.slice(0, -suffix.length).toLowerCase() === hostName.toLowerCase()
  )
}

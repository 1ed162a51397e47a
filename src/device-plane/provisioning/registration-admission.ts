import type { Clock } from '../../clock.js'
import { commonNames, parseCertificate, validityProblem } from '../../provisioning/certificates.js'
import type { DeviceCredentials, ProvisioningService } from '../../services/provisioning.service.js'
import { deviceRepository } from '../../storage/repositories/device.repository.js'
import { deviceAttestationRepository } from '../../storage/repositories/provisioning.repository.js'
import type { Store } from '../../storage/store.js'
import { hasExpired, isSignedWith, parseRegistrationSas, type RegistrationSas } from './registration-sas.js'

/** How a device proves itself: the SAS exactly as sent, or its certificates from the TLS session. */
export type RegistrationProof =
  | { kind: 'sas'; authorization: string } // the SAS exactly as sent (HTTP Authorization header / MQTT password)
  | { kind: 'x509'; chain: readonly string[] } // client certificates from the TLS session, leaf first, PEM

/** Why a registration is refused (the transport turns it into a DPS error). */
export interface Refusal {
  refused: 'unauthorized'
  message: string
}

const refuse = (message = 'Unauthorized'): Refusal => ({ refused: 'unauthorized', message })

/**
 * Decides whether the device behind `proof` may register as `registrationId` (the ID scope is
 * checked by the caller). A device with its own attestation proves itself with it alone; any
 * other device, known or not, with a credential of an enabled enrollment group. A blocked device
 * is refused once it has proven who it is, so the refusal tells a stranger nothing.
 */
export class RegistrationAdmission {
  constructor(
    private readonly store: Store,
    private readonly provisioning: ProvisioningService,
    private readonly clock: Clock,
  ) {}

  async check(idScope: string, registrationId: string, proof: RegistrationProof): Promise<Refusal | null> {
    const device = await deviceRepository.get(this.store.db, registrationId)
    // Only a known device can have its own attestation: a new one saves the look-up.
    const own = device ? await this.individual(registrationId) : null
    const unproven =
      proof.kind === 'sas'
        ? await this.checkSas(idScope, registrationId, proof.authorization, own)
        : await this.checkCertificates(registrationId, proof.chain, own)
    if (unproven) return unproven
    if (device && device.enabled !== 1) return refuse(`The device '${registrationId}' is blocked.`)
    return null
  }

  private async checkSas(
    idScope: string,
    registrationId: string,
    authorization: string,
    own: DeviceCredentials | null,
  ): Promise<Refusal | null> {
    const sas = parseRegistrationSas(authorization)
    if (!sas || sas.keyName !== 'registration') return refuse()
    if (sas.resource !== `${idScope}/registrations/${registrationId}`) return refuse()
    if (hasExpired(sas, this.clock())) return refuse('The SAS token has expired.')
    if (own) {
      const keys = own.symmetricKey
      return keys && [keys.primaryKey, keys.secondaryKey].some((key) => isSignedWith(sas, key)) ? null : refuse()
    }
    const group = await this.provisioning.groupForRegistration(registrationId, {
      type: 'symmetricKey',
      accepts: (deviceKey) => isSignedWith(sas as RegistrationSas, deviceKey),
    })
    return group ? null : refuse()
  }

  private async checkCertificates(
    registrationId: string,
    chain: readonly string[],
    own: DeviceCredentials | null,
  ): Promise<Refusal | null> {
    if (chain.length === 0) return refuse()
    if (own) {
      const leaf = parseCertificate(chain[0] as string)
      const thumbprints = own.x509?.clientCertificates
      const enrolled = [thumbprints?.primary, thumbprints?.secondary].map((t) => t?.info.sha1Thumbprint)
      const accepted =
        leaf !== null &&
        commonNames(leaf.certificate).includes(registrationId) &&
        validityProblem(leaf.certificate, this.clock()) === null &&
        enrolled.includes(leaf.thumbprint)
      return accepted ? null : refuse()
    }
    const group = await this.provisioning.groupForRegistration(registrationId, { type: 'x509', chain })
    return group ? null : refuse()
  }

  /** The device's own credentials when it has an individual attestation, else null. */
  private async individual(registrationId: string): Promise<DeviceCredentials | null> {
    if (!(await deviceAttestationRepository.get(this.store.db, registrationId))) return null
    const authentication = await this.provisioning.deviceCredentials(registrationId)
    return authentication?.source.kind === 'individual' ? authentication.credentials : null
  }
}

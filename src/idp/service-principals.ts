import { randomUUID } from 'node:crypto'
import {
  generateSecret,
  hashSecret,
  isWellFormedSecret,
  secretMatches,
} from '../auth/api-token-secret.js'
import type { Clock } from '../clock.js'
import { conflict, notFound, unprocessable } from '../errors/app-error.js'
import { idpServicePrincipalRepository } from '../storage/repositories/idp-service-principal.repository.js'
import type { IdpServicePrincipalRow } from '../storage/schema.js'
import type { Store } from '../storage/store.js'
import { readCertificate, type CertificateCredential } from './certificate-credential.js'

/** A service principal as listed: never its secret, nor the secret's hash. */
export interface ServicePrincipal {
  appId: string
  objectId: string
  displayName: string
  createdAt: string
}

/** What `create` answers: the only time the password is ever shown. */
export interface CreatedServicePrincipal extends ServicePrincipal {
  password: string
  tenant: string
  /** When the password stops working; absent when it has no end date. */
  passwordEndDate?: string
}

/** What `createWithCertificate` answers: no password, the certificate's thumbprints instead. */
export interface CertificateServicePrincipal extends ServicePrincipal {
  tenant: string
  certificate: Omit<CertificateCredential, 'publicJwk'>
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function toServicePrincipal(row: IdpServicePrincipalRow): ServicePrincipal {
  return {
    appId: row.app_id,
    objectId: row.object_id,
    displayName: row.display_name,
    createdAt: new Date(row.created_at * 1000).toISOString(),
  }
}

function checkName(name: string): string {
  const trimmed = name.trim()
  if (trimmed.length === 0 || trimmed.length > 128 || /\p{Cc}/u.test(trimmed)) {
    throw unprocessable(
      'A service principal name has 1 to 128 characters, none of them control characters.',
    )
  }
  if (UUID.test(trimmed))
    throw unprocessable('A service principal name must not look like an app id.')
  return trimmed
}

/**
 * Service principals of the embedded issuer: OAuth clients that get app-only tokens with the
 * client credentials grant. Like Entra's, each has an app id (the client id), a distinct object id
 * (the `oid` of its tokens) and a display name; the secret is stored as a SHA-256 hash only.
 */
export class ServicePrincipalService {
  constructor(
    private readonly store: Store,
    private readonly tenantId: string,
    private readonly clock: Clock,
  ) {}

  /** With `endDate` (an ISO date in the future) the password stops working then, as Entra's do. */
  async create(name: string, options: { endDate?: string } = {}): Promise<CreatedServicePrincipal> {
    const expiresAt = options.endDate === undefined ? null : this.futureSeconds(options.endDate)
    const password = generateSecret()
    const row = await this.insert(name, {
      secret_hash: hashSecret(password).toString('hex'),
      secret_expires_at: expiresAt,
    })
    return {
      ...toServicePrincipal(row),
      password,
      tenant: this.tenantId,
      ...(expiresAt === null ? {} : { passwordEndDate: new Date(expiresAt * 1000).toISOString() }),
    }
  }

  private futureSeconds(date: string): number {
    const at = Date.parse(date)
    if (Number.isNaN(at)) throw unprocessable(`end date: '${date}' is not an ISO 8601 date.`)
    if (at <= this.clock())
      throw unprocessable(`end date: ${new Date(at).toISOString()} is in the past.`)
    return Math.floor(at / 1000)
  }

  /**
   * Whether `presented` is the right secret of this client but past its end date: a refused
   * request is then told its secret expired (Entra's AADSTS7000222) rather than that it is wrong.
   */
  async hasExpiredSecret(appId: string, presented: string): Promise<boolean> {
    const row = await this.findByAppId(appId)
    if (!row?.secret_hash || row.secret_expires_at === null) return false
    if (row.secret_expires_at > Math.floor(this.clock() / 1000)) return false
    return (
      isWellFormedSecret(presented) && secretMatches(presented, Buffer.from(row.secret_hash, 'hex'))
    )
  }

  /**
   * A service principal that proves itself with client assertions signed by the key of this
   * certificate (PEM) and has no secret at all. Only the public certificate is kept.
   */
  async createWithCertificate(name: string, pem: string): Promise<CertificateServicePrincipal> {
    const certificate = readCertificate(pem)
    const row = await this.insert(name, { secret_hash: '', certificate_pem: certificate.pem })
    const { publicJwk: _publicKey, ...thumbprints } = certificate.credential
    return { ...toServicePrincipal(row), tenant: this.tenantId, certificate: thumbprints }
  }

  private async insert(
    name: string,
    credential: Pick<IdpServicePrincipalRow, 'secret_hash'> &
      Partial<Pick<IdpServicePrincipalRow, 'certificate_pem' | 'secret_expires_at'>>,
  ): Promise<IdpServicePrincipalRow> {
    const displayName = checkName(name)
    const row: IdpServicePrincipalRow = {
      app_id: randomUUID(),
      object_id: randomUUID(),
      display_name: displayName,
      name_key: displayName.toLowerCase(),
      secret_hash: credential.secret_hash,
      certificate_pem: credential.certificate_pem ?? null,
      secret_expires_at: credential.secret_expires_at ?? null,
      created_at: Math.floor(this.clock() / 1000),
    }
    await this.store.db.transaction().execute(async (trx) => {
      if (await idpServicePrincipalRepository.findByNameKey(trx, row.name_key)) {
        throw conflict(`A service principal named '${displayName}' already exists.`)
      }
      await idpServicePrincipalRepository.insert(trx, row)
    })
    return row
  }

  async list(): Promise<ServicePrincipal[]> {
    return (await idpServicePrincipalRepository.list(this.store.db)).map(toServicePrincipal)
  }

  /** The stored row of a client id, secret hash included (for client authentication). */
  async findByAppId(appId: string): Promise<IdpServicePrincipalRow | undefined> {
    if (!UUID.test(appId)) return undefined
    return idpServicePrincipalRepository.get(this.store.db, appId.toLowerCase())
  }

  /** Deletes by app id or by name; its tokens already issued stay valid until they expire. */
  async delete(appIdOrName: string): Promise<ServicePrincipal> {
    const row =
      (await this.findByAppId(appIdOrName)) ??
      (await idpServicePrincipalRepository.findByNameKey(
        this.store.db,
        appIdOrName.trim().toLowerCase(),
      ))
    if (!row || !(await idpServicePrincipalRepository.delete(this.store.db, row.app_id))) {
      throw notFound(`Service principal '${appIdOrName}'`)
    }
    return toServicePrincipal(row)
  }
}

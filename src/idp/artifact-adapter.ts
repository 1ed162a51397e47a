import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider'
import type { Clock } from '../clock.js'
import { idpArtifactRepository } from '../storage/repositories/idp-artifact.repository.js'
import type { IdpArtifactRow } from '../storage/schema.js'
import type { Store } from '../storage/store.js'
import type { ServicePrincipalService } from './service-principals.js'
import { servicePrincipalClient } from './clients.js'

/**
 * oidc-provider's storage, over one table keyed by (model, id): sessions, grants, interactions,
 * device codes, refresh tokens. The columns beside the JSON payload are the lookups the provider
 * needs (uid, user code, grant) plus the account, so that a password change can end a person's
 * sessions. Rows past their expiry are invisible, and purged now and then.
 */
class ArtifactAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  private now(): number {
    return Math.floor(this.clock() / 1000)
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const row: IdpArtifactRow = {
      model: this.model,
      id,
      payload: JSON.stringify(payload),
      grant_id: payload.grantId ?? null,
      user_code: payload.userCode ?? null,
      uid: payload.uid ?? null,
      account_id: payload.accountId ?? payload.session?.accountId ?? null,
      expires_at: typeof expiresIn === 'number' ? this.now() + expiresIn : null,
      consumed_at: null,
    }
    await idpArtifactRepository.upsert(this.store.db, row)
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.read(
      await idpArtifactRepository.findBy(this.store.db, this.model, 'id', id, this.now()),
    )
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.read(
      await idpArtifactRepository.findBy(this.store.db, this.model, 'uid', uid, this.now()),
    )
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.read(
      await idpArtifactRepository.findBy(
        this.store.db,
        this.model,
        'user_code',
        userCode,
        this.now(),
      ),
    )
  }

  async consume(id: string): Promise<void> {
    await idpArtifactRepository.consume(this.store.db, this.model, id, this.now())
  }

  async destroy(id: string): Promise<void> {
    await idpArtifactRepository.delete(this.store.db, this.model, id)
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await idpArtifactRepository.deleteByGrant(this.store.db, this.model, grantId)
  }

  private read(row: IdpArtifactRow | undefined): AdapterPayload | undefined {
    if (!row) return undefined
    const payload = JSON.parse(row.payload) as AdapterPayload
    return row.consumed_at === null ? payload : { ...payload, consumed: row.consumed_at }
  }
}

/**
 * Clients that are service principals, read from their table on every use: a deleted one can no
 * longer get tokens. Registration through the provider is off, so writes never come here.
 */
class ServicePrincipalClientAdapter implements Adapter {
  constructor(
    private readonly servicePrincipals: ServicePrincipalService,
    private readonly clock: Clock,
  ) {}

  async find(id: string): Promise<AdapterPayload | undefined> {
    const row = await this.servicePrincipals.findByAppId(id)
    return row && servicePrincipalClient(row, Math.floor(this.clock() / 1000))
  }

  private refuse(): never {
    throw new Error('clients are managed with `opencentral idp sp`, not through the provider')
  }

  async upsert(): Promise<void> {
    this.refuse()
  }
  async findByUid(): Promise<undefined> {
    return undefined
  }
  async findByUserCode(): Promise<undefined> {
    return undefined
  }
  async consume(): Promise<void> {
    this.refuse()
  }
  async destroy(): Promise<void> {
    this.refuse()
  }
  async revokeByGrantId(): Promise<void> {}
}

export function artifactAdapterFactory(
  store: Store,
  clock: Clock,
  servicePrincipals: ServicePrincipalService,
): AdapterFactory {
  return (model) =>
    model === 'Client'
      ? new ServicePrincipalClientAdapter(servicePrincipals, clock)
      : new ArtifactAdapter(model, store, clock)
}

/** Deletes expired rows; returns how many. */
export async function purgeExpiredArtifacts(store: Store, clock: Clock): Promise<number> {
  return idpArtifactRepository.deleteExpired(store.db, Math.floor(clock() / 1000))
}

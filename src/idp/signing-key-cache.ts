import type { Clock } from '../clock.js'
import type { Store } from '../storage/store.js'
import { usableSigningKeys, type SigningKey } from './signing-keys.js'

/**
 * The usable signing keys, read from the store once and again only when they may have changed:
 * a rotation announced on the change feed (by this node, another one, or the CLI), a feed that
 * cannot vouch for its completeness, or a retired key reaching the end of its grace period.
 */
export class SigningKeyCache {
  private keys: SigningKey[] | null = null
  private stale = true
  private loading: Promise<SigningKey[]> | null = null

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {
    store.changes.subscribe((topic) => {
      if (topic === null || topic === 'idpKeys') this.stale = true
    })
  }

  /** The current key first, then retired keys still valid for verification. */
  async get(): Promise<SigningKey[]> {
    const complete = this.store.changes.sync()
    const now = Math.floor(this.clock() / 1000)
    const keys = this.keys
    if (
      complete &&
      !this.stale &&
      keys &&
      !keys.some((k) => k.verifyUntil !== null && k.verifyUntil <= now)
    ) {
      return keys
    }
    return this.reload(now)
  }

  private reload(now: number): Promise<SigningKey[]> {
    // A read in flight is shared, unless a change was announced since it began: that one may
    // predate the change, so a new read starts (and only the newest read is kept).
    if (this.loading && !this.stale) return this.loading
    this.stale = false
    const loading: Promise<SigningKey[]> = usableSigningKeys(this.store, now)
      .then((keys) => {
        if (keys.length === 0)
          throw new Error('the store holds no signing key for the identity provider')
        if (this.loading === loading) this.keys = keys
        return keys
      })
      .catch((error: unknown) => {
        if (this.loading === loading) this.stale = true
        throw error
      })
      .finally(() => {
        if (this.loading === loading) this.loading = null
      })
    this.loading = loading
    return loading
  }
}

import type Provider from 'oidc-provider'
import type { SigningKeyCache } from './signing-key-cache.js'
import type { SigningKey } from './signing-keys.js'

/**
 * Hands out the provider for the current signing keys. oidc-provider reads its keys once, when it
 * is built; when the keys change (a rotation, a retired key dropped) a new instance is built and
 * takes the next requests, while requests already running finish on the old one.
 */
export class ProviderHolder {
  private built: { signature: string; provider: Provider } | null = null

  constructor(
    private readonly keys: SigningKeyCache,
    private readonly build: (keys: readonly SigningKey[]) => Provider,
  ) {}

  async get(): Promise<Provider> {
    const keys = await this.keys.get()
    const signature = keys.map((key) => `${key.kid}${key.current ? '*' : ''}`).join(',')
    if (this.built?.signature !== signature) {
      this.built = { signature, provider: this.build(keys) }
    }
    return this.built.provider
  }
}

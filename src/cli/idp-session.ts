import { cliConfig } from './cli-config.js'
import type { Config } from '../config/schema.js'
import { systemClock } from '../clock.js'
import { createIdpServices, type IdpServices } from '../idp/idp-services.js'
import { createServices } from '../services/index.js'
import { openCliStore } from './cli-store.js'
import type { Output } from './output.js'
import type { Store } from '../storage/store.js'

/**
 * Opens the store named by `--data` / `--database` (or the environment), initializes it as the
 * server would, and hands the identity provider's services to `work`.
 */
export async function withIdp<T>(
  flags: Record<string, string | readonly string[] | undefined>,
  env: Record<string, string | undefined>,
  output: Output,
  work: (idp: IdpServices, store: Store, config: Config) => Promise<T>,
): Promise<T> {
  const config = cliConfig(flags, env)
  const store = await openCliStore(config, output)
  try {
    await createServices(store, config, systemClock)
    return await work(await createIdpServices(store, systemClock), store, config)
  } finally {
    await store.close()
  }
}

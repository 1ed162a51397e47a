import { loadConfig } from '../config/load.js'
import type { Config } from '../config/schema.js'
import { createServices, type Services } from '../services/index.js'
import { systemClock } from '../clock.js'
import { openStore } from '../storage/open-store.js'

/**
 * Opens the store named by `--data` / `--database` (or the environment), runs the same
 * migrations and initialization as the server, and hands the services to `work`.
 */
export async function withServices<T>(
  flags: Record<string, string | readonly string[] | undefined>,
  env: Record<string, string | undefined>,
  work: (services: Services, config: Config) => Promise<T>,
): Promise<T> {
  const config = loadConfig({ flags, env })
  const store = await openStore(config)
  try {
    const services = await createServices(store, config, systemClock)
    return await work(services, config)
  } finally {
    await store.close()
  }
}

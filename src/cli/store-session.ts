import { cliConfig } from './cli-config.js'
import type { Config } from '../config/schema.js'
import { createServices, type Services } from '../services/index.js'
import { systemClock } from '../clock.js'
import { openCliStore } from './cli-store.js'
import type { Output } from './output.js'

/**
 * Opens the store named by `--data` / `--database` (or the environment), which must exist with
 * this version's schema (src/cli/cli-store.ts), initializes it as the server would, and hands the
 * services to `work`.
 */
export async function withServices<T>(
  flags: Record<string, string | readonly string[] | undefined>,
  env: Record<string, string | undefined>,
  output: Output,
  work: (services: Services, config: Config) => Promise<T>,
): Promise<T> {
  const config = cliConfig(flags, env)
  const store = await openCliStore(config, output)
  try {
    const services = await createServices(store, config, systemClock)
    return await work(services, config)
  } finally {
    await store.close()
  }
}

import { readConfigFile } from '../config/file.js'
import { loadConfig } from '../config/load.js'
import type { Config } from '../config/schema.js'

/**
 * The configuration of a CLI command: its flags, then the environment, then the configuration
 * file (--config, OPENCENTRAL_CONFIG or ./opencentral.json), then the defaults.
 */
export function cliConfig(
  flags: Record<string, string | readonly string[] | undefined>,
  env: Record<string, string | undefined>,
): Config {
  const config = flags.config
  return loadConfig({ flags, env, file: readConfigFile(typeof config === 'string' ? config : undefined, env) })
}

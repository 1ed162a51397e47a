import { readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { ConfigError, type ConfigFileValues } from './load.js'

/** The file read when neither --config nor OPENCENTRAL_CONFIG names one (optional). */
export const DEFAULT_CONFIG_FILE = 'opencentral.json'

/**
 * Reads the configuration file: `--config <file>`, else `OPENCENTRAL_CONFIG`, else
 * ./opencentral.json when it exists. A file named explicitly must exist. A file holding
 * `secretKey` that others can read is refused (fail closed: the key protects every stored secret).
 */
export function readConfigFile(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  cwd = process.cwd(),
): ConfigFileValues | undefined {
  const named = flag ?? (env.OPENCENTRAL_CONFIG || undefined)
  const path = resolve(cwd, named ?? DEFAULT_CONFIG_FILE)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && named === undefined) return undefined
    const via = flag !== undefined ? '--config' : 'OPENCENTRAL_CONFIG'
    throw new ConfigError([`${path} (${via}): cannot read the configuration file: ${(error as Error).message}`])
  }
  let values: unknown
  try {
    values = JSON.parse(text)
  } catch (error) {
    throw new ConfigError([`${path}: is not valid JSON: ${(error as Error).message}`])
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new ConfigError([`${path}: must hold one JSON object of settings`])
  }
  if (Object.hasOwn(values, 'secretKey') && process.platform !== 'win32') {
    const mode = statSync(path).mode
    if ((mode & 0o007) !== 0) {
      throw new ConfigError([
        `secretKey (${path}): the file holds secretKey and others can read it (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${path}`,
      ])
    }
  }
  return { path, values: values as Record<string, unknown> }
}

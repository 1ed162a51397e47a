import { Value } from 'typebox/value'
import { closest } from './closest.js'
import { CONFIG_SOURCES, ConfigSchema, type Config } from './schema.js'

/** A configuration that failed validation; its message lists every problem by name. */
export class ConfigError extends TypeError {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

export interface ConfigInput {
  /**
   * Values from the command line, keyed by flag name (`port`, `public-url`, …): a string, a list
   * for repeatable flags, `'true'`/`'false'` for switches.
   */
  flags?: Record<string, string | readonly string[] | undefined>
  /** The environment; the only place in the server that reads it. */
  env?: Record<string, string | undefined>
  /** A configuration file already read (src/config/file.ts): below flags and environment. */
  file?: ConfigFileValues
  /** Values set in code (tests); they win over flags and environment. */
  overrides?: Partial<Config>
}

/** The parsed JSON of a configuration file and where it was read, for messages. */
export interface ConfigFileValues {
  path: string
  values: Record<string, unknown>
}

/** JSON type each schema type needs in a file: no "8080" for a port, as flags and variables must be text. */
function fileTypeProblem(schemaType: string | undefined, value: unknown): string | undefined {
  const ok =
    schemaType === 'integer' ? Number.isInteger(value)
    : schemaType === 'boolean' ? typeof value === 'boolean'
    : schemaType === 'array' ? Array.isArray(value) && value.every((v) => typeof v === 'string')
    : typeof value === 'string'
  if (ok) return undefined
  return schemaType === 'integer' ? 'must be a whole number'
    : schemaType === 'boolean' ? 'must be true or false'
    : schemaType === 'array' ? 'must be a list of strings'
    : 'must be a string'
}

/**
 * Builds the configuration from flags, then environment, then the configuration file, then defaults; validates all of it at
 * once and returns a frozen object. Throws `ConfigError` naming each bad value and where it came from.
 */
export function loadConfig(input: ConfigInput = {}): Config {
  const flags = input.flags ?? {}
  const env = input.env ?? {}
  const raw: Record<string, unknown> = {}
  const origin: Record<string, string> = {}
  const file = input.file
  const fileProblems: string[] = []
  for (const [key, value] of Object.entries(file?.values ?? {})) {
    const source = CONFIG_SOURCES.find((s) => s.key === key)
    const where = `${key} (${file?.path})`
    if (!source) {
      const near = closest(key, CONFIG_SOURCES.map((s) => s.key))
      fileProblems.push(`${where}: is not a configuration setting${near ? ` (did you mean ${near}?)` : ''}`)
      continue
    }
    const problem = fileTypeProblem((ConfigSchema.properties[source.key] as { type?: string }).type, value)
    if (problem) fileProblems.push(`${where}: ${problem} (got ${JSON.stringify(value)})`)
  }
  for (const source of CONFIG_SOURCES) {
    const fromFlag = flags[source.flag]
    const fromEnv = env[source.env]
    if (fromFlag !== undefined) {
      raw[source.key] = source.kind === 'list' && typeof fromFlag === 'string' ? [fromFlag] : fromFlag
      origin[source.key] = `--${source.flag}`
    } else if (fromEnv !== undefined && fromEnv !== '') {
      raw[source.key] =
        source.kind === 'list' ? fromEnv.split(',').map((item) => item.trim()).filter(Boolean) : fromEnv
      origin[source.key] = source.env
    } else if (file && Object.hasOwn(file.values, source.key)) {
      raw[source.key] = file.values[source.key]
      origin[source.key] = file.path
    }
  }
  if (fileProblems.length > 0) throw new ConfigError(fileProblems)
  Object.assign(raw, input.overrides ?? {})
  // Convert() would round "8080.5" and read "" as 0: whole numbers are checked as text first.
  const notWhole = CONFIG_SOURCES.filter(
    (s) => (ConfigSchema.properties[s.key] as { type?: string }).type === 'integer' &&
      typeof raw[s.key] === 'string' && !/^[0-9]+$/.test(raw[s.key] as string),
  ).map((s) => `${s.key} (${origin[s.key]}): must be a whole number (got ${JSON.stringify(raw[s.key])})`)
  const unknown = Object.keys(input.overrides ?? {}).filter(
    (key) => !CONFIG_SOURCES.some((s) => s.key === key),
  )
  const candidate = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, raw))
  const problems = [...unknown.map((key) => `${key}: is not a configuration setting`), ...notWhole]
  for (const error of Value.Errors(ConfigSchema, candidate)) {
    const key = error.instancePath.replace(/^\//, '').split('/')[0] || 'config'
    if (notWhole.some((line) => line.startsWith(`${key} `)) || unknown.includes(key)) continue
    const source = CONFIG_SOURCES.find((s) => s.key === key)
    const where = origin[key] ?? (source ? `--${source.flag} / ${source.env}` : key)
    const value = key in raw ? ` (got ${JSON.stringify(raw[key])})` : ''
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues
    const message = allowed ? `must be one of ${allowed.join(', ')}` : error.message
    const line = `${key} (${where}): ${message}${value}`
    if (!problems.includes(line)) problems.push(line)
  }
  if (problems.length > 0) throw new ConfigError(problems)
  const config = candidate as Config
  if (config.tokenDefaultDays > config.tokenMaxDays) {
    throw new ConfigError([
      `tokenDefaultDays (${config.tokenDefaultDays}) must not exceed tokenMaxDays (${config.tokenMaxDays})`,
    ])
  }
  if (config.headersTimeoutSeconds > config.requestTimeoutSeconds) {
    throw new ConfigError([
      `headersTimeoutSeconds (${config.headersTimeoutSeconds}) must not exceed requestTimeoutSeconds (${config.requestTimeoutSeconds})`,
    ])
  }
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
    throw new ConfigError(['tlsCert and tlsKey: give both (--tls-cert and --tls-key), or neither'])
  }
  if (config.tlsDev && config.tlsCert !== undefined) {
    throw new ConfigError(['tlsDev: use either --tls-dev or --tls-cert/--tls-key, not both'])
  }
  return Object.freeze({ ...config })
}

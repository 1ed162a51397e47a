import { Type, type Static } from 'typebox'

/**
 * The one configuration schema. Each property names the command-line flag and the environment
 * variable it can come from; defaults live here and nowhere else.
 */
export const ConfigSchema = Type.Object(
  {
    port: Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: 8080,
      description: 'TCP port to listen on (0 picks a free one).',
      flag: 'port',
      env: 'OPENCENTRAL_PORT',
    }),
    host: Type.String({
      minLength: 1,
      default: '127.0.0.1',
      description: 'Interface to listen on.',
      flag: 'host',
      env: 'OPENCENTRAL_HOST',
    }),
    dataDir: Type.String({
      minLength: 1,
      default: './data',
      description: 'Folder of the embedded SQLite store (used when no database URL is given).',
      flag: 'data',
      env: 'OPENCENTRAL_DATA',
    }),
    databaseUrl: Type.Optional(
      Type.String({
        pattern: '^postgres(ql)?://',
        description: 'PostgreSQL connection URL; when set, the store is PostgreSQL instead of SQLite.',
        flag: 'database',
        env: 'OPENCENTRAL_DATABASE_URL',
      }),
    ),
    publicUrl: Type.Optional(
      Type.String({
        pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$',
        description:
          'The URL clients use to reach the server (behind a proxy); used for nextLink. Defaults to the request host.',
        flag: 'public-url',
        env: 'OPENCENTRAL_PUBLIC_URL',
      }),
    ),
    logLevel: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        default: 'info',
        description: 'Log level.',
        flag: 'log-level',
      env: 'OPENCENTRAL_LOG_LEVEL',
    }),
    tokenDefaultDays: Type.Integer({
      minimum: 1,
      maximum: 36500,
      default: 365,
      description: 'Lifetime of an API token created without an expiry, in days.',
      flag: 'token-default-days',
      env: 'OPENCENTRAL_TOKEN_DEFAULT_DAYS',
    }),
    tokenMaxDays: Type.Integer({
      minimum: 1,
      maximum: 36500,
      default: 730,
      description: 'Longest lifetime an API token may be given, in days.',
      flag: 'token-max-days',
      env: 'OPENCENTRAL_TOKEN_MAX_DAYS',
    }),
    authCacheSize: Type.Integer({
      minimum: 0,
      maximum: 10_000_000,
      default: 10_000,
      description: 'How many verified credentials are kept in memory (0 turns the cache off).',
      flag: 'auth-cache-size',
      env: 'OPENCENTRAL_AUTH_CACHE_SIZE',
    }),
  },
  { additionalProperties: false },
)

export type Config = Readonly<Static<typeof ConfigSchema>>

/** How each configuration key is spelled on the command line and in the environment. */
export interface ConfigSource {
  key: keyof Config
  flag: string
  env: string
  description: string
  default?: unknown
}

export const CONFIG_SOURCES: readonly ConfigSource[] = Object.entries(ConfigSchema.properties).map(
  ([key, schema]) => {
    const s = schema as unknown as Record<string, unknown>
    return {
      key: key as keyof Config,
      flag: s.flag as string,
      env: s.env as string,
      description: s.description as string,
      default: s.default,
    }
  },
)

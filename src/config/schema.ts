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
    tlsCert: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'PEM certificate (chain) file: serve HTTPS instead of HTTP. Needs --tls-key.',
        flag: 'tls-cert',
        env: 'OPENCENTRAL_TLS_CERT',
      }),
    ),
    tlsKey: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'PEM private key file of --tls-cert.',
        flag: 'tls-key',
        env: 'OPENCENTRAL_TLS_KEY',
      }),
    ),
    tlsDev: Type.Boolean({
      default: false,
      description:
        'Serve HTTPS with the development certificate under <data>/tls, created if missing (see `opencentral cert create`).',
      flag: 'tls-dev',
      env: 'OPENCENTRAL_TLS_DEV',
    }),
    trustIssuers: Type.Array(Type.String({ pattern: '^https?://[^\\s]+$' }), {
      default: [],
      description:
        'Issuer URL of an OpenID Connect provider whose access tokens are accepted (repeatable; discovery at <issuer>/.well-known/openid-configuration). Plain http only for loopback hosts.',
      flag: 'trust-issuer',
      env: 'OPENCENTRAL_TRUST_ISSUERS',
    }),
    trustEntraTenants: Type.Array(
      Type.String({ pattern: '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$' }),
      {
        default: [],
        description:
          'Microsoft Entra tenant id whose tokens are accepted, in both the v1 (sts.windows.net) and v2 (login.microsoftonline.com) issuer forms (repeatable).',
        flag: 'trust-entra-tenant',
        env: 'OPENCENTRAL_TRUST_ENTRA_TENANTS',
      },
    ),
    audiences: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      default: ['https://apps.azureiotcentral.com'],
      description: 'Accepted `aud` values of bearer tokens (repeatable).',
      flag: 'audience',
      env: 'OPENCENTRAL_AUDIENCES',
    }),
    trustFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'JSON file listing trusted issuers with their own settings (audiences, algorithms, clock tolerance, email trust); see docs/bearer-tokens.md.',
        flag: 'trust-file',
        env: 'OPENCENTRAL_TRUST_FILE',
      }),
    ),
    embeddedIdp: Type.Boolean({
      default: true,
      description:
        'Serve the embedded OpenID Connect issuer under /oidc and trust its tokens (--no-embedded-idp turns it off).',
      flag: 'embedded-idp',
      env: 'OPENCENTRAL_EMBEDDED_IDP',
    }),
    secretKey: Type.Optional(
      Type.String({
        minLength: 32,
        description:
          'Key that protects stored secrets (enrollment-group keys, storage connection strings), at least 32 characters; every node of a cluster needs the same. Default: on SQLite a key generated into <data>/secret.key; on PostgreSQL a key generated and kept in the database (secrets then only as safe as the database).',
        flag: 'secret-key',
        env: 'OPENCENTRAL_SECRET_KEY',
      }),
    ),
    mqttPort: Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: 8883,
      description:
        'TCP port of the device endpoint: MQTT over TLS for devices and for provisioning (0 picks a free one). Always TLS: the configured certificate (--tls-cert/--tls-key), else the development certificate in the data folder.',
      flag: 'mqtt-port',
      env: 'OPENCENTRAL_MQTT_PORT',
    }),
    deviceHostName: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$',
        description:
          'The host name devices are assigned as their hub and sign their SAS tokens for (a bare host name, no port). Defaults to the public URL\'s host name, else the TLS certificate\'s first DNS name, else localhost.',
        flag: 'device-host-name',
        env: 'OPENCENTRAL_DEVICE_HOST_NAME',
      }),
    ),
    auditRetentionDays: Type.Integer({
      minimum: 1,
      maximum: 36500,
      default: 90,
      description:
        'How many days audit log records are kept; older ones are deleted hourly, in batches.',
      flag: 'audit-retention-days',
      env: 'OPENCENTRAL_AUDIT_RETENTION_DAYS',
    }),
    migrate: Type.Boolean({
      default: true,
      description:
        "Bring the store's schema up to date at start (--no-migrate refuses a store whose schema is older instead: run `opencentral migrate` when every node can take it). A store migrated by a newer version is always refused.",
      flag: 'migrate',
      env: 'OPENCENTRAL_MIGRATE',
    }),
    requestTimeoutSeconds: Type.Integer({
      minimum: 1,
      maximum: 3600,
      default: 30,
      description:
        'How long a client may take to send a whole request (headers and body), in seconds; a slower one gets 408 and is disconnected.',
      flag: 'request-timeout',
      env: 'OPENCENTRAL_REQUEST_TIMEOUT',
    }),
    headersTimeoutSeconds: Type.Integer({
      minimum: 1,
      maximum: 3600,
      default: 10,
      description:
        "How long a client may take to send a request's headers, in seconds (at most the request timeout); a slower one gets 408 and is disconnected.",
      flag: 'headers-timeout',
      env: 'OPENCENTRAL_HEADERS_TIMEOUT',
    }),
    keepAliveTimeoutSeconds: Type.Integer({
      minimum: 1,
      maximum: 3600,
      default: 72,
      description:
        'How long an idle kept-alive connection stays open, in seconds (longer than the idle timeout of a load balancer in front, usually 60 s).',
      flag: 'keep-alive-timeout',
      env: 'OPENCENTRAL_KEEP_ALIVE_TIMEOUT',
    }),
    shutdownGraceSeconds: Type.Integer({
      minimum: 0,
      maximum: 3600,
      default: 10,
      description:
        'On SIGTERM or SIGINT, how long requests under way may take to finish, in seconds; then the connections still open are closed and the process exits with code 1.',
      flag: 'shutdown-grace',
      env: 'OPENCENTRAL_SHUTDOWN_GRACE',
    }),
    telemetryRetentionDays: Type.Integer({
      minimum: 0,
      maximum: 36500,
      default: 30,
      description:
        'How many days of device telemetry messages are kept (0 keeps them forever); older ones are pruned hourly. The last value of each telemetry is always kept.',
      flag: 'telemetry-retention-days',
      env: 'OPENCENTRAL_TELEMETRY_RETENTION_DAYS',
    }),
    authCacheSize: Type.Integer({
      minimum: 0,
      maximum: 10_000_000,
      default: 10_000,
      description:
        'How many verified credentials are kept in memory (0 turns the cache off). The room is taken at start: about 50 bytes for each (10,000: 0.5 MB; 1,000,000: 50 MB).',
      flag: 'auth-cache-size',
      env: 'OPENCENTRAL_AUTH_CACHE_SIZE',
    }),
    bodyLimit: Type.Integer({
      minimum: 1024,
      maximum: 1024 * 1024 * 1024,
      default: 4 * 1024 * 1024,
      description:
        'Largest request body accepted, in bytes (a larger one is answered 413). Device templates with their capability models can exceed 1 MiB.',
      flag: 'body-limit',
      env: 'OPENCENTRAL_BODY_LIMIT',
    }),
    trustProxy: Type.Array(Type.String({ pattern: '^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$' }), {
      default: [],
      description:
        'Reverse proxies whose X-Forwarded-For is believed, so logs and limits see the client behind them: addresses or CIDRs (repeatable), or one whole number of hops. Empty (the default): the connecting address is the client.',
      flag: 'trust-proxy',
      env: 'OPENCENTRAL_TRUST_PROXY',
    }),
    rateLimit: Type.Integer({
      minimum: 0,
      maximum: 1_000_000,
      default: 0,
      description:
        'Requests per second each caller (API token, signed-in principal, or client address when unauthenticated) may make to /api; more are answered 429 with Retry-After. 0 (the default) turns limits off; 20 matches IoT Central\'s per-application rate.',
      flag: 'rate-limit',
      env: 'OPENCENTRAL_RATE_LIMIT',
    }),
    authFailureLimit: Type.Integer({
      minimum: 0,
      maximum: 1_000_000,
      default: 10,
      description:
        'Failed authentications (API 401s, wrong sign-in passwords) a client address may make per minute before it is locked out with a doubling back-off (up to 15 minutes). 0 turns the throttle off.',
      flag: 'auth-failure-limit',
      env: 'OPENCENTRAL_AUTH_FAILURE_LIMIT',
    }),
    mqttConnectRate: Type.Integer({
      minimum: 0,
      maximum: 1_000_000,
      default: 20,
      description:
        'CONNECTs per second one client address may make to the device endpoint (MQTT over TLS and over WebSockets), with bursts of ten times as many; a refused connect costs 10 more, and once spent the address is refused with CONNACK 3 (server unavailable) until it refills. Raise it for fleets behind one NAT address or a gateway; 0 turns the throttle off.',
      flag: 'mqtt-connect-rate',
      env: 'OPENCENTRAL_MQTT_CONNECT_RATE',
    }),
    redisUrl: Type.Optional(
      Type.String({
        pattern: '^rediss?://',
        description:
          'Redis connection URL (redis:// or rediss://); when set, nodes pass device commands and property changes through Redis pub/sub (instead of PostgreSQL LISTEN/NOTIFY), and rate-limit counters are kept there and shared by every node (otherwise in PostgreSQL, or in memory on SQLite).',
        flag: 'redis-url',
        env: 'OPENCENTRAL_REDIS_URL',
      }),
    ),
    metrics: Type.Boolean({
      default: false,
      description:
        'Collect Prometheus metrics and serve them at GET /metrics on the main port to callers holding metrics.read (Administrators).',
      flag: 'metrics',
      env: 'OPENCENTRAL_METRICS',
    }),
    metricsPort: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 65535,
        description:
          'Also serve GET /metrics without authentication on this port of the same interface (for a scraper on a private network); implies --metrics.',
        flag: 'metrics-port',
        env: 'OPENCENTRAL_METRICS_PORT',
      }),
    ),
    logFormat: Type.Enum(['auto', 'json', 'pretty'], {
      default: 'auto',
      description:
        'Log lines as JSON (for collectors) or pretty and coloured (for people); auto is pretty on a terminal, JSON otherwise.',
      flag: 'log-format',
      env: 'OPENCENTRAL_LOG_FORMAT',
    }),
    accessLog: Type.Boolean({
      default: true,
      description:
        'Log one line per request at info: caller, method, route, status, duration, request id and client address (--no-access-log turns it off).',
      flag: 'access-log',
      env: 'OPENCENTRAL_ACCESS_LOG',
    }),
  },
  { additionalProperties: false },
)

export type Config = Readonly<Static<typeof ConfigSchema>>

/** How each configuration key is spelled on the command line and in the environment. */
export interface ConfigSource {
  key: keyof Config
  /** `value` takes one value; `list` is repeatable (comma-separated in the environment); `switch` is --flag / --no-flag. */
  kind: 'value' | 'list' | 'switch'
  flag: string
  env: string
  description: string
  default?: unknown
}

export const CONFIG_SOURCES: readonly ConfigSource[] = Object.entries(ConfigSchema.properties).map(
  ([key, schema]) => {
    const s = schema as unknown as Record<string, unknown>
    const kind = s.type === 'array' ? 'list' : s.type === 'boolean' ? 'switch' : 'value'
    return {
      key: key as keyof Config,
      kind,
      flag: s.flag as string,
      env: s.env as string,
      description: s.description as string,
      default: s.default,
    }
  },
)

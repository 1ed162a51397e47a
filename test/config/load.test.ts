import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConfigError, loadConfig } from '../../src/config/load.js'
import { CONFIG_SOURCES, type Config } from '../../src/config/schema.js'
import { readConfigFile } from '../../src/config/file.js'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Runs `loadConfig` expecting a ConfigError, and returns its problems. */
function problemsOf(input: Parameters<typeof loadConfig>[0]): string[] {
  try {
    loadConfig(input)
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`)
    assert.equal(error.name, 'ConfigError')
    for (const problem of error.problems) assert.ok(error.message.includes(problem))
    return error.problems
  }
  assert.fail('loadConfig accepted the configuration')
}

const DEFAULTS: Config = {
  port: 8080,
  host: '127.0.0.1',
  dataDir: './data',
  logLevel: 'info',
  tokenDefaultDays: 365,
  tokenMaxDays: 730,
  trustIssuers: [],
  trustEntraTenants: [],
  audiences: ['https://apps.azureiotcentral.com'],
  embeddedIdp: true,
  tlsDev: false,
  auditRetentionDays: 90,
  telemetryRetentionDays: 30,
  authCacheSize: 10_000,
  mqttPort: 8883,
  migrate: true,
  requestTimeoutSeconds: 30,
  headersTimeoutSeconds: 10,
  keepAliveTimeoutSeconds: 72,
  shutdownGraceSeconds: 10,
  bodyLimit: 4 * 1024 * 1024,
  trustProxy: [],
  rateLimit: 0,
  authFailureLimit: 10,
  mqttConnectRate: 20,
  metrics: false,
  logFormat: 'auto',
  accessLog: true,
}

describe('loadConfig', () => {
  it('refuses a headers timeout longer than the request timeout', () => {
    const problems = problemsOf({ flags: { 'headers-timeout': '40', 'request-timeout': '20' } })
    assert.match(problems.join('\n'), /headersTimeoutSeconds \(40\) must not exceed requestTimeoutSeconds \(20\)/)
  })

  it('reads the operations settings from flags and the environment', () => {
    const config = loadConfig({
      flags: { 'trust-proxy': ['10.0.0.0/8', '::1'], 'rate-limit': '20', 'mqtt-connect-rate': '500' },
      env: {
        OPENCENTRAL_BODY_LIMIT: '8388608',
        OPENCENTRAL_REDIS_URL: 'rediss://cache.example:6380',
        OPENCENTRAL_METRICS_PORT: '9464',
        OPENCENTRAL_LOG_FORMAT: 'json',
        OPENCENTRAL_ACCESS_LOG: 'false',
        OPENCENTRAL_AUTH_FAILURE_LIMIT: '0',
      },
    })
    assert.deepEqual(config.trustProxy, ['10.0.0.0/8', '::1'])
    assert.equal(config.rateLimit, 20)
    assert.equal(config.bodyLimit, 8 * 1024 * 1024)
    assert.equal(config.redisUrl, 'rediss://cache.example:6380')
    assert.equal(config.metricsPort, 9464)
    assert.equal(config.logFormat, 'json')
    assert.equal(config.accessLog, false)
    assert.equal(config.authFailureLimit, 0)
    assert.equal(config.mqttConnectRate, 500)
    assert.equal(loadConfig({ env: { OPENCENTRAL_MQTT_CONNECT_RATE: '0' } }).mqttConnectRate, 0)
    assert.deepEqual(loadConfig({ env: { OPENCENTRAL_TRUST_PROXY: '2' } }).trustProxy, ['2'])
  })

  it('refuses bad operations settings, naming each', () => {
    const problems = problemsOf({
      env: {
        OPENCENTRAL_REDIS_URL: 'http://cache.example',
        OPENCENTRAL_LOG_FORMAT: 'xml',
        OPENCENTRAL_BODY_LIMIT: '10',
        OPENCENTRAL_TRUST_PROXY: 'proxy.example',
        OPENCENTRAL_RATE_LIMIT: '-1',
        OPENCENTRAL_MQTT_CONNECT_RATE: '-1',
      },
    })
    for (const key of ['redisUrl', 'logFormat', 'bodyLimit', 'trustProxy', 'rateLimit', 'mqttConnectRate']) {
      assert.ok(problems.some((p) => p.startsWith(`${key} `)), `${key} in ${problems.join('; ')}`)
    }
  })

  it('gives the defaults when nothing is set', () => {
    assert.deepEqual(loadConfig(), DEFAULTS)
    assert.deepEqual(loadConfig({ flags: {}, env: {} }), DEFAULTS)
  })

  it('leaves databaseUrl and publicUrl unset by default (SQLite, request host)', () => {
    const config = loadConfig()
    assert.ok(!('databaseUrl' in config))
    assert.ok(!('publicUrl' in config))
    assert.ok(!('trustFile' in config))
  })

  it('ignores environment variables it does not own', () => {
    assert.deepEqual(
      loadConfig({ env: { PORT: '1', HOST: 'x', DATABASE_URL: 'mysql://x' } }),
      DEFAULTS,
    )
  })

  it('reads every setting from its environment variable when no flag is given', () => {
    const config = loadConfig({
      env: {
        OPENCENTRAL_PORT: '9001',
        OPENCENTRAL_HOST: '0.0.0.0',
        OPENCENTRAL_DATA: '/var/lib/opencentral',
        OPENCENTRAL_DATABASE_URL: 'postgresql://db.example/central',
        OPENCENTRAL_PUBLIC_URL: 'https://central.example.com/base',
        OPENCENTRAL_LOG_LEVEL: 'debug',
        OPENCENTRAL_TOKEN_DEFAULT_DAYS: '30',
        OPENCENTRAL_TOKEN_MAX_DAYS: '90',
        OPENCENTRAL_AUTH_CACHE_SIZE: '0',
        OPENCENTRAL_AUDIT_RETENTION_DAYS: '30',
        OPENCENTRAL_MQTT_PORT: '18883',
        OPENCENTRAL_DEVICE_HOST_NAME: 'devices.example.com',
      },
    })
    assert.deepEqual(config, {
      ...DEFAULTS,
      port: 9001,
      host: '0.0.0.0',
      dataDir: '/var/lib/opencentral',
      databaseUrl: 'postgresql://db.example/central',
      publicUrl: 'https://central.example.com/base',
      logLevel: 'debug',
      tokenDefaultDays: 30,
      tokenMaxDays: 90,
      authCacheSize: 0,
      auditRetentionDays: 30,
      mqttPort: 18883,
      deviceHostName: 'devices.example.com',
    })
  })

  it('reads every setting from its flag', () => {
    const config = loadConfig({
      flags: {
        port: '9002',
        host: '::1',
        data: './elsewhere',
        database: 'postgres://u@h:5433/d',
        'public-url': 'http://localhost:9002',
        'log-level': 'silent',
        'token-default-days': '1',
        'token-max-days': '1',
        'auth-cache-size': '5',
        'audit-retention-days': '7',
        'mqtt-port': '0',
        'device-host-name': 'central.local',
      },
    })
    assert.deepEqual(config, {
      ...DEFAULTS,
      port: 9002,
      host: '::1',
      dataDir: './elsewhere',
      databaseUrl: 'postgres://u@h:5433/d',
      publicUrl: 'http://localhost:9002',
      logLevel: 'silent',
      tokenDefaultDays: 1,
      tokenMaxDays: 1,
      authCacheSize: 5,
      auditRetentionDays: 7,
      mqttPort: 0,
      deviceHostName: 'central.local',
    })
  })

  it('lets a flag beat the environment, key by key', () => {
    const config = loadConfig({
      flags: { port: '9000', 'log-level': 'warn' },
      env: {
        OPENCENTRAL_PORT: '9001',
        OPENCENTRAL_LOG_LEVEL: 'error',
        OPENCENTRAL_HOST: '0.0.0.0',
      },
    })
    assert.equal(config.port, 9000)
    assert.equal(config.logLevel, 'warn')
    assert.equal(config.host, '0.0.0.0')
  })

  it('does not look at a bad environment value that a flag overrides', () => {
    const config = loadConfig({ flags: { port: '9000' }, env: { OPENCENTRAL_PORT: 'abc' } })
    assert.equal(config.port, 9000)
  })

  it('treats an empty environment variable as unset', () => {
    const config = loadConfig({ env: { OPENCENTRAL_PORT: '', OPENCENTRAL_LOG_LEVEL: '' } })
    assert.equal(config.port, 8080)
    assert.equal(config.logLevel, 'info')
  })

  it('lets overrides beat flags and environment', () => {
    const config = loadConfig({
      flags: { port: '9000' },
      env: { OPENCENTRAL_PORT: '9001' },
      overrides: { port: 0 },
    })
    assert.equal(config.port, 0)
  })

  it('names the flag a bad value came from', () => {
    assert.deepEqual(problemsOf({ flags: { port: 'abc' } }), [
      'port (--port): must be a whole number (got "abc")',
    ])
  })

  it('names the environment variable a bad value came from', () => {
    const problems = problemsOf({ env: { OPENCENTRAL_LOG_LEVEL: 'loud' } })
    assert.equal(problems.length, 1)
    assert.match(
      problems[0]!,
      /^logLevel \(OPENCENTRAL_LOG_LEVEL\): must be one of fatal, error, warn, info, debug, trace, silent/,
    )
    assert.match(problems[0]!, /"loud"/)
  })

  it('reports every bad value together, one problem per key, each naming its source', () => {
    const problems = problemsOf({
      flags: { port: 'abc', 'token-max-days': '0', database: 'mysql://x' },
      env: {
        OPENCENTRAL_LOG_LEVEL: 'loud',
        OPENCENTRAL_PUBLIC_URL: 'ftp://example.com',
        OPENCENTRAL_AUTH_CACHE_SIZE: '-5',
        OPENCENTRAL_AUDIT_RETENTION_DAYS: '0',
      },
    })
    const expected: Array<[string, string]> = [
      ['port', '--port'],
      ['tokenMaxDays', '--token-max-days'],
      ['databaseUrl', '--database'],
      ['logLevel', 'OPENCENTRAL_LOG_LEVEL'],
      ['publicUrl', 'OPENCENTRAL_PUBLIC_URL'],
      ['authCacheSize', 'OPENCENTRAL_AUTH_CACHE_SIZE'],
      ['auditRetentionDays', 'OPENCENTRAL_AUDIT_RETENTION_DAYS'],
    ]
    assert.equal(problems.length, expected.length, problems.join('\n'))
    for (const [key, source] of expected) {
      const matching = problems.filter((p) => p.startsWith(`${key} (`))
      assert.equal(matching.length, 1, `one problem for ${key}: ${problems.join('\n')}`)
      assert.ok(matching[0]!.startsWith(`${key} (${source}): `), matching[0])
    }
  })

  it('refuses out-of-range numbers', () => {
    assert.deepEqual(problemsOf({ flags: { port: '65536' } }), [
      'port (--port): must be <= 65535 (got 65536)',
    ])
    const problems = problemsOf({ env: { OPENCENTRAL_TOKEN_DEFAULT_DAYS: '0' } })
    assert.equal(problems.length, 1)
    assert.match(problems[0]!, /^tokenDefaultDays \(OPENCENTRAL_TOKEN_DEFAULT_DAYS\): must be >= 1/)
  })

  it('refuses a fractional number rather than rounding it', () => {
    const problems = problemsOf({ flags: { port: '8080.5', 'token-default-days': '1.5' } })
    assert.equal(problems.length, 2, problems.join('\n'))
    assert.ok(problems.some((p) => p.startsWith('port (--port): ')))
    assert.ok(problems.some((p) => p.startsWith('tokenDefaultDays (--token-default-days): ')))
  })

  it('refuses an empty --port rather than reading it as 0 (any free port)', () => {
    const problems = problemsOf({ flags: { port: '' } })
    assert.equal(problems.length, 1, problems.join('\n'))
    assert.ok(problems[0]!.startsWith('port (--port): '), problems[0])
  })

  it('refuses an empty host or data folder given as a flag', () => {
    const problems = problemsOf({ flags: { host: '', data: '' } })
    assert.equal(problems.length, 2, problems.join('\n'))
    assert.ok(problems.some((p) => p.startsWith('host (--host): ')))
    assert.ok(problems.some((p) => p.startsWith('dataDir (--data): ')))
  })

  it('refuses a public URL with a query or without http(s)', () => {
    for (const value of [
      'https://example.com/?a=1',
      'example.com',
      'https://',
      'https://ex ample.com',
    ]) {
      const problems = problemsOf({ flags: { 'public-url': value } })
      assert.equal(problems.length, 1, `${value}: ${problems.join('\n')}`)
      assert.ok(problems[0]!.startsWith('publicUrl (--public-url): '), problems[0])
    }
  })

  it('refuses a tokenDefaultDays longer than tokenMaxDays', () => {
    const problems = problemsOf({ flags: { 'token-default-days': '800' } })
    assert.deepEqual(problems, ['tokenDefaultDays (800) must not exceed tokenMaxDays (730)'])
    assert.throws(
      () =>
        loadConfig({
          env: { OPENCENTRAL_TOKEN_DEFAULT_DAYS: '20', OPENCENTRAL_TOKEN_MAX_DAYS: '10' },
        }),
      ConfigError,
    )
    assert.equal(
      loadConfig({ flags: { 'token-default-days': '10', 'token-max-days': '10' } })
        .tokenDefaultDays,
      10,
    )
  })

  it('names an override key that is not a setting', () => {
    const problems = problemsOf({ overrides: { portt: 1 } as unknown as Partial<Config> })
    assert.ok(problems.includes('portt: is not a configuration setting'), problems.join('\n'))
  })

  it('returns a frozen object', () => {
    const config = loadConfig({ flags: { port: '9000' } })
    assert.ok(Object.isFrozen(config))
    assert.throws(() => {
      ;(config as { port: number }).port = 1
    }, TypeError)
    assert.equal(config.port, 9000)
  })

  it('does not share state between calls', () => {
    const first = loadConfig({ flags: { port: '9000' } })
    const second = loadConfig()
    assert.equal(first.port, 9000)
    assert.equal(second.port, 8080)
  })

  it('has a flag and an OPENCENTRAL_ environment variable for every setting', () => {
    assert.deepEqual(
      CONFIG_SOURCES.map((s) => s.key).sort(),
      [...Object.keys(DEFAULTS), 'databaseUrl', 'publicUrl', 'trustFile', 'tlsCert', 'tlsKey', 'secretKey', 'deviceHostName', 'redisUrl', 'metricsPort'].sort(),
    )
    for (const source of CONFIG_SOURCES) {
      assert.match(source.flag, /^[a-z]+(-[a-z]+)*$/)
      assert.match(source.env, /^OPENCENTRAL_[A-Z_]+$/)
    }
  })
})

describe('configuration file', () => {
  const file = (values: Record<string, unknown>) => ({ path: '/etc/oc/opencentral.json', values })

  it('takes its values below flags and environment, above defaults', () => {
    const values = { port: 9000, host: '0.0.0.0', trustIssuers: ['https://issuer.example'], migrate: false }
    const fromFile = loadConfig({ file: file(values) })
    assert.equal(fromFile.port, 9000)
    assert.equal(fromFile.host, '0.0.0.0')
    assert.deepEqual(fromFile.trustIssuers, ['https://issuer.example'])
    assert.equal(fromFile.migrate, false)
    const both = loadConfig({ file: file(values), env: { OPENCENTRAL_PORT: '9100', OPENCENTRAL_HOST: '::1' }, flags: { port: '9200' } })
    assert.equal(both.port, 9200)
    assert.equal(both.host, '::1')
    assert.equal(both.tokenMaxDays, 730)
  })

  it('refuses unknown keys and values of the wrong JSON type, naming the file and key', () => {
    const problems = problemsOf({ file: file({ prot: 1, port: '8080', migrate: 'no', audiences: 'x' }) })
    assert.deepEqual(problems, [
      'prot (/etc/oc/opencentral.json): is not a configuration setting (did you mean port?)',
      'port (/etc/oc/opencentral.json): must be a whole number (got "8080")',
      'migrate (/etc/oc/opencentral.json): must be true or false (got "no")',
      'audiences (/etc/oc/opencentral.json): must be a list of strings (got "x")',
    ])
  })

  it('refuses a value out of range naming the file', () => {
    const problems = problemsOf({ file: file({ port: 70000 }) })
    assert.match(problems.join('\n'), /^port \(\/etc\/oc\/opencentral\.json\): .*70000/)
  })

  it('reads ./opencentral.json when present, a named file always, and refuses a readable secretKey', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-config-'))
    try {
      assert.equal(readConfigFile(undefined, {}, dir), undefined)
      assert.throws(() => readConfigFile('missing.json', {}, dir), /missing\.json \(--config\): cannot read/)
      assert.throws(() => readConfigFile(undefined, { OPENCENTRAL_CONFIG: 'gone.json' }, dir), /gone\.json \(OPENCENTRAL_CONFIG\)/)
      writeFileSync(join(dir, 'opencentral.json'), '{"dataDir": "./store"}')
      assert.deepEqual(readConfigFile(undefined, {}, dir)?.values, { dataDir: './store' })
      writeFileSync(join(dir, 'bad.json'), '{"dataDir": ')
      assert.throws(() => readConfigFile('bad.json', {}, dir), /bad\.json: is not valid JSON/)
      const secret = join(dir, 'secret.json')
      writeFileSync(secret, JSON.stringify({ secretKey: 'k'.repeat(32) }))
      chmodSync(secret, 0o644)
      assert.throws(() => readConfigFile('secret.json', {}, dir), /secretKey .*others can read it .*chmod 600/)
      chmodSync(secret, 0o600)
      assert.equal(loadConfig({ file: readConfigFile('secret.json', {}, dir) }).secretKey, 'k'.repeat(32))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import pino from 'pino'
import { createApp, type OpenCentralApp } from '../../src/app.js'
import type { EntraAuthorities } from '../../src/auth/bearer/issuer-trust.js'
import { ROLE_IDS } from '../../src/authz/builtin-roles.js'
import type { RoleAssignment } from '../../src/authz/policy.js'
import { loadConfig } from '../../src/config/load.js'
import type { Config } from '../../src/config/schema.js'
import { REDACT } from '../../src/operations/log-options.js'
import type { Dialect } from '../../src/storage/store.js'
import { createTestDatabase } from './dialects.js'
import { freePort, onFreePort } from './free-port.js'

export { freePort }

export const API_VERSION = '2022-07-31'
export { ROLE_IDS }

/** A clock the test moves by hand, so expiry is tested without waiting. */
export class TestClock {
  constructor(public now = Date.now()) {}
  advance(ms: number): void {
    this.now += ms
  }
  readonly read = (): number => this.now
}

export interface ApiResponse<T = any> {
  status: number
  headers: Headers
  body: T
  text: string
}

export interface RequestOptions {
  /** The whole Authorization header value; `null` sends none. */
  auth?: string | null
  body?: unknown
  /** A raw body string (sent as is, with the content type below). */
  rawBody?: string
  contentType?: string
  headers?: Record<string, string>
  /** Query parameters; `api-version` is added unless given (use `null` to leave it out). */
  query?: Record<string, string | number | null>
}

export interface TestServer {
  dialect: Dialect
  url: string
  /** The server's data folder (its development certificates live under tls/). */
  dataDir: string
  app: OpenCentralApp
  clock: TestClock
  /** Everything the server logged, one JSON line each. */
  logs: string[]
  /** An Administrator API token value made at start (through the CLI's code path). */
  adminToken: string
  /** Sends a request with the admin token unless `auth` says otherwise. */
  request<T = any>(method: string, pathname: string, options?: RequestOptions): Promise<ApiResponse<T>>
  /** Creates an API token with the given role ids, as the operator would at the CLI. */
  createToken(id: string, roles: string[], expiry?: string): Promise<string>
  /** Creates an API token with role assignments that may name organizations. */
  createScopedToken(id: string, roles: RoleAssignment[]): Promise<string>
  close(): Promise<void>
}

/**
 * Boots the real server on a free loopback port over a fresh store of the given engine: an SQLite
 * file in a temporary folder, or a PostgreSQL database made for this server and dropped on close.
 * The port is chosen before the app is built because the embedded issuer's URL names it. The public
 * URL is left to its default, http://127.0.0.1:<port>, so that realms and links keep their defaults.
 */
export async function startServer(
  dialect: Dialect,
  options: { config?: Partial<Config>; clock?: TestClock; entra?: EntraAuthorities } = {},
): Promise<TestServer> {
  const clock = options.clock ?? new TestClock()
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-test-'))
  const database = dialect === 'postgres' ? await createTestDatabase() : null
  const logs: string[] = []
  const build = async (port: number) => {
    const config = loadConfig({
      overrides: {
        port,
        host: '127.0.0.1',
        dataDir,
        logLevel: 'info',
        // Never the default 8883: several servers run at once.
        mqttPort: 0,
        // The suite makes many deliberate 401s from one loopback address; tests of the lockout turn it on.
        authFailureLimit: 0,
        ...(database ? { databaseUrl: database.url } : {}),
        ...options.config,
      },
    })
    const logger = pino(
      { level: config.logLevel, redact: REDACT },
      new Writable({
        write(chunk, _encoding, done) {
          logs.push(String(chunk))
          done()
        },
      }),
    )
    const app = await createApp(config, {
      clock: clock.read,
      logger,
      ...(options.entra ? { entra: options.entra } : {}),
    })
    return { app, url: await listenOrClose(app, config) }
  }
  // Another test may take the chosen port before this server listens on it: then another port.
  const { app, url } = await onFreePort((port) => {
    logs.length = 0
    return build(port)
  })

  const createToken = async (id: string, roles: string[], expiry?: string) =>
    (
      await app.services.apiTokens.create(null, id, {
        roles: roles.map((role) => ({ role })),
        expiry,
      })
    ).token
  const createScopedToken = async (id: string, roles: RoleAssignment[]) =>
    (await app.services.apiTokens.create(null, id, { roles })).token
  const adminToken = await createToken('test-admin', [ROLE_IDS.administrator])

  return {
    dialect,
    url,
    dataDir,
    app,
    clock,
    logs,
    adminToken,
    createToken,
    createScopedToken,
    async request(method, pathname, opts = {}) {
      const target = new URL(pathname, url)
      const query = { 'api-version': API_VERSION, ...opts.query }
      for (const [key, value] of Object.entries(query)) {
        if (value !== null && !target.searchParams.has(key)) target.searchParams.set(key, String(value))
      }
      const headers: Record<string, string> = { ...opts.headers }
      const auth = opts.auth === undefined ? adminToken : opts.auth
      if (auth !== null) headers.authorization = auth
      let body: string | undefined
      if (opts.rawBody !== undefined) body = opts.rawBody
      else if (opts.body !== undefined) body = JSON.stringify(opts.body)
      if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json'
      return readResponse(await fetch(target, { method, headers, body }))
    },
    async close() {
      await app.close()
      await database?.drop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Listens where the config says; a server that cannot listen is closed, its store with it. */
async function listenOrClose(app: OpenCentralApp, config: Config): Promise<string> {
  try {
    return await app.app.listen({ port: config.port, host: config.host })
  } catch (error) {
    await app.close()
    throw error
  }
}

/** A fetched response with its body read: parsed when it is JSON. */
export async function readResponse(response: Response): Promise<ApiResponse> {
  const text = await response.text()
  let parsed: unknown = undefined
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {
    parsed = undefined
  }
  return { status: response.status, headers: response.headers, body: parsed as any, text }
}

/** A test server that also holds a Builder and an Operator API token, for checks of who may do what. */
export interface ServerWithRoleTokens extends TestServer {
  builderToken: string
  operatorToken: string
}

export async function startServerWithRoleTokens(dialect: Dialect): Promise<ServerWithRoleTokens> {
  const server = await startServer(dialect)
  try {
    return Object.assign(server, {
      builderToken: await server.createToken('builder', [ROLE_IDS.builder]),
      operatorToken: await server.createToken('operator', [ROLE_IDS.operator]),
    })
  } catch (error) {
    await server.close()
    throw error
  }
}

/** Asserts an IoT Central error response: status, `error.code`, the header twin, and the shape. */
export function expectError(
  response: ApiResponse,
  status: number,
  code: string,
  message?: string | RegExp,
): void {
  const problems: string[] = []
  if (response.status !== status) problems.push(`status ${response.status}, expected ${status}`)
  const error = response.body?.error
  if (!error) problems.push('no error body')
  else {
    if (error.code !== code) problems.push(`code ${error.code}, expected ${code}`)
    if (response.headers.get('x-ms-error-code') !== code) problems.push('x-ms-error-code header differs')
    if (typeof error.requestId !== 'string' || error.requestId !== response.headers.get('x-ms-request-id')) {
      problems.push('requestId missing or not echoed in x-ms-request-id')
    }
    if (typeof error.time !== 'string' || Number.isNaN(Date.parse(error.time)) || !error.time.endsWith('GMT')) {
      problems.push('time is not an RFC 1123 date')
    }
    if (message !== undefined) {
      const ok = typeof message === 'string' ? error.message === message : message.test(error.message)
      if (!ok) problems.push(`message ${JSON.stringify(error.message)} does not match ${String(message)}`)
    }
  }
  if (problems.length > 0) {
    throw new Error(`${problems.join('; ')}\nresponse: ${response.status} ${response.text}`)
  }
}

/** Asserts a rate limit's refusal (429 in IoT Central's error shape) and returns its Retry-After. */
export function expectTooMany(response: ApiResponse): number {
  expectError(response, 429, 'TooManyRequests')
  const retryAfter = Number(response.headers.get('retry-after'))
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After: ${response.headers.get('retry-after')}`)
  return retryAfter
}

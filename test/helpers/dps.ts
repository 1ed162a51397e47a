import assert from 'node:assert/strict'
import { createHmac, webcrypto } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { Agent, request, type AgentOptions } from 'node:https'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Duplex } from 'node:stream'
import { Http as HttpBase } from 'azure-iot-http-base'
import provisioningDevice, { type RegistrationResult } from 'azure-iot-provisioning-device'
import { Http as ProvisioningHttp } from 'azure-iot-provisioning-device-http'
import { SymmetricKeySecurityClient } from 'azure-iot-security-symmetric-key'
import { X509Security } from 'azure-iot-security-x509'
import { devCertificatePaths } from '../../src/tls/dev-certificates.js'
import type { Dialect } from '../../src/storage/store.js'
import { httpsRequest } from './https.js'
import { API_VERSION, startServer, type TestClock, type TestServer } from './server.js'
import type { TestCertificate } from './x509-chain.js'

// Its index re-exports through getters that Node's CommonJS export detection does not see.
const { ProvisioningDeviceClient } = provisioningDevice

/** The host the SDK is told (the development certificate names it); the agent dials loopback. */
export const PROVISIONING_HOST = 'localhost'

export interface DpsServer {
  server: TestServer
  /** The development CA that signed the server's certificate. */
  ca: Buffer
  port: number
  idScope: string
  /** An API call as the administrator, over HTTPS (fetch cannot trust the development CA). */
  call(method: string, pathname: string, body?: unknown): Promise<{ status: number; body: any }>
  /** The same, asserting success; answers the body. */
  must(method: string, pathname: string, body?: unknown): Promise<any>
  close(): Promise<void>
}

/** The real server over HTTPS (development certificate), which asks for client certificates. */
export async function startDpsServer(dialect: Dialect, clock?: TestClock): Promise<DpsServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-dps-'))
  const server = await startServer(dialect, { config: { tlsDev: true, dataDir }, ...(clock ? { clock } : {}) })
  const ca = readFileSync(devCertificatePaths(dataDir).caCert)
  const call = (method: string, pathname: string, body?: unknown) => {
    const url = new URL(pathname, server.url)
    url.searchParams.set('api-version', API_VERSION)
    return httpsRequest(method, url.toString(), ca, server.adminToken, body)
  }
  return {
    server,
    ca,
    call,
    async must(method, pathname, body) {
      const response = await call(method, pathname, body)
      assert.ok(response.status < 300, `${method} ${pathname}: ${response.status} ${JSON.stringify(response.body)}`)
      return response.body
    },
    port: Number(new URL(server.url).port),
    idScope: await server.app.services.provisioning.idScope(),
    async close() {
      await server.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * An agent that dials the test server's port wherever the SDK aims (it always says 443), trusting
 * only the development CA: the SDK's requests are otherwise unchanged.
 */
class TestServerAgent extends Agent {
  constructor(
    private readonly port: number,
    options: AgentOptions,
  ) {
    super({ ...options, keepAlive: false })
  }

  override createConnection(options: Record<string, unknown>, callback?: (error: Error | null, socket: Duplex) => void): Socket {
    const create = Agent.prototype.createConnection as (o: unknown, c?: unknown) => Socket
    return create.call(this, { ...options, host: '127.0.0.1', servername: PROVISIONING_HOST, port: this.port }, callback)
  }
}

export interface DeviceSecurity {
  registrationId: string
  symmetricKey?: string
  certificate?: { cert: string; key: string }
}

/** Registers with Microsoft's provisioning client and its HTTP transport, as a device app would. */
export async function registerWithSdk(
  dps: Pick<DpsServer, 'ca' | 'port'>,
  idScope: string,
  security: DeviceSecurity,
  payload?: unknown,
): Promise<RegistrationResult> {
  const base = new HttpBase()
  base.setOptions({ http: { agent: new TestServerAgent(dps.port, { ca: dps.ca }) }, ca: dps.ca.toString() })
  const transport = new ProvisioningHttp(base)
  const client = security.certificate
    ? ProvisioningDeviceClient.create(
        PROVISIONING_HOST,
        idScope,
        transport,
        new X509Security(security.registrationId, security.certificate) as never,
      )
    : ProvisioningDeviceClient.create(
        PROVISIONING_HOST,
        idScope,
        transport,
        // The security packages pin their own azure-iot-common: same shape, separate declarations.
        new SymmetricKeySecurityClient(security.registrationId, security.symmetricKey as string) as never,
      )
  if (payload !== undefined) client.setProvisioningPayload(payload as never)
  return (await client.register()) as RegistrationResult
}

/** A device key under a group key, computed here independently of the server. */
export const groupDeviceKey = (groupKey: string, deviceId: string): string =>
  createHmac('sha256', Buffer.from(groupKey, 'base64')).update(deviceId, 'utf8').digest('base64')

/** A registration SAS made by hand; `encodeResource` URL-encodes `sr` (and signs the encoded form). */
export function registrationSas(
  idScope: string,
  registrationId: string,
  key: string,
  expiry: number,
  { encodeResource = false, keyName = 'registration' } = {},
): string {
  const raw = `${idScope}/registrations/${registrationId}`
  const sr = encodeResource ? encodeURIComponent(raw) : raw
  const sig = createHmac('sha256', Buffer.from(key, 'base64')).update(`${sr}\n${expiry}`).digest('base64')
  return `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${expiry}&skn=${keyName}`
}

/** The PEM key of a test certificate, for a TLS client. */
export async function privateKeyPem(certificate: TestCertificate): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', certificate.keys.privateKey))
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`
}

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  body: any
}

/** A raw HTTPS request to the DPS routes, with whatever headers, body and client certificate. */
export function dpsRequest(
  dps: Pick<DpsServer, 'ca' | 'server'>,
  method: string,
  pathname: string,
  options: { authorization?: string; body?: string; cert?: string; key?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  if (options.authorization !== undefined) headers.authorization = options.authorization
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json; charset=utf-8'
    // Node frames a GET body only with a length (the SDK sends one too).
    headers['content-length'] = String(Buffer.byteLength(options.body))
  }
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(pathname, dps.server.url),
      { method, headers, ca: dps.ca, cert: options.cert, key: options.key, agent: false },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => (text += chunk))
        res.on('end', () => {
          let body: unknown
          try {
            body = JSON.parse(text)
          } catch {
            body = undefined
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body })
        })
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { loadConfig } from '../../src/config/load.js'
import { createDevCertificates, devCertificatePaths } from '../../src/tls/dev-certificates.js'
import { DIALECTS } from '../helpers/dialects.js'
import { startServer } from '../helpers/server.js'

/** GET over HTTPS trusting only `ca`. */
function get(url: string, ca: Buffer | null, authorization?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: ca ?? undefined, headers: authorization ? { authorization } : {} }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('HTTPS', () => {
  it('serves the API over TLS with a development certificate that clients trust through its authority', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-tls-'))
    const paths = await createDevCertificates(dataDir, ['central.test'])
    const server = await startServer(DIALECTS[0]!, {
      config: { tlsCert: paths.cert, tlsKey: paths.key, embeddedIdp: false },
    })
    try {
      assert.match(server.url, /^https:\/\//)
      const ca = readFileSync(paths.caCert)
      const devices = await get(`${server.url}/api/devices?api-version=2022-07-31`, ca, server.adminToken)
      assert.equal(devices.status, 200)
      assert.deepEqual(JSON.parse(devices.body), { value: [] })
      const byName = server.url.replace('127.0.0.1', 'localhost')
      assert.equal((await get(`${byName}/healthz`, ca)).status, 200)
      // Without the authority, the certificate is not trusted.
      await assert.rejects(get(`${server.url}/healthz`, null), /self-signed|unable to verify|certificate/i)
    } finally {
      await server.close()
    }
  })

  it('makes a CA once, keeps its key private, and issues server certificates for loopback and the given names', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-tls-'))
    const first = await createDevCertificates(dataDir)
    const caBefore = readFileSync(first.caCert, 'utf8')
    const second = await createDevCertificates(dataDir, ['iot.example.test'])
    assert.equal(readFileSync(second.caCert, 'utf8'), caBefore, 'the authority is reused')
    const ca = new X509Certificate(readFileSync(second.caCert))
    const cert = new X509Certificate(readFileSync(second.cert))
    assert.ok(ca.ca)
    assert.ok(!cert.ca)
    assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey))
    assert.match(cert.subjectAltName ?? '', /DNS:localhost/)
    assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/)
    assert.match(cert.subjectAltName ?? '', /DNS:iot\.example\.test/)
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000
    assert.ok(days > 300 && days < 398, `valid for ${days} days`)
    for (const key of [second.caKey, second.key]) assert.equal(statSync(key).mode & 0o077, 0)
  })

  it('with --tls-dev creates the development certificate when it is missing', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'opencentral-tls-'))
    const server = await startServer(DIALECTS[0]!, { config: { dataDir, tlsDev: true, embeddedIdp: false } })
    try {
      const paths = devCertificatePaths(dataDir)
      const response = await get(`${server.url}/healthz`, readFileSync(paths.caCert))
      assert.equal(response.status, 200)
    } finally {
      await server.close()
    }
  })

  it('refuses half a TLS configuration', () => {
    assert.throws(() => loadConfig({ flags: { 'tls-cert': 'a.pem' } }), /give both/)
    assert.throws(
      () => loadConfig({ flags: { 'tls-cert': 'a.pem', 'tls-key': 'k.pem', 'tls-dev': 'true' } }),
      /either --tls-dev or/,
    )
  })
})

import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import path from 'node:path'
import { randomBytes, webcrypto } from 'node:crypto'

x509.cryptoProvider.set(webcrypto as never)

type Key = webcrypto.CryptoKey
type KeyPair = webcrypto.CryptoKeyPair

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
const DAY_MS = 86_400_000

/** Where the development certificate authority and the server certificate are kept. */
export interface DevCertificatePaths {
  dir: string
  caCert: string
  caKey: string
  cert: string
  key: string
}

export function devCertificatePaths(dataDir: string): DevCertificatePaths {
  const dir = path.join(dataDir, 'tls')
  return {
    dir,
    caCert: path.join(dir, 'ca.pem'),
    caKey: path.join(dir, 'ca-key.pem'),
    cert: path.join(dir, 'server.pem'),
    key: path.join(dir, 'server-key.pem'),
  }
}

const serial = () => randomBytes(16).toString('hex').replace(/^[89a-f]/, '1')

async function pemKey(key: Key): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key))
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`
}

async function loadOrCreateAuthority(paths: DevCertificatePaths) {
  if (existsSync(paths.caCert) && existsSync(paths.caKey)) {
    const cert = new x509.X509Certificate(readFileSync(paths.caCert, 'utf8'))
    const der = Buffer.from(
      readFileSync(paths.caKey, 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''),
      'base64',
    )
    const privateKey = await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign'])
    return { cert, privateKey }
  }
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as KeyPair
  const now = Date.now()
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=OpenCentral development CA',
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 10 * 365 * DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  writeFileSync(paths.caCert, cert.toString('pem') + '\n')
  writeFileSync(paths.caKey, await pemKey(keys.privateKey), { mode: 0o600 })
  return { cert, privateKey: keys.privateKey }
}

/**
 * Makes (or reuses) a development certificate authority under `<data>/tls`, and issues a server
 * certificate for loopback names plus `hosts`, signed by it. Clients trust the authority with
 * NODE_EXTRA_CA_CERTS or the system store; its key never leaves the data folder.
 */
export async function createDevCertificates(
  dataDir: string,
  hosts: readonly string[] = [],
): Promise<DevCertificatePaths> {
  const paths = devCertificatePaths(dataDir)
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 })
  const authority = await loadOrCreateAuthority(paths)
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hosts])]
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as KeyPair
  const now = Date.now()
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${names[0]}`,
    issuer: authority.cert.subject,
    notBefore: new Date(now - DAY_MS),
    // Browsers refuse server certificates valid for more than 398 days.
    notAfter: new Date(now + 397 * DAY_MS),
    signingKey: authority.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        names.map((name) => (isIP(name) ? { type: 'ip', value: name } : { type: 'dns', value: name })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(authority.cert),
    ],
  })
  writeFileSync(paths.cert, cert.toString('pem') + '\n')
  writeFileSync(paths.key, await pemKey(keys.privateKey), { mode: 0o600 })
  return paths
}

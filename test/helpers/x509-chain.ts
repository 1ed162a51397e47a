import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { createHash, randomBytes, webcrypto } from 'node:crypto'

x509.cryptoProvider.set(webcrypto as never)

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
const DAY = 86_400_000

export interface TestCertificate {
  pem: string
  /** base64 DER, without PEM armour */
  der: string
  /** SHA-1 of the DER, uppercase hex (computed here, independently of the server) */
  thumbprint: string
  keys: webcrypto.CryptoKeyPair
}

const serial = () => randomBytes(8).toString('hex').replace(/^[89a-f]/, '1')

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
}

function describe(cert: x509.X509Certificate, keys: webcrypto.CryptoKeyPair): TestCertificate {
  const der = Buffer.from(cert.rawData)
  return {
    pem: cert.toString('pem'),
    der: der.toString('base64'),
    thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
    keys,
  }
}

export interface Validity {
  /** ms since the epoch; default a day ago */
  notBefore?: number
  /** ms since the epoch; default in a year */
  notAfter?: number
}

/** A self-signed certificate authority (an enrollment group's signing certificate). */
export async function createCa(name: string, validity: Validity = {}): Promise<TestCertificate> {
  const keys = await keyPair()
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}`,
    notBefore: new Date(validity.notBefore ?? Date.now() - DAY),
    notAfter: new Date(validity.notAfter ?? Date.now() + 365 * DAY),
    keys,
    signingAlgorithm: EC,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  })
  return describe(cert, keys)
}

/** A certificate for `commonName` signed by `issuer`'s key. */
export async function issue(
  commonName: string,
  issuer: TestCertificate,
  validity: Validity = {},
): Promise<TestCertificate> {
  const keys = await keyPair()
  const issuerCert = new x509.X509Certificate(issuer.pem)
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${commonName}`,
    issuer: issuerCert.subject,
    notBefore: new Date(validity.notBefore ?? Date.now() - DAY),
    notAfter: new Date(validity.notAfter ?? Date.now() + 30 * DAY),
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: EC,
  })
  return describe(cert, keys)
}

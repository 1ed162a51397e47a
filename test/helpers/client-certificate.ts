import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { randomBytes, webcrypto } from 'node:crypto'

x509.cryptoProvider.set(webcrypto as never)

const RSA = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
}

/**
 * A self-signed RSA certificate for a service principal, as `openssl req -x509` would make one:
 * `certificate` is the public part to register, `withKey` the PEM file a client reads (key and
 * certificate together, as @azure/identity's `certificatePath` expects).
 */
export async function createClientCertificate(
  name: string,
): Promise<{ certificate: string; withKey: string }> {
  const keys = (await webcrypto.subtle.generateKey(RSA, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 365 * 86_400_000),
    keys,
    signingAlgorithm: RSA,
  })
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey))
  const key = `-----BEGIN PRIVATE KEY-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END PRIVATE KEY-----\n`
  const certificate = `${cert.toString('pem')}\n`
  return { certificate, withKey: key + certificate }
}

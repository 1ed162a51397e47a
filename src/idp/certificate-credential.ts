import { createHash, X509Certificate } from 'node:crypto'
import type { JWK } from 'jose'
import { unprocessable } from '../errors/app-error.js'

/** A registered certificate as the provider and people see it. */
export interface CertificateCredential {
  /** base64url SHA-256 of the DER certificate: the `x5t#S256` MSAL puts in its assertions. */
  thumbprintSha256: string
  /** Hex SHA-1 of the DER certificate: the thumbprint Entra's portal shows. */
  thumbprint: string
  notAfter: string
  /** The public key, as a JWK for verifying client assertions. */
  publicJwk: JWK
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/

/**
 * Reads the first certificate of a PEM (a file with the private key too is accepted: only the
 * certificate is taken, so the key never reaches the store). RSA and EC keys sign assertions.
 */
export function readCertificate(pem: string): { pem: string; credential: CertificateCredential } {
  const block = PEM_CERTIFICATE.exec(pem)?.[0]
  if (!block)
    throw unprocessable('The file holds no PEM certificate (-----BEGIN CERTIFICATE-----).')
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(block)
  } catch {
    throw unprocessable('The certificate cannot be read.')
  }
  const type = certificate.publicKey.asymmetricKeyType
  if (type !== 'rsa' && type !== 'ec') {
    throw unprocessable('The certificate must hold an RSA or EC public key.')
  }
  return { pem: `${block}\n`, credential: credentialOf(certificate) }
}

export function credentialOf(certificate: X509Certificate): CertificateCredential {
  const thumbprintSha256 = createHash('sha256').update(certificate.raw).digest('base64url')
  return {
    thumbprintSha256,
    thumbprint: createHash('sha1').update(certificate.raw).digest('hex'),
    notAfter: new Date(certificate.validTo).toISOString(),
    publicJwk: {
      ...(certificate.publicKey.export({ format: 'jwk' }) as JWK),
      'x5t#S256': thumbprintSha256,
    },
  }
}

/** The credential of a stored certificate. */
export const storedCertificate = (pem: string): CertificateCredential =>
  credentialOf(new X509Certificate(pem))

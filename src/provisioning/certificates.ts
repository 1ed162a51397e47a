import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { createHash, webcrypto } from 'node:crypto'

x509.cryptoProvider.set(webcrypto as never)

/** A certificate as a client sent it, parsed. */
export interface ParsedCertificate {
  certificate: x509.X509Certificate
  /** PEM, as stored. */
  pem: string
  /** SHA-1 of the DER, uppercase hex, as IoT Central shows it. */
  thumbprint: string
}

/** The longest certificate text accepted (a certificate is a few kilobytes). */
export const MAX_CERTIFICATE_CHARS = 16_384

const PEM = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/

/**
 * Parses a certificate sent as PEM or as base64 DER; null when it is neither. Only the first
 * certificate of a PEM bundle is read.
 */
export function parseCertificate(text: string): ParsedCertificate | null {
  if (text.length > MAX_CERTIFICATE_CHARS) return null
  const pem = PEM.exec(text)
  const base64 = (pem ? (pem[1] as string) : text).replace(/\s+/g, '')
  if (base64 === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null
  const der = Buffer.from(base64, 'base64')
  try {
    const certificate = new x509.X509Certificate(der)
    return {
      certificate,
      pem: certificate.toString('pem'),
      thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
    }
  } catch {
    return null
  }
}

/** The subject's common names. */
export function commonNames(certificate: x509.X509Certificate): string[] {
  return certificate.subjectName.getField('CN')
}

/** Why the certificate is not valid at `now` (ms), or null when it is. */
export function validityProblem(certificate: x509.X509Certificate, now: number): string | null {
  if (now < certificate.notBefore.getTime()) {
    return `is not valid before ${certificate.notBefore.toISOString()}.`
  }
  if (now > certificate.notAfter.getTime()) {
    return `expired on ${certificate.notAfter.toISOString()}.`
  }
  return null
}

/** Whether `issuer`'s key signed `certificate` (the signature only; dates are checked apart). */
export async function isSignedBy(
  certificate: x509.X509Certificate,
  issuer: x509.X509Certificate,
): Promise<boolean> {
  try {
    return await certificate.verify({ publicKey: issuer, signatureOnly: true })
  } catch {
    return false
  }
}

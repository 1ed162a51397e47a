import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { readFileSync } from 'node:fs'
import type { Config } from '../config/schema.js'
import { devCertificatePaths } from '../tls/dev-certificates.js'

/**
 * The host name devices are assigned as their hub (`assignedHub`) and sign their hub SAS for: a
 * bare host name, never a port (a port in it breaks the SDKs' WebSocket transports). The
 * configured `deviceHostName`, else the public URL's host name, else the first DNS name of the
 * TLS certificate, else `localhost`.
 */
export function deviceHostNameOf(config: Config): string {
  if (config.deviceHostName) return config.deviceHostName
  if (config.publicUrl) return new URL(config.publicUrl).hostname
  return firstDnsName(certificatePath(config)) ?? 'localhost'
}

function certificatePath(config: Config): string | undefined {
  if (config.tlsCert !== undefined) return config.tlsCert
  return devCertificatePaths(config.dataDir).cert
}

/** The certificate's first DNS subject alternative name; undefined when unreadable or without one. */
function firstDnsName(file: string | undefined): string | undefined {
  if (file === undefined) return undefined
  try {
    const certificate = new x509.X509Certificate(readFileSync(file, 'utf8'))
    const names = certificate.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON() ?? []
    return names.find((name) => name.type === 'dns')?.value
  } catch {
    return undefined
  }
}

import { existsSync, readFileSync } from 'node:fs'
import type { Config } from '../config/schema.js'
import { ConfigError } from '../config/load.js'
import { createDevCertificates, devCertificatePaths } from './dev-certificates.js'

export interface ServerTls {
  cert: Buffer
  key: Buffer
  /** Asked, never required: devices prove themselves with X.509 client certificates (DPS). */
  requestCert: true
  /** Client certificates are judged by the device plane (enrollments), not by a CA list here. */
  rejectUnauthorized: false
}

const CLIENT_CERTIFICATES = { requestCert: true, rejectUnauthorized: false } as const

/**
 * The certificate and key to serve HTTPS with, or null for plain HTTP. With `tlsDev`, the
 * development certificate is used, and created first if it does not exist yet.
 */
export async function serverTls(config: Config): Promise<ServerTls | null> {
  if (config.tlsDev) {
    const paths = devCertificatePaths(config.dataDir)
    if (!existsSync(paths.cert) || !existsSync(paths.key)) await createDevCertificates(config.dataDir)
    return { cert: readFileSync(paths.cert), key: readFileSync(paths.key), ...CLIENT_CERTIFICATES }
  }
  if (config.tlsCert === undefined || config.tlsKey === undefined) return null
  try {
    return { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey), ...CLIENT_CERTIFICATES }
  } catch (error) {
    throw new ConfigError([`tlsCert/tlsKey: ${(error as Error).message}`])
  }
}

import { existsSync, readFileSync } from 'node:fs'
import type { Config } from '../../config/schema.js'
import { createDevCertificates, devCertificatePaths } from '../../tls/dev-certificates.js'
import { serverTls, type ServerTls } from '../../tls/server-tls.js'

/**
 * The device endpoint is always TLS: the configured certificate, else the development
 * certificate of the data folder (created if missing), whose authority devices must trust.
 */
export async function deviceEndpointTls(config: Config): Promise<ServerTls> {
  const configured = await serverTls(config)
  if (configured) return configured
  const paths = devCertificatePaths(config.dataDir)
  if (!existsSync(paths.cert) || !existsSync(paths.key)) await createDevCertificates(config.dataDir)
  return {
    cert: readFileSync(paths.cert),
    key: readFileSync(paths.key),
    requestCert: true,
    rejectUnauthorized: false,
  }
}

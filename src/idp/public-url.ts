import { ConfigError } from '../config/load.js'
import type { Config } from '../config/schema.js'

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]'])

/**
 * Refuses to listen on every interface without `--public-url` while the embedded issuer is on: it
 * would name itself http://127.0.0.1:<port>, which a remote client cannot reach, and tokens it
 * issued would name that issuer. A concrete address (--host 192.0.2.10) is advertised as given.
 */
export function requirePublicUrlBeyondLoopback(
  config: Pick<Config, 'publicUrl' | 'host' | 'port' | 'embeddedIdp'>,
): void {
  if (config.publicUrl || !config.embeddedIdp || !WILDCARD_HOSTS.has(config.host)) return
  throw new ConfigError([
    `publicUrl (--public-url / OPENCENTRAL_PUBLIC_URL): required when listening on every interface (--host ${config.host}): the embedded identity provider would advertise itself to remote clients as http://127.0.0.1:${config.port}, which only this machine reaches. Give the URL clients use (e.g. --public-url https://central.example.com:${config.port}), listen on one address, or turn the issuer off with --no-embedded-idp.`,
  ])
}

/**
 * The URL clients reach this server at: `--public-url`, or else the address it listens on. A server
 * listening on every interface is reached locally through the loopback address; an issuer must be
 * one fixed URL, so port 0 (any free port) cannot give one.
 */
export function publicUrlOf(
  config: Pick<Config, 'publicUrl' | 'host' | 'port' | 'tlsCert' | 'tlsDev'>,
): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '')
  if (config.port === 0) {
    throw new TypeError(
      'The embedded identity provider needs a fixed address: give --public-url, or a --port other than 0 (or turn it off with --no-embedded-idp).',
    )
  }
  const host = WILDCARD_HOSTS.has(config.host) ? '127.0.0.1' : config.host
  const literal = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
  const scheme = config.tlsDev || config.tlsCert !== undefined ? 'https' : 'http'
  return `${scheme}://${literal}:${config.port}`
}

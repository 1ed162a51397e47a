import type { Config } from '../config/schema.js'

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]'])

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

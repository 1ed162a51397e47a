import type { Config } from '../config/schema.js'

/** How often Node looks for requests past their headers or request timeout (its default is 30 s). */
const TIMEOUT_CHECK_MS = 1000

/**
 * The Node server options that bound how long a client may hold a connection: a client sending a
 * byte a second is cut off by the headers and request timeouts, not kept until it stops.
 */
export function serverTimeouts(config: Config) {
  return {
    headersTimeout: config.headersTimeoutSeconds * 1000,
    requestTimeout: config.requestTimeoutSeconds * 1000,
    keepAliveTimeout: config.keepAliveTimeoutSeconds * 1000,
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
  }
}

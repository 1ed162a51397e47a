import { createApp, type OpenCentralApp } from './app.js'
import type { Config } from './config/schema.js'
import { closeWithin } from './http/graceful-close.js'
import { requirePublicUrlBeyondLoopback } from './idp/public-url.js'
import { SecretBox } from './secrets/secret-box.js'

/** How long after the grace period a shutdown that still has not finished is given up. */
const HARD_EXIT_AFTER_GRACE_SECONDS = 5

/**
 * Starts the server and keeps it running until SIGTERM or SIGINT, then closes it gracefully
 * (in-flight requests get `shutdownGraceSeconds` to finish, the store is closed). Resolves once listening.
 */
export async function startServer(config: Config): Promise<OpenCentralApp & { url: string }> {
  requirePublicUrlBeyondLoopback(config)
  const server = await createApp(config)
  const address = await server.app.listen({ port: config.port, host: config.host })
  server.app.log.info(
    { store: server.store.description, applicationId: server.services.applicationId },
    `OpenCentral is listening on ${address}`,
  )
  if (SecretBox.keptWithData(config, server.store)) {
    server.app.log.warn(
      'No --secret-key (OPENCENTRAL_SECRET_KEY) is set: stored secrets (enrollment-group keys, storage connection strings) are sealed with a key kept in the same database, so they are only as safe as the database. Set the same --secret-key on every node before the first start.',
    )
  }
  const setupLink = await server.setup?.link()
  if (setupLink) {
    // Printed plainly (not only logged): the person starting the server opens it in a browser.
    process.stdout.write(
      `\nNo Administrator can sign in yet. Open this one-time link within an hour to create the first account:\n\n  ${setupLink}\n\n`,
    )
  }
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    server.app.log.info(`${signal} received, shutting down`)
    // Should closing itself hang (the store), the process still ends, a few seconds later.
    setTimeout(() => {
      server.app.log.error('shutdown did not complete after the grace period; exiting')
      process.exit(1)
    }, (config.shutdownGraceSeconds + HARD_EXIT_AFTER_GRACE_SECONDS) * 1000).unref()
    closeWithin(() => server.close(), server.app.server, config.shutdownGraceSeconds, server.app.log)
      .then((cut) => process.exit(cut > 0 ? 1 : 0))
      .catch((error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      })
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
  return { ...server, url: address }
}

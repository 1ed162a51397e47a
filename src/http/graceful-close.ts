import type { FastifyBaseLogger } from 'fastify'
import type { Server } from 'node:http'

/**
 * Closes the app, giving requests under way `graceSeconds` to finish; then the connections still
 * open (a client trickling its request, a response that never ends) are closed. Resolves with
 * how many were cut: 0 is a clean shutdown.
 */
export async function closeWithin(
  close: () => Promise<void>,
  server: Server,
  graceSeconds: number,
  log: FastifyBaseLogger,
): Promise<number> {
  let cut = 0
  const deadline = setTimeout(() => {
    server.getConnections((_error, count) => {
      cut = count ?? 0
      if (cut > 0) {
        log.warn(
          `The shutdown grace of ${graceSeconds} s is over: cut ${cut} open connection(s) (--shutdown-grace sets the time allowed)`,
        )
      }
      server.closeAllConnections()
    })
  }, graceSeconds * 1000)
  try {
    await close()
  } finally {
    clearTimeout(deadline)
  }
  return cut
}
